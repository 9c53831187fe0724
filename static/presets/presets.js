// The save panel posts with the CSRF token of the page's load. Signing in again (in
// another tab, after being signed out) rotates it, and the same edits could then never be
// saved: send the token the cookie holds now, which is always the current one.
(function () {
  "use strict";

  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.verb === "get") { return; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { event.detail.parameters.csrfmiddlewaretoken = decodeURIComponent(match[1]); }
  });
})();
