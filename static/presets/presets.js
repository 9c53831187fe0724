// Opening a preset: fill the playground form from the request JSON the page embeds
// (#preset-request). Runs once, after playground.js has set up the page.
//
// The form may not have an input for every part of a request (a parameter the page
// does not show, a value its input cannot hold, `variables`). Those parts travel in
// a hidden field, `preset_extra`, which the save views merge back, and a notice
// names them: saving from the page keeps them, Run from the form sends what it shows.
(function () {
  "use strict";

  var SHOWN_ELSEWHERE = { model: true, messages: true };

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
      text.value = typeof message.content === "string" ? message.content : JSON.stringify(message.content);
      text.name = "messages-" + i + "-content";
      holder.appendChild(row);
    });
  }

  // Put a value in the form's input of that name; false when the form cannot hold it.
  function fillInput(form, name, value) {
    var input = form.querySelector('[name="' + name + '"]');
    if (!input || input.type === "hidden") { return false; }
    var text = typeof value === "string" ? value : JSON.stringify(value);
    input.value = text;
    return input.value === text;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var data = document.getElementById("preset-request");
    if (!data) { return; }
    var request = JSON.parse(data.textContent);
    var body = request.body || {};
    var form = document.getElementById("run-form");
    var notice = document.getElementById("preset-extra-notice");
    var hasMode = !!form.querySelector('[name="mode"]');
    if ((request.mode || "chat") !== "chat" && !hasMode) {
      notice.textContent = "This preset is a “" + request.mode + "” request; this page's form edits chat requests, so it was not loaded into the form.";
      notice.hidden = false;
      return;
    }
    if (hasMode) { fillInput(form, "mode", request.mode || "chat"); }

    var provider = document.getElementById("provider");
    var known = Array.prototype.some.call(provider.options, function (o) { return o.value === request.provider; });
    if (known) {
      provider.value = request.provider;
      provider.dispatchEvent(new Event("change", { bubbles: true }));
    }
    document.getElementById("model").value = body.model || "";

    // Clear every parameter input first: an unset parameter is absent, not a default.
    form.querySelectorAll(".settings input[name], .settings select[name], .settings textarea[name]").forEach(function (input) {
      var keep = input.name === "provider" || input.name === "model" || input.name === "mode";
      if (!keep && input.type !== "hidden") { input.value = ""; }
    });
    var hidden = {};
    Object.keys(body).forEach(function (name) {
      if (SHOWN_ELSEWHERE[name]) { return; }
      if (!fillInput(form, name, body[name])) { hidden[name] = body[name]; }
    });

    var messages = (body.messages || []).slice();
    var system = "";
    if (messages.length && messages[0].role === "system" && typeof messages[0].content === "string") {
      system = messages.shift().content;
    }
    document.getElementById("system").value = system;
    fillMessages(messages.length ? messages : [{ role: "user", content: "" }]);

    var extra = {};
    if (Object.keys(hidden).length) { extra.body = hidden; }
    if (request.variables && Object.keys(request.variables).length) { extra.variables = request.variables; }
    if (Object.keys(extra).length) {
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = "preset_extra";
      field.value = JSON.stringify(extra);
      form.appendChild(field);
      var names = Object.keys(hidden).sort();
      if (extra.variables) { names.push("variables"); }
      notice.textContent = "This preset also sets " + names.join(", ") +
        ", which this form has no input for. Saving from this page keeps them; Run from the form sends only what the form shows.";
      notice.hidden = false;
    }
    form.dispatchEvent(new Event("change", { bubbles: true }));
    if (!known) { provider.focus(); }
  });
})();
