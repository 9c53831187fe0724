// The playground page's behaviours. The server owns the request: it renders the form from
// a request object (the first load, an opened preset, Apply JSON) and the Form | JSON views
// (templates/playground/_request_editor.html, swapped into #request-fields), and Run sends
// the form, or in the JSON view the editor's text, as it is (htmx's ws extension). This
// script never converts one into the other, and never reads a value as a number (a 64-bit
// seed would lose digits). It adds, removes and renumbers the message and tool rows (the
// server reads messages-<i>-… in the order of <i>, see playground/forms.py), shows each
// mode's inputs, and keeps the run buttons, shortcuts, the export tab and the blamed
// parameter in step.
(function () {
  "use strict";

  var $ = window.runPage.$, $$ = window.runPage.$$, runState = window.runPage.state;  // run.js

  function fromTemplate(id) {
    var holder = document.createElement("div");
    holder.innerHTML = $(id).innerHTML.trim();
    return holder.firstElementChild;
  }

  // Rows added or removed by script fire no input event; the export panel listens for this.
  function formChanged() {
    $("#run-form").dispatchEvent(new Event("change", {bubbles: true}));
  }

  function jsonView() {
    return $("#request-form").hidden;
  }

  // --- messages ------------------------------------------------------------------------
  function renumberMessages() {
    $$("#messages [data-message]").forEach(function (row, i) {
      var prefix = "messages-" + i + "-";
      row.querySelector("select.role").name = prefix + "role";
      row.querySelector("textarea").name = prefix + "content";
      row.querySelector(".tool-call-id").name = prefix + "tool_call_id";
      row.querySelector(".content-format").name = prefix + "content_format";
      row.querySelector(".tool-calls-json").name = prefix + "tool_calls";
      row.querySelectorAll("[data-attachment]").forEach(function (attachment, j) {
        var names = prefix + "attachment-" + j + "-";
        var image = attachment.dataset.attachment === "image";
        attachment.querySelector(".attachment-value").name = names + (image ? "url" : "audio");
        attachment.querySelector(".attachment-option").name = names + (image ? "detail" : "format");
      });
    });
  }

  // --- attachments: images and audio in a user message ---------------------------------
  // A chosen or pasted file becomes an attachment of its row, uploaded at once (uploads.js);
  // an image URL is attached as it is. The server reads them as content parts after the
  // row's text (playground/forms.py).
  function addAttachment(row, kind) {
    var attachment = fromTemplate("#attachment-template-" + kind);
    row.querySelector("[data-attachments]").appendChild(attachment);
    renumberMessages();
    return attachment;
  }

  function attachFiles(row, files) {
    Array.prototype.forEach.call(files, function (file) {
      var kind = file.type.indexOf("audio/") === 0 || /\.(wav|mp3)$/i.test(file.name) ? "audio" : "image";
      window.playgroundUploads.upload(addAttachment(row, kind), file);
    });
    formChanged();
  }

  function attachUrl(row) {
    var input = row.querySelector(".attach-url");
    var url = input.value.trim();
    if (!url) { input.focus(); return; }
    var attachment = addAttachment(row, "image");
    attachment.querySelector(".attachment-value").value = url;
    attachment.querySelector(".file-field-status").textContent = url;
    if (/^https?:\/\//i.test(url)) {  // a link the page shows, never loads
      var link = document.createElement("a");
      link.href = url;
      link.rel = "noreferrer noopener";
      link.target = "_blank";
      link.textContent = gettext("image link");
      attachment.querySelector(".file-field-preview").appendChild(link);
    }
    input.value = "";
    showUrlBox(row, false);
    formChanged();
  }

  function showUrlBox(row, shown) {
    row.querySelector(".attach-url-box").hidden = !shown;
    row.querySelector(".attach-url-open").setAttribute("aria-expanded", String(shown));
    if (shown) { row.querySelector(".attach-url").focus(); }
  }

  // input_audio names its format: the uploaded file's real type says which.
  var AUDIO_FORMATS = {"audio/wav": "wav", "audio/mpeg": "mp3"};
  function syncAudioFormat(attachment) {
    if (attachment.dataset.attachment !== "audio") { return; }
    attachment.querySelector(".attachment-option").value = AUDIO_FORMATS[attachment.dataset.mediaType] || "";
  }

  function syncMessageRole(row) {
    var isTool = row.querySelector("select.role").value === "tool";
    var id = row.querySelector(".tool-call-id");
    id.hidden = !isTool;
    id.disabled = !isTool;
    row.querySelector(".attach-controls").hidden = row.querySelector("select.role").value !== "user";
  }

  // options.toolCalls: the assistant's calls (their arguments are text, as the model wrote
  // them); options.callLines: how each reads, as the server wrote it (fragments.tool_call_line).
  function addMessage(role, content, options) {
    options = options || {};
    var row = fromTemplate("#message-template");
    row.querySelector("select.role").value = role;
    row.querySelector("textarea").value = content || "";
    row.querySelector(".tool-call-id").value = options.toolCallId || "";
    if (options.toolCalls) {
      var calls = row.querySelector(".tool-calls-json");
      calls.value = JSON.stringify(options.toolCalls);
      calls.disabled = false;
      var shown = row.querySelector(".message-tool-calls");
      shown.hidden = false;
      shown.textContent = options.callLines.join("\n");
    }
    $("#messages").appendChild(row);
    syncMessageRole(row);
    renumberMessages();
    formChanged();
    return row;
  }

  // --- tools ---------------------------------------------------------------------------
  function renumberTools() {
    $$("#tools [data-tool]").forEach(function (row, i) {
      var inputs = row.querySelectorAll("input, textarea");
      inputs[0].name = "tools-" + i + "-name";
      inputs[1].name = "tools-" + i + "-description";
      inputs[2].name = "tools-" + i + "-parameters";
    });
  }

  function addTool() {
    var row = fromTemplate("#tool-template");
    $("#tools").appendChild(row);
    $("#tools-panel").open = true;
    renumberTools();
    formChanged();
    return row;
  }

  // --- modes and model families --------------------------------------------------------
  // Each mode's inputs are in fieldsets naming the modes that show them (data-modes); the
  // others are hidden and disabled, so they are not sent but keep what was typed in them.
  function setMode(mode) {
    $("#workspace").dataset.mode = mode;
    $$("fieldset.mode-fields").forEach(function (fieldset) {
      var active = fieldset.dataset.modes.split(" ").indexOf(mode) >= 0;
      fieldset.disabled = !active;
      fieldset.hidden = !active;
    });
    syncMoreParameters();
  }

  // A new mode starts on its own model (whisper-1 for a transcription) when the model is
  // still the one the page chose: the provider's default or the last mode's suggestion.
  // One typed by hand stays; the offline model takes any name and keeps its own.
  function suggestModel(modeSelect) {
    var provider = $("#provider").selectedOptions[0];
    var model = $("#model");
    var previous = modeSelect.dataset.shown;
    var before = $$("#mode option").filter(function (o) { return o.value === previous; })[0];
    var chosen = ["", provider.dataset.defaultModel, before ? before.dataset.suggestedModel : ""];
    modeSelect.dataset.shown = modeSelect.value;
    if (provider.dataset.offline === "true" || chosen.indexOf(model.value.trim()) < 0) { return; }
    model.value = modeSelect.selectedOptions[0].dataset.suggestedModel || provider.dataset.defaultModel;
    syncModelFamily();
  }

  function syncModelFamily() {
    // The rule comes from the server (playground/capabilities.py), so page and run agree.
    var pattern = new RegExp($("#workspace").dataset.reasoningModelPattern, "i");
    var reasoning = pattern.test($("#model").value.trim());
    $("#reasoning-badge").hidden = !reasoning;
    $$("[data-not-for-reasoning] .family-note").forEach(function (note) { note.hidden = !reasoning; });
    $$("[data-reasoning-only] .family-note").forEach(function (note) {
      note.hidden = reasoning || !note.closest(".parameter").querySelector("select").value;
    });
  }

  // "More parameters" folds the rarely used ones; one that holds a value (an opened
  // request, or typed) keeps the group open, and the summary counts them.
  function syncMoreParameters() {
    var set = $$("#more-parameters fieldset.mode-fields:not([disabled]) [name]").filter(function (input) {
      return input.type !== "hidden" && input.value !== "";
    });
    $("#more-parameters-count").textContent = set.length
      ? interpolate(gettext("(%(count)s set)"), {count: set.length}, true) : "";
    if (set.length) { $("#more-parameters").open = true; }
  }

  function syncResponseFormat() {
    $$(".response-format-type").forEach(function (select) {
      select.parentElement.querySelector(".json-schema-editor").hidden = select.value !== "json_schema";
    });
  }

  // The server rendered the request afresh (the first load, a switch of view, Apply).
  function syncRequestForm() {
    $("#mode").dataset.shown = $("#mode").value;
    setMode($("#mode").value);
    syncResponseFormat();
    syncModelFamily();
  }

  // --- running -------------------------------------------------------------------------
  function syncControls() {
    var running = runState() === "running";
    $("#run-button").disabled = running;
    $("#stop-button").disabled = !running;
    $$(".add-reply").forEach(function (button) {
      var reply = document.getElementById("reply-" + button.dataset.index);
      var calls = document.getElementById("tool-calls-" + button.dataset.index);
      var hasCalls = calls && calls.children.length > 0;
      // Only a mode with chat rows takes a reply as a row (a Responses reply continues by
      // its id; a completion, an edit or a transcript has no conversation).
      var workspace = $("#workspace");
      var conversation = workspace.dataset.conversationModes.split(" ").indexOf(workspace.dataset.mode) >= 0;
      button.hidden = running || hasCalls || !conversation || !reply || reply.textContent.length === 0;
    });
  }

  // An upstream 400 that blames a parameter names it in data-param: mark that field (in the
  // JSON view, the editor, which holds every key).
  function markBlamedParameter() {
    $$("[data-blamed]").forEach(function (field) {
      field.removeAttribute("data-blamed");
      field.removeAttribute("aria-invalid");
    });
    var status = $("#run-status");
    var name = status && status.dataset.param;
    if (!name) { return; }
    var field = jsonView() ? $("#request-json") :
      document.getElementById("param-" + name) || document.getElementById(name);
    if (!field && $("#extensions").value.indexOf('"' + name + '"') !== -1) {
      field = $("#extensions");  // a key with no input of its own (vLLM's top_k)
    }
    if (field) {
      var folded = field.closest("details");
      if (folded) { folded.open = true; }
      field.setAttribute("data-blamed", "");
      field.setAttribute("aria-invalid", "true");
    }
  }

  // While a switch of view is on its way, #request-fields is disabled: a run would send nothing.
  function canRun() {
    return runState() !== "running" && !$("#request-fields").disabled;
  }

  function run() {
    if (canRun()) { $("#run-form").requestSubmit(); }
  }

  function stop() {
    if (runState() === "running") { $("#stop-form").requestSubmit(); }
  }

  // A reply's follow-ups add rows to the form. From the JSON view, the editor is applied
  // first (the server renders the form from it, as the Form tab does); JSON it cannot apply
  // stays in the editor, and the status beside the switch says why.
  function inFormView(action) {
    if (!jsonView()) { action(); return; }
    var formTab = $("#form-tab");
    formTab.addEventListener("htmx:afterRequest", function () {
      if (!jsonView()) { action(); }
    }, {once: true});
    formTab.click();
  }

  // The tool round trip: the assistant's calls, then one role: tool message per result.
  function continueWithResults(index) {
    var calls = $$("#tool-calls-" + index + " .tool-call");
    var toolCalls = calls.map(function (call) {
      return {
        id: call.dataset.callId,
        type: "function",
        "function": {name: call.dataset.name, arguments: call.dataset.arguments}
      };
    });
    var text = (document.getElementById("reply-" + index) || {}).textContent || "";
    addMessage("assistant", text, {
      toolCalls: toolCalls,
      callLines: calls.map(function (call) { return call.dataset.line; })
    });
    calls.forEach(function (call) {
      addMessage("tool", call.querySelector(".tool-result").value, {toolCallId: call.dataset.callId});
    });
    run();
  }

  function addReply(button) {
    var reply = document.getElementById("reply-" + button.dataset.index);
    addMessage("assistant", reply.textContent);
    addMessage("user", "").querySelector("textarea").focus();
    button.hidden = true;
  }

  // Continue a response: its id becomes previous_response_id, and the input is emptied for
  // what to say next (the provider keeps the conversation so far).
  function continueResponse(button) {
    $("#responses-previous-id").value = button.dataset.responseId;
    var format = $("#responses-input-format");
    if (format) { format.value = ""; format.disabled = true; }
    var input = $("#responses-input");
    input.value = "";
    input.focus();
    formChanged();
  }

  function copyCode(button) {
    var code = document.querySelector(button.dataset.copy);
    if (code) { window.copyFrom(button, code); }  // replies.js
  }

  document.addEventListener("DOMContentLoaded", function () {
    // The phone layout's drawer: the model and parameters open and close under their button.
    var toggle = $("#parameters-toggle");
    if (toggle) {
      toggle.addEventListener("click", function () {
        var workspace = $("#workspace");
        var open = !workspace.hasAttribute("data-parameters-open");
        workspace.toggleAttribute("data-parameters-open", open);
        toggle.setAttribute("aria-expanded", String(open));
      });
    }
    var form = $("#run-form");
    syncRequestForm();

    // The form is re-rendered by the server, so its events are handled here, on the run
    // form that stays.
    form.addEventListener("click", function (event) {
      var target = event.target;
      if (target.closest("#add-message")) {
        var rows = $$("#messages [data-message]");
        var last = rows.length ? rows[rows.length - 1].querySelector("select").value : "assistant";
        addMessage(last === "user" ? "assistant" : "user").querySelector("textarea").focus();
      } else if (target.closest(".delete-message")) {
        target.closest("[data-message]").remove();
        renumberMessages();
        formChanged();
      } else if (target.closest(".remove-attachment")) {
        target.closest("[data-attachment]").remove();
        renumberMessages();
        formChanged();
      } else if (target.closest(".attach-url-open")) {
        var box = target.closest("[data-message]").querySelector(".attach-url-box");
        showUrlBox(target.closest("[data-message]"), box.hidden);
      } else if (target.closest(".attach-url-add")) {
        attachUrl(target.closest("[data-message]"));
      } else if (target.closest("#add-tool")) {
        addTool().querySelector("input").focus();
      } else if (target.closest(".delete-tool")) {
        target.closest("[data-tool]").remove();
        renumberTools();
        formChanged();
      }
    });
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target.id === "mode") {
        suggestModel(target);
        setMode(target.value);
      }
      if (target.matches("select.role")) { syncMessageRole(target.closest("[data-message]")); }
      if (target.matches(".attach-file")) {
        attachFiles(target.closest("[data-message]"), target.files);
        target.value = "";
      }
      if (target.matches(".attachment-value")) { syncAudioFormat(target.closest("[data-attachment]")); }
      if (target.id === "provider") {
        var option = target.selectedOptions[0];
        if (option.dataset.defaultModel) { $("#model").value = option.dataset.defaultModel; }
        $("#offline-badge").hidden = option.dataset.offline !== "true";
        syncModelFamily();
      }
      if (target.matches(".response-format-type")) { syncResponseFormat(); }
      if (target.closest("[data-reasoning-only]")) { syncModelFamily(); }
      if (target.closest("#more-parameters")) { syncMoreParameters(); }
    });
    // An image pasted into a message (a screenshot) is attached to it.
    form.addEventListener("paste", function (event) {
      var row = event.target.closest && event.target.closest("[data-message]");
      var files = event.clipboardData && event.clipboardData.files;
      if (!row || !files || !files.length) { return; }
      event.preventDefault();
      attachFiles(row, files);
    });
    // Enter in an image URL adds it, rather than running the request.
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target.matches(".attach-url")) {
        event.preventDefault();
        attachUrl(event.target.closest("[data-message]"));
      }
    });
    // The status beside the switch is news of the last switch: an edit makes it stale.
    form.addEventListener("input", function (event) {
      if (event.target.id === "model") { syncModelFamily(); }
      var status = $("#request-view-status");
      status.textContent = "";
      status.classList.remove("error");
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target.id === "request-fields") { syncRequestForm(); }
    });
    // The Variables panel is asked again as the prompt changes; a value typed while that
    // answer was on its way is newer than the one the answer holds, so it is kept.
    var typedVariables = null;
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      if (event.detail.target.id !== "variables-panel") { return; }
      typedVariables = {};
      $$("#variables-panel textarea[data-variable]").forEach(function (input) {
        typedVariables[input.name] = input.value;
      });
    });
    document.body.addEventListener("htmx:afterSwap", function () {
      if (!typedVariables) { return; }
      $$("#variables-panel textarea[data-variable]").forEach(function (input) {
        if (Object.prototype.hasOwnProperty.call(typedVariables, input.name)) {
          input.value = typedVariables[input.name];
        }
      });
      typedVariables = null;
    });
    // A switch the server did not answer (no network, a failure) changed nothing: say so.
    document.body.addEventListener("htmx:afterRequest", function (event) {
      var target = event.detail.target;
      if (target && target.id === "request-fields" && event.detail.successful !== true) {
        var status = $("#request-view-status");
        status.textContent = gettext("The server did not answer, so nothing changed: try again.");
        status.classList.add("error");
      }
    });

    $(".output").addEventListener("click", function (event) {
      var add = event.target.closest(".add-reply");
      if (add) { inFormView(function () { addReply(add); }); return; }
      var next = event.target.closest(".continue-response");
      if (next) { inFormView(function () { continueResponse(next); }); return; }
      var cont = event.target.closest(".continue-with-results");
      if (cont) { inFormView(function () { continueWithResults(cont.dataset.index); }); }
    });
    document.body.addEventListener("click", function (event) {
      var button = event.target.closest("button.copy");
      if (button) { copyCode(button); }
    });

    document.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); run(); }
      else if (event.key === "Escape") { stop(); }
    });

    // The Run button submits the form; while a run is on (or a switch of view), it must not.
    form.addEventListener("submit", function (event) {
      if (!canRun()) { event.preventDefault(); event.stopImmediatePropagation(); }
    }, true);

    // The export panel follows the form from /export/<the selected tab>: htmx keeps the
    // URL it read when the page loaded, so point each of the panel's requests at the tab.
    document.body.addEventListener("htmx:configRequest", function (event) {
      var lang = $("#export-lang");
      if (event.detail.elt.id === "export-panel" && lang) {
        event.detail.path = event.detail.path.replace(/[^/]*$/, encodeURIComponent(lang.value));
      }
    });

    // A reply that was scrolled to its end follows the stream; one the reader scrolled up stays put.
    var following = [];
    document.body.addEventListener("htmx:wsBeforeMessage", function () {
      following = $$(".reply").filter(function (reply) {
        return reply.scrollHeight - reply.scrollTop - reply.clientHeight < 24;
      });
    });
    document.body.addEventListener("htmx:wsAfterMessage", function () {
      following.forEach(function (reply) { reply.scrollTop = reply.scrollHeight; });
      syncControls();
      markBlamedParameter();
    });
    document.body.addEventListener("run-lost", syncControls);
    syncControls();
  });
})();
