// The preset page's Run buttons. Each is a ws-send form carrying {"action": "run",
// "preset", "version"}, sent over the playground's run websocket by htmx's ws extension;
// the reply lands in #run-panel through the playground's own fragments (swapped by id).
// This script only shows the panel, names the version running, and keeps the buttons in
// step with the run: one run at a time, Stop (or Esc) while it runs.
(function () {
  "use strict";

  function $(selector) { return document.querySelector(selector); }
  function $$(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }

  function runState() {
    var status = $("#run-status");
    return status ? status.dataset.state : "idle";
  }

  function syncControls() {
    var running = runState() === "running";
    $$(".run-version button").forEach(function (button) { button.disabled = running; });
    $("#stop-button").disabled = !running;
  }

  function setConnection(state, text) {
    var connection = $("#connection");
    connection.dataset.state = state;
    connection.textContent = text;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var panel = $("#run-panel");
    if (!panel) { return; }

    // Capture phase, so it runs before htmx sends the form: a second run waits for the
    // first (as on the playground), and the panel shows which version is running.
    document.addEventListener("submit", function (event) {
      var form = event.target.closest(".run-version");
      if (!form) { return; }
      if (runState() === "running") {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      panel.hidden = false;
      $("#run-title").textContent = "Reply of version " + form.dataset.version;
      panel.scrollIntoView({block: "nearest"});
    }, true);

    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && runState() === "running") { $("#stop-form").requestSubmit(); }
    });

    document.body.addEventListener("htmx:wsAfterMessage", syncControls);
    document.body.addEventListener("htmx:wsOpen", function () { setConnection("open", "Connected"); });
    document.body.addEventListener("htmx:wsClose", function () {
      setConnection("closed", "Disconnected, reconnecting…");
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
