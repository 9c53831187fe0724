// What every page that runs requests over the run socket shares (the playground page and
// a preset page's Run buttons); the socket and the fragments themselves are htmx's ws
// extension. Here: the connection indicator, a lost connection ending the run it cut off
// (each page's script then puts its buttons in step on "run-lost"), the raw inspector
// loading a long answer on demand, and token alternatives placed against the window.
// window.runPage holds the small helpers the page scripts share.
(function () {
  "use strict";

  function $(selector) { return document.querySelector(selector); }
  function $$(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  function runState() {
    var status = $("#run-status");
    return status ? status.dataset.state : "idle";
  }

  window.runPage = {$: $, $$: $$, state: runState};

  function setConnection(state, text) {
    var connection = $("#connection");
    if (!connection) { return; }
    connection.dataset.state = state;
    connection.textContent = text;
  }

  function placeAlternatives(event) {
    var token = event.target.closest ? event.target.closest(".token") : null;
    var box = token && token.querySelector(".alternatives");
    if (!box) { return; }
    var rect = token.getBoundingClientRect();
    var height = box.offsetHeight;  // 0 until :hover/:focus shows it; then flip when needed
    var below = rect.bottom + 2;
    var top = below + height > window.innerHeight && rect.top > height ? rect.top - height - 2 : below;
    box.style.position = "fixed";
    box.style.top = top + "px";
    box.style.left = Math.max(0, Math.min(rect.left, window.innerWidth - box.offsetWidth - 4)) + "px";
  }

  document.addEventListener("DOMContentLoaded", function () {
    // A long raw answer stays on the server until the inspector is opened (toggle does not
    // bubble, hence the capture; the inspector is replaced after every run).
    document.addEventListener("toggle", function (event) {
      var inspector = event.target;
      var load = inspector.id === "raw-response" && inspector.open && inspector.querySelector(".raw-load");
      if (load) { load.form.requestSubmit(); }
    }, true);
    // A token's alternatives are placed against the window (position: fixed): the reply
    // columns scroll sideways, and a scrolling box cuts off whatever hangs out of it, so on
    // a one-line reply the alternatives below the token could not be read.
    document.addEventListener("mouseover", placeAlternatives);
    document.addEventListener("focusin", placeAlternatives);
    document.addEventListener("scroll", function () {
      var token = document.querySelector(".token:focus, .token:hover");
      if (token) { placeAlternatives({target: token}); }
    }, true);
    // A message above the server's limit would make daphne drop the socket: refuse it here,
    // where its size is known (bytes of UTF-8, as the server counts), and say so.
    document.body.addEventListener("htmx:wsBeforeSend", function (event) {
      var socket = $("[data-max-message-bytes]");
      var limit = socket ? Number(socket.dataset.maxMessageBytes) : 0;
      var message = event.detail.message;
      if (!limit || typeof message !== "string" || message.length <= limit / 4) { return; }
      var size = new TextEncoder().encode(message).length;
      if (size <= limit) { return; }
      event.preventDefault();
      var status = $("#run-status");
      if (!status) { return; }
      status.dataset.state = "error";
      status.className = "run-status state-error";
      status.querySelector(".status-message").textContent =
        interpolate(gettext(
          "Not sent: the request is %(size)s bytes, and the server takes at most %(limit)s bytes " +
          "(%(mib)s MiB) per run. Shorten the prompt or the messages."), {
          size: size.toLocaleString("en"),
          limit: limit.toLocaleString("en"),
          mib: (limit / 1048576).toFixed(1).replace(/\.0$/, "")
        }, true);
    });
    // Say when the connection drops, and end the run it cut off with its partial reply kept.
    document.body.addEventListener("htmx:wsOpen", function () { setConnection("open", gettext("Connected")); });
    document.body.addEventListener("htmx:wsClose", function () {
      setConnection("closed", gettext("Disconnected, reconnecting…"));
      if (runState() === "running") {
        var status = $("#run-status");
        status.dataset.state = "error";
        status.querySelector(".status-message").textContent =
          gettext("The connection to the server was lost; the partial reply is kept. Run again once reconnected.");
        document.body.dispatchEvent(new Event("run-lost"));
      }
    });
  });
})();
