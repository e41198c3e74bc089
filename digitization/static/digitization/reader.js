// Reader: keyboard navigation (← →), zoom (+ −), first highlighted word brought into view.
(function () {
  "use strict";
  var reader = document.querySelector("[data-reader]");
  if (!reader) return;
  var view = reader.querySelector("[data-page-view]");
  var image = reader.querySelector("[data-page-image]");
  var output = reader.querySelector("[data-zoom-level]");
  var levels = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
  var key = "thuvienso-reader-zoom";
  var index = levels.indexOf(parseFloat(sessionStorage.getItem(key) || "1"));
  if (index < 0) index = 2;

  function applyZoom() {
    var zoom = levels[index];
    view.style.setProperty("--zoom", zoom);
    if (output) output.textContent = Math.round(zoom * 100) + "%";
    if (image && zoom > 1) {
      // A sharper image for zoomed-in reading; the server caches each width once.
      image.sizes = Math.round(900 * zoom) + "px";
    }
    sessionStorage.setItem(key, String(zoom));
  }

  function zoomBy(step) {
    index = Math.min(levels.length - 1, Math.max(0, index + step));
    applyZoom();
  }

  reader.querySelectorAll("[data-zoom]").forEach(function (button) {
    button.addEventListener("click", function () { zoomBy(parseInt(button.dataset.zoom, 10)); });
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var link = null;
    if (event.key === "ArrowLeft") link = reader.querySelector("[data-prev]");
    else if (event.key === "ArrowRight") link = reader.querySelector("[data-next]");
    else if (event.key === "+" || event.key === "=") { zoomBy(1); event.preventDefault(); return; }
    else if (event.key === "-" || event.key === "_") { zoomBy(-1); event.preventDefault(); return; }
    if (link) { event.preventDefault(); window.location.href = link.href; }
  });

  applyZoom();
  var mark = reader.querySelector("[data-page-text] mark");
  if (mark && mark.scrollIntoView) mark.scrollIntoView({ block: "center" });
})();
