/* Open Data Portal: zoom and move the server-drawn maps (the maps work without this file).
   The zoom changes the map's viewBox; district names live in an unscaled overlay, so they
   keep their size and are shown only where their district is wide enough on screen. */
(function () {
  "use strict";
  var MAX_ZOOM = 8, STEP = 1.5, MOVE = 0.2;

  function setup(figure) {
    var frame = figure.querySelector(".map-frame");
    var base = frame && frame.querySelector("svg.map-base");
    var controls = figure.querySelector(".map-controls");
    if (!base || !controls) return;
    var texts = Array.prototype.slice.call(frame.querySelectorAll(".map-labels text"));
    var W = Number(frame.getAttribute("data-map-width"));
    var H = Number(frame.getAttribute("data-map-height"));
    var view = { x: 0, y: 0, w: W };
    var zoomIn = controls.querySelector("[data-map-zoom=in]");
    var zoomOut = controls.querySelector("[data-map-zoom=out]");

    function draw() {
      view.w = Math.min(W, Math.max(W / MAX_ZOOM, view.w));
      var h = view.w * H / W;
      view.x = Math.min(W - view.w, Math.max(0, view.x));
      view.y = Math.min(H - h, Math.max(0, view.y));
      base.setAttribute("viewBox", [view.x, view.y, view.w, h].map(function (n) {
        return n.toFixed(2);
      }).join(" "));
      var zoom = W / view.w;
      frame.setAttribute("data-zoom", zoom.toFixed(3));
      frame.classList.toggle("zoomed", zoom > 1.001);
      zoomIn.disabled = zoom >= MAX_ZOOM - 0.001;
      zoomOut.disabled = zoom <= 1.001;
      var box = base.getBoundingClientRect(), perUnit = box.width / view.w;  // px per map unit
      texts.forEach(function (t) {
        var x = Number(t.getAttribute("data-x")), y = Number(t.getAttribute("data-y"));
        t.setAttribute("x", ((x - view.x) * 100 / view.w).toFixed(2) + "%");
        t.setAttribute("y", ((y - view.y) * 100 / h).toFixed(2) + "%");
        // Shown when its district is wide enough on screen and the whole name is inside.
        var half = t.getComputedTextLength() / 2, sx = (x - view.x) * perUnit, sy = (y - view.y) * perUnit;
        var fits = Number(t.getAttribute("data-w")) * perUnit >= 2 * half + 8 &&
          Number(t.getAttribute("data-h")) * perUnit >= 18 &&
          sx - half >= 2 && sx + half <= box.width - 2 && sy >= 10 && sy <= box.height - 10;
        t.classList.toggle("fits", fits);
      });
    }

    // Zoom by a factor around a point given as fractions (0..1) of the visible map.
    function zoomAt(factor, fx, fy) {
      var h = view.w * H / W;
      var ux = view.x + fx * view.w, uy = view.y + fy * h;
      view.w = Math.min(W, Math.max(W / MAX_ZOOM, view.w / factor));
      view.x = ux - fx * view.w;
      view.y = uy - fy * view.w * H / W;
      draw();
    }

    function moveBy(dxPx, dyPx) {  // screen pixels
      var perUnit = base.getBoundingClientRect().width / view.w;
      view.x -= dxPx / perUnit;
      view.y -= dyPx / perUnit;
      draw();
    }

    function fraction(clientX, clientY) {
      var box = base.getBoundingClientRect();
      return [(clientX - box.left) / box.width, (clientY - box.top) / box.height];
    }

    controls.addEventListener("click", function (event) {
      var button = event.target.closest("[data-map-zoom]");
      if (!button) return;
      var what = button.getAttribute("data-map-zoom");
      if (what === "reset") { view = { x: 0, y: 0, w: W }; draw(); }
      else zoomAt(what === "in" ? STEP : 1 / STEP, 0.5, 0.5);
    });

    frame.addEventListener("keydown", function (event) {
      var box = base.getBoundingClientRect(), step = MOVE * box.width;
      var actions = {
        "+": function () { zoomAt(STEP, 0.5, 0.5); },
        "=": function () { zoomAt(STEP, 0.5, 0.5); },
        "-": function () { zoomAt(1 / STEP, 0.5, 0.5); },
        "0": function () { view = { x: 0, y: 0, w: W }; draw(); },
        "ArrowLeft": function () { moveBy(step, 0); },
        "ArrowRight": function () { moveBy(-step, 0); },
        "ArrowUp": function () { moveBy(0, step); },
        "ArrowDown": function () { moveBy(0, -step); }
      };
      if (event.ctrlKey || event.metaKey || event.altKey || !actions[event.key]) return;
      event.preventDefault();
      actions[event.key]();
    });

    // The wheel zooms with Ctrl (and a touchpad pinch), or once the map has the focus:
    // scrolling the page over the map still scrolls the page.
    frame.addEventListener("wheel", function (event) {
      if (!event.ctrlKey && document.activeElement !== frame) return;
      event.preventDefault();
      var at = fraction(event.clientX, event.clientY);
      zoomAt(event.deltaY < 0 ? 1.25 : 0.8, at[0], at[1]);
    }, { passive: false });

    // Mouse and pen: drag to move.
    var drag = null;
    frame.addEventListener("pointerdown", function (event) {
      if (event.pointerType === "touch" || event.button !== 0) return;
      drag = { x: event.clientX, y: event.clientY };
      frame.setPointerCapture(event.pointerId);
    });
    frame.addEventListener("pointermove", function (event) {
      if (!drag) return;
      moveBy(event.clientX - drag.x, event.clientY - drag.y);
      drag = { x: event.clientX, y: event.clientY };
    });
    frame.addEventListener("pointerup", function () { drag = null; });
    frame.addEventListener("pointercancel", function () { drag = null; });

    // Touch: two fingers pinch; one finger moves the map once it is zoomed in
    // (otherwise it scrolls the page as usual).
    var touch = null;
    function touchState(list) {
      var a = list[0], b = list[1] || list[0];
      return {
        x: (a.clientX + b.clientX) / 2, y: (a.clientY + b.clientY) / 2,
        d: Math.max(1, Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY)), n: list.length
      };
    }
    frame.addEventListener("touchstart", function (event) {
      touch = touchState(event.touches);
      if (event.touches.length > 1) event.preventDefault();
    }, { passive: false });
    frame.addEventListener("touchmove", function (event) {
      if (!touch) return;
      var now = touchState(event.touches);
      if (now.n !== touch.n) { touch = now; return; }
      if (now.n > 1) {
        event.preventDefault();
        var at = fraction(now.x, now.y);
        moveBy(now.x - touch.x, now.y - touch.y);
        zoomAt(now.d / touch.d, at[0], at[1]);
      } else if (W / view.w > 1.001) {
        event.preventDefault();
        moveBy(now.x - touch.x, now.y - touch.y);
      }
      touch = now;
    }, { passive: false });
    frame.addEventListener("touchend", function (event) {
      touch = event.touches.length ? touchState(event.touches) : null;
    });

    frame.tabIndex = 0;
    frame.setAttribute("role", "group");
    frame.setAttribute("aria-label", controls.getAttribute("data-map-label") || "");
    frame.setAttribute("aria-describedby", controls.querySelector(".map-hint").id);
    frame.classList.add("map-live");
    controls.hidden = false;
    draw();
    window.addEventListener("resize", draw);
  }

  Array.prototype.forEach.call(document.querySelectorAll("figure.map"), setup);
})();
