// The page's small behaviours; streaming itself is htmx's ws extension.
// Messages are rows named messages-<i>-role / messages-<i>-content, renumbered
// on every change so that the server reads them in page order.
(function () {
  "use strict";

  function $(selector) { return document.querySelector(selector); }

  function renumberMessages() {
    document.querySelectorAll("#messages [data-message]").forEach(function (row, i) {
      row.querySelector("select").name = "messages-" + i + "-role";
      row.querySelector("textarea").name = "messages-" + i + "-content";
    });
  }

  function addMessage(role, content) {
    var html = $("#message-template").innerHTML;
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    row.querySelector("select").value = role;
    row.querySelector("textarea").value = content || "";
    $("#messages").appendChild(row);
    renumberMessages();
    formChanged();
    return row;
  }

  // Rows added or removed by script fire no input event; the export panel listens for this.
  function formChanged() {
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

  function runState() {
    var status = $("#run-status");
    return status ? status.dataset.state : "idle";
  }

  function syncControls() {
    var running = runState() === "running";
    $("#run-button").disabled = running;
    $("#stop-button").disabled = !running;
    document.querySelectorAll(".add-reply").forEach(function (button) {
      var reply = document.getElementById("reply-" + button.dataset.index);
      button.hidden = running || !reply || reply.textContent.length === 0;
    });
  }

  function run() {
    if (runState() !== "running") { $("#run-form").requestSubmit(); }
  }

  function stop() {
    if (runState() === "running") { $("#stop-form").requestSubmit(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.body.addEventListener("click", function (event) {
      var button = event.target.closest("button.copy");
      if (button) { copyCode(button); }
    });

    $("#add-message").addEventListener("click", function () {
      var rows = document.querySelectorAll("#messages [data-message]");
      var last = rows.length ? rows[rows.length - 1].querySelector("select").value : "assistant";
      addMessage(last === "user" ? "assistant" : "user").querySelector("textarea").focus();
    });

    $("#messages").addEventListener("click", function (event) {
      var button = event.target.closest(".delete-message");
      if (button) { button.closest("[data-message]").remove(); renumberMessages(); formChanged(); }
    });

    $("#candidates").parentElement.addEventListener("click", function (event) {
      var button = event.target.closest(".add-reply");
      if (!button) { return; }
      var reply = document.getElementById("reply-" + button.dataset.index);
      addMessage("assistant", reply.textContent);
      addMessage("user", "").querySelector("textarea").focus();
      button.hidden = true;
    });

    $("#provider").addEventListener("change", function (event) {
      var option = event.target.selectedOptions[0];
      $("#model").value = option.dataset.defaultModel;
      $("#offline-badge").hidden = option.dataset.offline !== "true";
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
    document.body.addEventListener("htmx:wsBeforeMessage", function () {
      following = Array.prototype.filter.call(document.querySelectorAll(".reply"), function (reply) {
        return reply.scrollHeight - reply.scrollTop - reply.clientHeight < 24;
      });
    });
    document.body.addEventListener("htmx:wsAfterMessage", function () {
      following.forEach(function (reply) { reply.scrollTop = reply.scrollHeight; });
      syncControls();
    });
    document.body.addEventListener("htmx:wsOpen", function () {
      var c = $("#connection"); c.dataset.state = "open"; c.textContent = "Connected";
    });
    document.body.addEventListener("htmx:wsClose", function () {
      var c = $("#connection"); c.dataset.state = "closed"; c.textContent = "Disconnected, reconnecting…";
      if (runState() === "running") {
        var status = $("#run-status");
        status.dataset.state = "error";
        status.querySelector(".status-message").textContent =
          "The connection to the server was lost; the partial reply is kept. Run again once reconnected.";
        syncControls();
      }
    });
    syncControls();
  });
})();
