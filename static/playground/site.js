// Behaviour every page shares, kept out of the templates: the Content-Security-Policy
// allows no inline script and no on* attribute (see docs/deploy.md).
(function () {
  "use strict";
  // A read-only link field selects its whole text on click, ready to copy.
  document.addEventListener("click", function (event) {
    var field = event.target.closest ? event.target.closest("input.share-link") : null;
    if (field) { field.select(); }
  });
  // A form with data-confirm asks first ("Remove provider …?") and is sent only if confirmed.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();
