/* Open Data Portal: small enhancements; every page works without this file. */
(function () {
  "use strict";

  // Table previews: sort and page in place (the links work without JavaScript too).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-preview-link]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    var box = link.closest("[data-preview]");
    if (!box || !window.fetch) return;
    event.preventDefault();
    var url = new URL(link.href, window.location.href);
    var partial = new URL(url.href);
    partial.hash = "";
    partial.searchParams.set("partial", "preview");
    box.setAttribute("aria-busy", "true");
    fetch(partial.href, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("[data-preview]");
        if (!fresh) throw new Error("no preview");
        box.replaceWith(fresh);
        window.history.replaceState(null, "", url.href);
        var region = fresh.querySelector("[role=region]");
        if (region) region.focus();
      })
      .catch(function () { window.location.href = url.href; });
  });

  // Forms that ask before doing something that cannot be undone (no inline handlers:
  // the Content-Security-Policy allows scripts from files only).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // Copy buttons of the API examples (hidden unless this script runs).
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) return;
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) return;
      navigator.clipboard.writeText(source.textContent).then(function () {
        button.textContent = button.getAttribute("data-copied") || label;
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });
})();
