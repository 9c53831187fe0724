// The page's small behaviours; streaming itself is htmx's ws extension.
// Messages are rows named messages-<i>-role / -content (and -tool_call_id, -tool_calls),
// tools rows tools-<i>-name / -description / -parameters, all renumbered on every
// change so that the server reads them in page order. The form is the request: the
// server turns it into request JSON (and back) for the JSON editor, so that this
// script never has to parse numbers (a 64-bit seed would lose digits in JavaScript).
(function () {
  "use strict";

  function $(selector) { return document.querySelector(selector); }
  function $$(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }


  function fromTemplate(id, index) {
    var holder = document.createElement("div");
    holder.innerHTML = $(id).innerHTML.trim().replace(/__index__/g, String(index));
    return holder.firstElementChild;
  }

  // --- messages ------------------------------------------------------------------------
  function renumberMessages() {
    $$("#messages [data-message]").forEach(function (row, i) {
      row.querySelector("select.role").name = "messages-" + i + "-role";
      row.querySelector("textarea").name = "messages-" + i + "-content";
      row.querySelector(".tool-call-id").name = "messages-" + i + "-tool_call_id";
      row.querySelector(".content-format").name = "messages-" + i + "-content_format";
      row.querySelector(".tool-calls-json").name = "messages-" + i + "-tool_calls";
    });
  }

  function syncMessageRole(row) {
    var isTool = row.querySelector("select.role").value === "tool";
    var id = row.querySelector(".tool-call-id");
    id.hidden = !isTool;
    id.disabled = !isTool;
  }

  function setHidden(input, value) {
    input.value = value || "";
    input.disabled = !value;
  }

  function addMessage(role, content, options) {
    options = options || {};
    var row = fromTemplate("#message-template", 0);
    row.querySelector("select.role").value = role;
    row.querySelector("textarea").value = content || "";
    row.querySelector(".tool-call-id").value = options.toolCallId || "";
    setHidden(row.querySelector(".content-format"), options.contentFormat);
    setHidden(row.querySelector(".tool-calls-json"), options.toolCalls);
    var shown = row.querySelector(".message-tool-calls");
    if (options.toolCalls) {
      shown.hidden = false;
      shown.textContent = JSON.parse(options.toolCalls).map(function (call) {
        return "→ " + call["function"].name + "(" + call["function"].arguments + ")  " + call.id;
      }).join("\n");
    }
    $("#messages").appendChild(row);
    syncMessageRole(row);
    renumberMessages();
    formChanged();
    return row;
  }

  // Rows added or removed by script fire no input event; the export panel listens for this.
  // While fillForm sets the whole form, the rows it adds announce nothing: one request
  // for the finished form, not a burst of half-filled ones that race each other.
  var filling = false;

  function formChanged() {
    if (filling) { return; }
    $("#run-form").dispatchEvent(new Event("change", { bubbles: true }));
  }

  function copyCode(button) {
    var code = document.querySelector(button.dataset.copy);
    if (!code) { return; }
    var text = code.innerText;
    var done = function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy"; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { selectAndCopy(code); done(); });
    } else {
      selectAndCopy(code);
      done();
    }
  }

  function selectAndCopy(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    document.execCommand("copy");
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

  function addTool(name, description, parameters) {
    var row = fromTemplate("#tool-template", 0);
    var inputs = row.querySelectorAll("input, textarea");
    inputs[0].value = name || "";
    inputs[1].value = description || "";
    inputs[2].value = parameters || "";
    $("#tools").appendChild(row);
    $("#tools-panel").open = true;
    renumberTools();
    formChanged();
    return row;
  }

  // --- modes and model families --------------------------------------------------------
  function setMode(mode) {
    // A mode this page does not offer (a script cleared the select) falls back to chat.
    var offered = $$("#mode option").map(function (option) { return option.value; });
    if (offered.indexOf(mode) < 0) { mode = "chat"; }
    $("#workspace").dataset.mode = mode;
    $("#mode").value = mode;
    $$("fieldset.mode-fields").forEach(function (fieldset) {
      var active = fieldset.dataset.modes.split(" ").indexOf(mode) >= 0;
      fieldset.disabled = !active;
      fieldset.hidden = !active;
    });
    if ($("#more-parameters")) { syncMoreParameters(); }
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

  // "More parameters" folds the rarely used ones; one that holds a value (a preset, the
  // JSON editor, or typed) keeps the group open, and the summary counts them.
  function syncMoreParameters() {
    var set = $$("#more-parameters fieldset.mode-fields:not([disabled]) [name]").filter(function (input) {
      return input.type !== "hidden" && input.value !== "";
    });
    $("#more-parameters-count").textContent = set.length ? "(" + set.length + " set)" : "";
    if (set.length) { $("#more-parameters").open = true; }
  }

  function syncResponseFormat() {
    $$(".response-format-type").forEach(function (select) {
      select.parentElement.querySelector(".json-schema-editor").hidden = select.value !== "json_schema";
    });
  }

  // --- running -------------------------------------------------------------------------
  function runState() {
    var status = $("#run-status");
    return status ? status.dataset.state : "idle";
  }

  function setConnection(state, text) {
    var connection = $("#connection");
    if (!connection) { return; }
    connection.dataset.state = state;
    connection.textContent = text;
  }

  function syncControls() {
    var running = runState() === "running";
    $("#run-button").disabled = running;
    $("#stop-button").disabled = !running;
    $$(".add-reply").forEach(function (button) {
      var reply = document.getElementById("reply-" + button.dataset.index);
      var calls = document.getElementById("tool-calls-" + button.dataset.index);
      var hasCalls = calls && calls.children.length > 0;
      button.hidden = running || hasCalls || !reply || reply.textContent.length === 0;
    });
  }

  function extensionKeys() {
    var text = ($("#extensions") || {}).value || "";
    try {
      var parsed = JSON.parse(text);
      return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? Object.keys(parsed) : [];
    } catch (error) {
      return [];
    }
  }

  // An upstream 400 that blames a parameter names it in data-param: mark that field.
  function markBlamedParameter() {
    document.querySelectorAll("[data-blamed]").forEach(function (field) {
      field.removeAttribute("data-blamed");
      field.removeAttribute("aria-invalid");
    });
    var status = $("#run-status");
    var name = status && status.dataset.param;
    if (!name) { return; }
    var field = document.getElementById("param-" + name) || document.getElementById(name);
    if (!field && extensionKeys().indexOf(name) !== -1) {
      field = $("#extensions");  // a key with no input of its own (vLLM's top_k)
    }
    if (field) {
      var folded = field.closest("details");
      if (folded) { folded.open = true; }
      field.setAttribute("data-blamed", "");
      field.setAttribute("aria-invalid", "true");
    }
  }

  function run() {
    if (runState() !== "running") { $("#run-form").requestSubmit(); }
  }

  function stop() {
    if (runState() === "running") { $("#stop-form").requestSubmit(); }
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
    addMessage("assistant", text, {toolCalls: JSON.stringify(toolCalls)});
    calls.forEach(function (call) {
      addMessage("tool", call.querySelector(".tool-result").value, {toolCallId: call.dataset.callId});
    });
    run();
  }

  // --- the request JSON editor ---------------------------------------------------------
  function csrfToken() {
    var input = $("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function post(url, body, contentType) {
    return fetch(url, {
      method: "POST",
      headers: {"X-CSRFToken": csrfToken(), "Content-Type": contentType},
      body: body,
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return {ok: response.ok, data: data}; });
    });
  }

  // What an Apply found ({text, isError}), until the user changes the form: the refresh
  // that follows keeps saying it instead of replacing the news.
  var applied = null;

  function editorStatus(text, isError) {
    var status = $("#request-json-status");
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  function describeErrors(errors) {
    return Object.keys(errors).map(function (field) { return field + ": " + errors[field]; }).join("; ");
  }

  // Answers can come back out of order on a slow network: only the newest may write.
  var refreshes = 0;

  function refreshJson() {
    var editor = $("#request-json");
    if (!$("#request-editor").open || document.activeElement === editor) { return; }
    var params = new URLSearchParams(new FormData($("#run-form")));
    var before = editor.value;
    var mine = ++refreshes;
    post($("#workspace").dataset.requestJsonUrl, params.toString(), "application/x-www-form-urlencoded")
      .then(function (result) {
        if (mine !== refreshes) { return; }
        // Typed or pasted into while the answer was on its way: the user's text wins.
        if (editor.value !== before || document.activeElement === editor) { return; }
        if (!result.ok) { editorStatus(describeErrors(result.data.errors), true); return; }
        editor.value = result.data.text;
        var ext = result.data.extensions;
        var state = applied ? applied.text : ext.length ? "" : "In step with the form.";
        var names = ext.length ? "Extensions: " + ext.join(", ") : "";
        editorStatus([state, names].filter(Boolean).join(" "), Boolean(applied && applied.isError));
      });
  }

  function fillForm(values) {
    filling = true;
    try { setForm(values); } finally { filling = false; }
    // Announce the whole request once, so that the export panel shows it.
    formChanged();
  }

  function setForm(values) {
    var provider = $("#provider").value;
    setMode(values.mode || "chat");
    $("#messages").innerHTML = "";
    $("#tools").innerHTML = "";
    var i;
    for (i = 0; ("messages-" + i + "-role") in values; i++) {
      var prefix = "messages-" + i + "-";
      addMessage(values[prefix + "role"], values[prefix + "content"], {
        toolCallId: values[prefix + "tool_call_id"],
        toolCalls: values[prefix + "tool_calls"],
        contentFormat: values[prefix + "content_format"]
      });
    }
    for (i = 0; ("tools-" + i + "-name") in values; i++) {
      var tool = "tools-" + i + "-";
      addTool(values[tool + "name"], values[tool + "description"], values[tool + "parameters"]);
    }
    $$("#run-form [name]").forEach(function (input) {
      var name = input.name;
      var fieldset = input.closest("fieldset.mode-fields");
      if (name === "action" || name === "mode" || /^(messages|tools)-/.test(name)) { return; }
      if (input.type === "checkbox") { return; }  // page switches, not part of the request
      if (fieldset && fieldset.disabled) { return; }  // another mode's input
      if (input.classList.contains("value-format")) { setHidden(input, values[name]); return; }
      input.value = values[name] || "";
    });
    if (!$("#messages [data-message]")) { addMessage("user", ""); }
    syncResponseFormat();
    syncModelFamily();
    syncMoreParameters();
    $("#offline-badge").hidden = ($("#provider").selectedOptions[0] || {dataset: {}}).dataset.offline !== "true";
    // Setting a select's value fires no "change", so the model suggestions would stay the
    // old provider's: ask for the new ones the way the select does (its hx-trigger). Not
    // "change" itself, whose handler would replace the request's model by the default.
    if ($("#provider").value !== provider) {
      $("#provider").dispatchEvent(new Event("provider-set"));
    }
  }

  function applyJson() {
    post($("#workspace").dataset.formValuesUrl, $("#request-json").value, "application/json")
      .then(function (result) {
        if (!result.ok) { editorStatus(describeErrors(result.data.errors), true); return; }
        var problems = result.data.problems || {};
        applied = Object.keys(problems).length
          ? {text: "Applied to the form, but Run would refuse it: " + describeErrors(problems) + ".",
             isError: true}
          : {text: "Applied to the form.", isError: false};
        fillForm(result.data.values);
        editorStatus(applied.text, applied.isError);
      });
  }

  // Load a request JSON value (an opened preset) into the form by the editor's own round
  // trip: the server turns it into form values, so every mode and every key lands where
  // "Apply JSON" would put it; keys with no input go to Extensions and are sent on Run.
  // request: a request object, or its JSON text (which keeps integers past 2^53 exact).
  function openRequest(request) {
    var text = typeof request === "string" ? request : JSON.stringify(request);
    return post($("#workspace").dataset.formValuesUrl, text, "application/json")
      .then(function (result) {
        if (!result.ok) { throw new Error(describeErrors(result.data.errors)); }
        fillForm(result.data.values);
        return result.data.values;
      });
  }
  window.playground = {openRequest: openRequest};

  function placeAlternatives(event) {
    var token = event.target.closest ? event.target.closest(".token") : null;
    var box = token && token.querySelector(".alternatives");
    if (!box) { return; }
    var rect = token.getBoundingClientRect();
    var height = box.offsetHeight;  // 0 until :hover/:focus shows it; then flip when needed
    var below = rect.bottom + 2;
    var top = below + height > window.innerHeight && rect.top > height ? rect.top - height - 2 : below;
    box.style.position = "fixed";
    box.style.top = top + "px";
    box.style.left = Math.max(0, Math.min(rect.left, window.innerWidth - box.offsetWidth - 4)) + "px";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.body.addEventListener("click", function (event) {
      var button = event.target.closest("button.copy");
      if (button) { copyCode(button); }
    });
    // A long raw answer stays on the server until the inspector is opened, here and on the
    // preset page's run panel (toggle does not bubble, hence the capture; the inspector is
    // replaced after every run).
    document.addEventListener("toggle", function (event) {
      var inspector = event.target;
      var load = inspector.id === "raw-response" && inspector.open && inspector.querySelector(".raw-load");
      if (load) { load.form.requestSubmit(); }
    }, true);
    // A token's alternatives are placed against the window (position: fixed): the reply
    // columns scroll sideways, and a scrolling box cuts off whatever hangs out of it, so on
    // a one-line reply the alternatives below the token could not be read.
    document.addEventListener("mouseover", placeAlternatives);
    document.addEventListener("focusin", placeAlternatives);
    document.addEventListener("scroll", function () {
      var token = document.querySelector(".token:focus, .token:hover");
      if (token) { placeAlternatives({target: token}); }
    }, true);
    // Both pages with a run socket (this one, and a preset's Run buttons): say when the
    // connection drops, and end the run it cut off with its partial reply kept; each
    // page's script then puts its own buttons in step ("run-lost").
    document.body.addEventListener("htmx:wsOpen", function () { setConnection("open", "Connected"); });
    document.body.addEventListener("htmx:wsClose", function () {
      setConnection("closed", "Disconnected, reconnecting…");
      if (runState() === "running") {
        var status = $("#run-status");
        status.dataset.state = "error";
        status.querySelector(".status-message").textContent =
          "The connection to the server was lost; the partial reply is kept. Run again once reconnected.";
        document.body.dispatchEvent(new Event("run-lost"));
      }
    });
    // Every page loads this script; the rest is the playground page's (the preset page's
    // Run buttons have their own, presets/history_run.js).
    if (!$("#run-form")) { return; }
    setMode($("#mode").value);
    $$("#messages [data-message]").forEach(syncMessageRole);

    $("#mode").addEventListener("change", function (event) { setMode(event.target.value); });

    $("#add-message").addEventListener("click", function () {
      var rows = $$("#messages [data-message]");
      var last = rows.length ? rows[rows.length - 1].querySelector("select").value : "assistant";
      addMessage(last === "user" ? "assistant" : "user").querySelector("textarea").focus();
    });

    $("#messages").addEventListener("click", function (event) {
      var button = event.target.closest(".delete-message");
      if (button) { button.closest("[data-message]").remove(); renumberMessages(); formChanged(); }
    });
    $("#messages").addEventListener("change", function (event) {
      if (event.target.matches("select.role")) { syncMessageRole(event.target.closest("[data-message]")); }
    });

    $("#add-tool").addEventListener("click", function () {
      addTool().querySelector("input").focus();
    });
    $("#tools").addEventListener("click", function (event) {
      var button = event.target.closest(".delete-tool");
      if (button) { button.closest("[data-tool]").remove(); renumberTools(); formChanged(); }
    });

    $("#candidates").parentElement.addEventListener("click", function (event) {
      var add = event.target.closest(".add-reply");
      if (add) {
        var reply = document.getElementById("reply-" + add.dataset.index);
        addMessage("assistant", reply.textContent);
        addMessage("user", "").querySelector("textarea").focus();
        add.hidden = true;
        return;
      }
      var cont = event.target.closest(".continue-with-results");
      if (cont) { continueWithResults(cont.dataset.index); }
    });

    $("#provider").addEventListener("change", function (event) {
      var option = event.target.selectedOptions[0];
      $("#model").value = option.dataset.defaultModel;
      $("#offline-badge").hidden = option.dataset.offline !== "true";
      syncModelFamily();
    });
    $("#model").addEventListener("input", syncModelFamily);
    $("#run-form").addEventListener("change", function (event) {
      // A script that set the mode's value (opening a preset) fires change on the form.
      if ($("#mode").value !== $("#workspace").dataset.mode) { setMode($("#mode").value); }
      if (event.target.matches(".response-format-type")) { syncResponseFormat(); }
      if (event.target.closest("[data-reasoning-only]")) { syncModelFamily(); }
      if (event.target.closest("#more-parameters")) { syncMoreParameters(); }
    });

    var pending = null;
    // Typing in the editor applies it a moment later (below); an edit in the form, or
    // Apply, meanwhile makes that stale: it would put the older value back.
    var typing = null;
    // Typing in the editor itself must not schedule a refresh from the (older) form: it
    // would overwrite the text, and the editor's own timer would then apply the old form.
    $("#run-form").addEventListener("input", function (event) {
      if (event.target.id === "request-json") { return; }
      applied = null;
      clearTimeout(typing);
      clearTimeout(pending);
      pending = setTimeout(refreshJson, 300);
    });
    $("#run-form").addEventListener("change", function (event) {
      if (event.target.id === "request-json") { return; }
      // fillForm announces itself on the form; a change of one input is the user's.
      if (event.target !== $("#run-form")) { applied = null; clearTimeout(typing); }
      clearTimeout(pending);
      pending = setTimeout(refreshJson, 100);
    });
    $("#request-editor").addEventListener("toggle", refreshJson);
    $("#apply-json").addEventListener("click", function () { clearTimeout(typing); applyJson(); });
    // Typing in the editor updates the form once the text is whole JSON again.
    $("#request-json").addEventListener("input", function () {
      clearTimeout(typing);
      typing = setTimeout(function () {
        try { JSON.parse($("#request-json").value); } catch (error) {
          editorStatus("Not valid JSON yet: " + error.message, true);
          return;
        }
        applyJson();
      }, 600);
    });

    document.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); run(); }
      else if (event.key === "Escape") { stop(); }
    });

    // The Run button submits the form; while a run is on, it must not start another.
    $("#run-form").addEventListener("submit", function (event) {
      if (runState() === "running") { event.preventDefault(); event.stopImmediatePropagation(); }
    }, true);

    // A reply that was scrolled to its end follows the stream; one the reader scrolled up stays put.
    var following = [];
    // The export panel follows the form from /export/<the selected tab>: htmx keeps the
    // URL it read when the page loaded, so point each of the panel's requests at the tab.
    document.body.addEventListener("htmx:configRequest", function (event) {
      var lang = $("#export-lang");
      if (event.detail.elt.id === "export-panel" && lang) {
        event.detail.path = event.detail.path.replace(/[^/]*$/, encodeURIComponent(lang.value));
      }
    });
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
    syncResponseFormat();
    syncModelFamily();
    syncControls();
  });
})();
