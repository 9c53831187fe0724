// The preset page's Run buttons. Each is a ws-send form carrying {"action": "run",
// "preset", "version"}, sent over the playground's run websocket by htmx's ws extension;
// the reply lands in #run-panel through the playground's own fragments (swapped by id).
// This script only shows the panel, names the version running, and keeps the buttons in
// step with the run: one run at a time, Stop (or Esc) while it runs.
(function () {
  "use strict";

  var $ = window.runPage.$, $$ = window.runPage.$$, runState = window.runPage.state;  // run.js

  function syncControls() {
    var running = runState() === "running";
    $$(".run-version button").forEach(function (button) { button.disabled = running; });
    $("#stop-button").disabled = !running;
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
      $("#run-title").textContent = form.dataset.title ||
        interpolate(gettext("Reply of version %(version)s"), {version: form.dataset.version}, true);
      panel.scrollIntoView({block: "nearest"});
    }, true);

    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && runState() === "running") { $("#stop-form").requestSubmit(); }
    });

    document.body.addEventListener("htmx:wsAfterMessage", syncControls);
    // run.js reports a lost connection and ends the run it cut off.
    document.body.addEventListener("run-lost", syncControls);
    syncControls();
  });
})();
