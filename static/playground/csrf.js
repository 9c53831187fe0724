// The one way the pages send the CSRF token: every htmx request that changes something
// carries the token the cookie holds now. Signing in again (in another tab, after being
// signed out) rotates it; a copy taken when the page loaded would then be refused, and
// the edits still in the page could never be saved.
document.addEventListener("htmx:configRequest", function (event) {
  "use strict";
  if (event.detail.verb === "get") { return; }
  var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) { event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]); }
});
