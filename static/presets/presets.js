// Opening a preset: fill the playground form from the request JSON the page embeds
// (#preset-request). Runs once, after playground.js has set up the page.
(function () {
  "use strict";

  function fillMessages(messages) {
    var holder = document.getElementById("messages");
    var template = document.getElementById("message-template").innerHTML.trim();
    holder.innerHTML = "";
    messages.forEach(function (message, i) {
      var wrapper = document.createElement("div");
      wrapper.innerHTML = template;
      var row = wrapper.firstElementChild;
      var select = row.querySelector("select");
      if (!Array.prototype.some.call(select.options, function (o) { return o.value === message.role; })) {
        select.add(new Option(message.role, message.role));
      }
      select.value = message.role;
      select.name = "messages-" + i + "-role";
      var text = row.querySelector("textarea");
      text.value = message.content;
      text.name = "messages-" + i + "-content";
      holder.appendChild(row);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var data = document.getElementById("preset-request");
    if (!data) { return; }
    var request = JSON.parse(data.textContent);
    var body = request.body || {};
    var provider = document.getElementById("provider");
    var known = Array.prototype.some.call(provider.options, function (o) { return o.value === request.provider; });
    if (known) {
      provider.value = request.provider;
      provider.dispatchEvent(new Event("change", { bubbles: true }));
    }
    document.getElementById("model").value = body.model || "";
    document.querySelectorAll("#run-form input[type=number][name]").forEach(function (input) {
      input.value = body[input.name] === undefined ? "" : body[input.name];
    });
    var messages = (body.messages || []).slice();
    var system = "";
    if (messages.length && messages[0].role === "system") { system = messages.shift().content; }
    document.getElementById("system").value = system;
    fillMessages(messages.length ? messages : [{ role: "user", content: "" }]);
    // Parts the form has no input for travel in a hidden field, so that a save keeps them.
    var extra = document.getElementById("preset-extra");
    if (extra) {
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "preset_extra";
      hidden.value = extra.textContent;
      document.getElementById("run-form").appendChild(hidden);
    }
    if (!known) { provider.focus(); }
  });
})();
