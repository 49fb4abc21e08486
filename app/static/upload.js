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

  /* Resources still being checked: show the step and rows done, reload when done. */
  var pending = document.querySelectorAll("[data-status-url]");
  var lang = document.documentElement.lang || "vi";
  var showProgress = function (element, progress) {
    var line = element.querySelector(".job-progress");
    if (!line || !progress) { return; }
    var stage = element.dataset["stage" + progress.stage.charAt(0).toUpperCase() + progress.stage.slice(1)];
    line.querySelector(".job-stage").textContent = stage || progress.stage;
    var bar = line.querySelector("progress");
    var rows = line.querySelector(".job-rows");
    if (progress.percent !== null && progress.rows_total) {
      bar.hidden = false;
      bar.value = progress.percent;
      rows.textContent = element.dataset.rows
        .replace("{done}", progress.rows_done.toLocaleString(lang))
        .replace("{total}", progress.rows_total.toLocaleString(lang));
    } else {
      bar.hidden = true;
      rows.textContent = "";
    }
    line.hidden = false;
  };
  if (pending.length) {
    var poll = function () {
      var checks = Array.prototype.map.call(pending, function (element) {
        return fetch(element.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" })
          .then(function (response) { return response.json(); })
          .then(function (data) {
            showProgress(element, data.progress);
            return data.status !== "processing";
          })
          .catch(function () { return false; });
      });
      Promise.all(checks).then(function (done) {
        if (done.some(Boolean)) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      });
    };
    window.setTimeout(poll, 500);
  }
})();
