// Opening a preset: load the request JSON the page embeds (#preset-request) into the
// form through the page's own round trip (playground.openRequest: /request/form-values/
// + fillForm), the same path as the request JSON editor, so every mode fills its own
// inputs. Keys the form has no input for land in Extensions (sent on Run, kept on save);
// the preset's variables ride in the hidden "variables" input. A notice names them.
(function () {
  "use strict";

  function extensionNames(values) {
    var names = [];
    try { names = Object.keys(JSON.parse(values.extensions || "{}")).sort(); } catch (error) { names = []; }
    if (values.variables) { names.push("variables"); }
    return names;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var data = document.getElementById("preset-request");
    if (!data) { return; }
    var notice = document.getElementById("preset-extra-notice");
    var provider = document.getElementById("provider");
    // The text as the server wrote it: parsed here, a 64-bit seed would lose digits.
    window.playground.openRequest(data.textContent).then(function (values) {
      var names = extensionNames(values);
      if (names.length) {
        notice.textContent = "This preset also sets " + names.join(", ") +
          ", which have no input of their own: body keys are in Extensions and are sent on Run; saving keeps them all.";
        notice.hidden = false;
      }
      // A provider this server no longer has leaves the picker empty (see the notice).
      if (!provider.value) { provider.focus(); }
    }, function (error) {
      notice.textContent = "This preset could not be loaded into the form: " + error.message;
      notice.hidden = false;
    });
  });
})();

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
