// Replies shown as Markdown (playground/markdown_render.py) on every page that shows one: each
// reply's Raw switch, remembered in this browser for the replies shown after it, and the Copy
// button of each code block. Kept out of the templates: the Content-Security-Policy allows no
// inline script and no on* attribute.
(function () {
  "use strict";

  var KEY = "reply-view";

  function remembered() {
    try { return window.localStorage.getItem(KEY) === "raw" ? "raw" : "rendered"; } catch (e) { return "rendered"; }
  }

  function remember(view) {
    try { window.localStorage.setItem(KEY, view); } catch (e) { /* storage off: this page only */ }
  }

  function show(holder, view) {
    holder.setAttribute("data-reply-view", view);
    var button = holder.querySelector(".reply-view-switch");
    if (button) { button.setAttribute("aria-pressed", view === "raw" ? "true" : "false"); }
  }

  // Replies the server just sent (a run's first frame rebuilds them) show the remembered view.
  function showNewReplies() {
    var view = remembered();
    Array.prototype.forEach.call(document.querySelectorAll('[data-reply-view=""]'), function (holder) {
      show(holder, view);
    });
  }

  // The text as shown (a highlighted block is spans); the export panel's Copy uses it too.
  function copyFrom(button, element) {
    var label = button.dataset.label || (button.dataset.label = button.textContent);
    var done = function () {
      button.textContent = gettext("Copied");
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    var selectAndCopy = function () {
      var range = document.createRange();
      range.selectNodeContents(element);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      document.execCommand("copy");
      done();
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(element.innerText).then(done, selectAndCopy);
    } else {
      selectAndCopy();
    }
  }
  window.copyFrom = copyFrom;

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : null;
    var toggle = target && target.closest(".reply-view-switch");
    if (toggle) {
      var holder = toggle.closest("[data-reply-view]");
      var view = holder.getAttribute("data-reply-view") === "raw" ? "rendered" : "raw";
      show(holder, view);
      remember(view);
      return;
    }
    var copy = target && target.closest(".copy-code");
    var code = copy && copy.closest(".code-block").querySelector("pre");
    if (code) { copyFrom(copy, code); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    showNewReplies();
    document.body.addEventListener("htmx:wsAfterMessage", showNewReplies);
    document.body.addEventListener("htmx:afterSwap", showNewReplies);
  });
})();
