// File fields: a file chosen in the page is uploaded at once (POST /uploads/) and the
// field's hidden input gets its reference ("upload:<sha256>"), which the form sends as
// part of the request. The markup (templates/playground/_file_field.html):
//
//   <div class="file-field" data-upload-purpose="audio" data-upload-url="/uploads/">
//     <input type="file" …>                        chosen file; has no name, never submitted
//     <input type="hidden" name="file" value="…">  the reference the request carries
//     <p class="file-field-status" role="status">  name and size, "Uploading…", or the refusal
//     <button class="file-field-remove">           empties the field (hidden while it is empty)
//     <div class="file-field-preview">             a thumbnail or a player of the stored file
//   </div>
//
// A refusal (wrong type, too big) leaves the previous reference in place and says why.
// A message row's attachments are such fields too, without a file input of their own:
// playground.js hands them the attached or pasted file (window.playgroundUploads.upload).
(function () {
  "use strict";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function sizeText(size) {
    if (size < 1024) { return size + " B"; }
    if (size < 1024 * 1024) { return Math.round(size / 1024) + " KB"; }
    return (size / 1024 / 1024).toFixed(1).replace(/\.0$/, "") + " MB";
  }

  // The stored file, shown as the user expects it: a thumbnail, or a player.
  function showPreview(field, reference, mediaType) {
    var preview = field.querySelector(".file-field-preview");
    if (!preview) { return; }
    preview.textContent = "";
    var hash = reference.replace(/^upload:/, "");
    if (!/^[0-9a-f]{64}$/.test(hash)) { return; }
    var url = field.dataset.uploadUrl + hash + "/";
    var element = null;
    if (mediaType.indexOf("image/") === 0) {
      element = document.createElement("img");
      element.alt = field.querySelector(".file-field-status").textContent;
    } else if (mediaType.indexOf("audio/") === 0 || mediaType.indexOf("video/") === 0) {
      element = document.createElement("audio");
      element.controls = true;
      element.preload = "metadata";
    }
    if (element) {
      element.src = url;
      preview.appendChild(element);
    }
  }

  // Upload ``file`` into ``field`` (a chosen file, or one pasted or attached by
  // playground.js, which calls window.playgroundUploads.upload).
  function upload(field, file) {
    var status = field.querySelector(".file-field-status");
    var hidden = field.querySelector("input[type=hidden]");
    if (!file || !hidden) { return; }
    var form = new FormData();
    form.append("file", file);
    form.append("purpose", field.dataset.uploadPurpose);
    field.classList.remove("file-field-refused");
    field.setAttribute("aria-busy", "true");
    status.textContent = interpolate(gettext("Uploading %s…"), [file.name]);
    fetch(field.dataset.uploadUrl, {
      method: "POST",
      body: form,
      headers: {"X-CSRFToken": csrfToken()},
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().catch(function () {
        return {error: interpolate(gettext("The upload failed (HTTP %s)."), [response.status])};
      });
    }).then(function (answer) {
      field.removeAttribute("aria-busy");
      if (answer.error || !answer.reference) {
        field.classList.add("file-field-refused");
        status.textContent = answer.error || gettext("The upload failed.");
        return;
      }
      hidden.value = answer.reference;
      hidden.disabled = false;
      field.dataset.mediaType = answer.media_type;
      status.textContent = answer.filename + " (" + sizeText(answer.size) + ")";
      showPreview(field, answer.reference, answer.media_type);
      var remove = field.querySelector(".file-field-remove");
      if (remove) { remove.hidden = false; }
      hidden.dispatchEvent(new Event("change", {bubbles: true}));
    }).catch(function () {
      field.removeAttribute("aria-busy");
      field.classList.add("file-field-refused");
      status.textContent = gettext("The upload failed: the server could not be reached.");
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") { return; }
    var field = input.closest("[data-upload-purpose]");
    if (field && input.files && input.files[0]) { upload(field, input.files[0]); }
  });

  // "Remove the file": the request no longer carries it (an image body without an image
  // is a generation again).
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element && event.target.closest(".file-field-remove");
    var field = button && button.closest("[data-upload-purpose]");
    if (!field) { return; }
    var hidden = field.querySelector("input[type=hidden]");
    var picker = field.querySelector("input[type=file]");
    hidden.value = "";
    hidden.disabled = true;
    if (picker) { picker.value = ""; }
    field.classList.remove("file-field-refused");
    field.querySelector(".file-field-status").textContent = "";
    field.querySelector(".file-field-preview").textContent = "";
    delete field.dataset.mediaType;
    button.hidden = true;
    if (picker) { picker.focus(); }
    hidden.dispatchEvent(new Event("change", {bubbles: true}));
  });
  window.playgroundUploads = {upload: upload};

  // A form rendered with a reference already (a preset, a run from the history) shows it.
  function showStored(root) {
    root.querySelectorAll("[data-upload-purpose]").forEach(function (field) {
      var hidden = field.querySelector("input[type=hidden]");
      if (hidden && hidden.value && field.dataset.mediaType) {
        showPreview(field, hidden.value, field.dataset.mediaType);
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { showStored(document); });
  document.addEventListener("htmx:afterSwap", function (event) { showStored(event.target); });
})();
