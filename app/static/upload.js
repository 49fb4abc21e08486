/* Upload forms: check the size before sending, then send with a progress bar.
   Without JavaScript the forms post normally; the server enforces the same limit (413). */
(function () {
  "use strict";

  function show(form, text, isError) {
    var status = form.querySelector(".upload-status");
    if (status) {
      status.textContent = text;
      status.className = "upload-status" + (isError ? " field-error" : "");
    }
  }

  function send(form, button) {
    var bar = form.querySelector("progress");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable && bar) {
        var percent = Math.round((event.loaded / event.total) * 100);
        bar.value = percent;
        show(form, percent + " %", false);
      }
    });
    xhr.addEventListener("load", function () {
      if (xhr.status >= 200 && xhr.status < 400) {
        window.location.assign(xhr.responseURL || window.location.href);
        return;
      }
      button.disabled = false;
      if (bar) { bar.hidden = true; }
      show(form, xhr.status === 413 ? form.dataset.tooLarge : form.dataset.failed, true);
    });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      show(form, form.dataset.failed, true);
    });
    if (bar) { bar.hidden = false; bar.value = 0; }
    button.disabled = true;
    xhr.send(new FormData(form));
  }

  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    var button = form.querySelector("button[type=submit]");
    var limit = parseInt(form.dataset.maxBytes, 10);
    if (input) {
      input.addEventListener("change", function () {
        var file = input.files && input.files[0];
        if (file && limit && file.size > limit) {
          show(form, form.dataset.tooLarge, true);
        } else {
          show(form, "", false);
        }
      });
    }
    form.addEventListener("submit", function (event) {
      var file = input && input.files && input.files[0];
      if (!file || !window.FormData || !window.XMLHttpRequest) { return; }
      event.preventDefault();
      if (limit && file.size > limit) {
        show(form, form.dataset.tooLarge, true);
        return;
      }
      send(form, button);
    });
  });

  /* Resources still being checked: ask for their status and reload when done. */
  var pending = document.querySelectorAll("[data-status-url]");
  if (pending.length) {
    var poll = function () {
      var checks = Array.prototype.map.call(pending, function (element) {
        return fetch(element.dataset.statusUrl, { credentials: "same-origin" })
          .then(function (response) { return response.json(); })
          .then(function (data) { return data.status !== "processing"; })
          .catch(function () { return false; });
      });
      Promise.all(checks).then(function (done) {
        if (done.some(Boolean)) { window.location.reload(); } else { window.setTimeout(poll, 2000); }
      });
    };
    window.setTimeout(poll, 1500);
  }
})();
