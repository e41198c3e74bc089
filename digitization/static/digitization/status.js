// Processing status: poll the JSON endpoint while the resource is being processed.
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box || box.dataset.finished === "1") return;
  var url = box.dataset.statusUrl;
  var label = box.querySelector("[data-status-label]");
  var step = box.querySelector("[data-status-step]");
  var count = box.querySelector("[data-status-count]");
  var bar = box.querySelector("[data-status-progress]");
  var error = box.querySelector("[data-status-error]");
  var warning = box.querySelector("[data-status-warning]");

  function show(el, text) {
    if (!el) return;
    el.textContent = text || "";
    el.hidden = !text;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        label.textContent = s.status_label;
        step.textContent = s.step || "";
        count.textContent = s.total ? s.done + "/" + s.total : "";
        bar.value = s.percent;
        bar.textContent = s.percent + "%";
        show(error, s.error);
        show(warning, s.warning);
        if (s.finished) { window.location.reload(); return; }
        setTimeout(poll, 1500);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
