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
  // A table or code block wider than a phone scrolls inside its own box (playground.css);
  // one that does is made focusable, so that a keyboard can scroll it too.
  function focusableWhenScrolling() {
    var boxes = document.querySelectorAll("main table, main pre");
    for (var i = 0; i < boxes.length; i += 1) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) { box.setAttribute("tabindex", "0"); box.dataset.scrollFocus = ""; }
      } else if (box.dataset.scrollFocus !== undefined) {
        box.removeAttribute("tabindex"); delete box.dataset.scrollFocus;
      }
    }
  }
  document.addEventListener("DOMContentLoaded", focusableWhenScrolling);
  window.addEventListener("resize", focusableWhenScrolling);
  window.addEventListener("load", focusableWhenScrolling);
  ["htmx:afterSettle", "htmx:oobAfterSwap", "htmx:wsAfterMessage"].forEach(function (name) {
    document.addEventListener(name, focusableWhenScrolling);
  });
  // The theme switch (base.html) takes effect at once, without a reload: the page's colours
  // change here, the cookie the server draws the next page in is written now (a reload or a
  // link followed right away keeps the choice), and the choice is posted in the background
  // (the form, sent as it is) for the user's other browsers (playground/preferences/theme.py).
  var NEXT = {system: "light", light: "dark", dark: "system"};
  function themeLabel(theme) {
    var names = {system: gettext("System"), light: gettext("Light"), dark: gettext("Dark")};
    return interpolate(gettext("Theme: %(theme)s"), {theme: names[theme]}, true);
  }
  document.addEventListener("submit", function (event) {
    var form = event.target.closest ? event.target.closest("form.theme-switch") : null;
    if (!form || !window.fetch) { return; }
    event.preventDefault();
    var button = form.querySelector("button[name=theme]");
    var chosen = button.value;
    var data = new FormData(form);
    data.set("theme", chosen);
    if (chosen === "system") { delete document.documentElement.dataset.theme; }
    else { document.documentElement.dataset.theme = chosen; }
    button.dataset.theme = chosen;
    button.value = NEXT[chosen];
    button.textContent = themeLabel(chosen);
    document.cookie = form.dataset.cookie + "=" + chosen + "; path=/; max-age=" + form.dataset.cookieAge +
      "; samesite=lax" + (window.location.protocol === "https:" ? "; secure" : "");
    window.fetch(form.action, {method: "POST", body: data, credentials: "same-origin", redirect: "manual", keepalive: true});
  });
})();
