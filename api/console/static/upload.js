/* Manifest upload, enhanced: drop a file on the zone, and send with a progress bar.
   Without JavaScript the form posts as a plain multipart form; with it the same form is
   sent by XMLHttpRequest (same fields, same CSRF token, same idempotency key) and the
   browser then goes where the server sent it (the receipt). */
(function () {
  "use strict";
  var form = document.getElementById("upload");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var input = document.getElementById("manifest");
  var zone = document.getElementById("drop-zone");
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  var button = document.getElementById("send-manifest");

  function say(template, name, value) { status.textContent = template.replace("{" + name + "}", value); }

  ["dragenter", "dragover"].forEach(function (kind) {
    zone.addEventListener(kind, function (event) {
      event.preventDefault();
      zone.classList.add("dragging");
    });
  });
  ["dragleave", "drop"].forEach(function (kind) {
    zone.addEventListener(kind, function () { zone.classList.remove("dragging"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      say(form.dataset.chosen, "name", input.files[0].name);
    }
  });
  input.addEventListener("change", function () {
    if (input.files.length) { say(form.dataset.chosen, "name", input.files[0].name); }
  });

  form.addEventListener("submit", function (event) {
    if (!input.files.length) { return; }  /* the browser's own "required" message */
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", function (progress) {
      if (!progress.lengthComputable) { return; }
      var percent = Math.floor(100 * progress.loaded / progress.total);
      bar.value = percent;
      say(form.dataset.sending, "percent", String(percent));
    });
    request.upload.addEventListener("load", function () { status.textContent = form.dataset.checking; });
    request.addEventListener("load", function () {
      if (request.status < 400 && request.responseURL) {
        window.location.assign(request.responseURL);
        return;
      }
      /* An error page: show its message here, keep the form. */
      var page = new DOMParser().parseFromString(request.responseText, "text/html");
      var found = page.querySelector("#upload-error, .alert, .error-detail");
      status.textContent = found ? found.textContent : form.dataset.failed;
      button.disabled = false;
    });
    request.addEventListener("error", function () {
      status.textContent = form.dataset.failed;
      button.disabled = false;
    });
    bar.hidden = false;
    bar.value = 0;
    button.disabled = true;
    request.send(new FormData(form));
  });
}());
