// The watch page (templates/live/watch.html): the run's frames arrive over the watch socket
// and htmx's ws extension swaps them in by id; here only the Stop button (shown to the run's
// owner and its team's owners) follows the run's state, and Esc stops, as on a run page.
(function () {
  "use strict";

  var $ = window.runPage.$, runState = window.runPage.state;  // run.js

  function syncStop() {
    var stop = $("#stop-button");
    if (stop) { stop.disabled = runState() !== "running"; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.addEventListener("keydown", function (event) {
      var form = $("#stop-form");
      if (event.key === "Escape" && form && runState() === "running") { form.requestSubmit(); }
    });
    document.body.addEventListener("htmx:wsAfterMessage", syncStop);
    document.body.addEventListener("run-lost", syncStop);
    syncStop();
  });
})();
