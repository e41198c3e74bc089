// Progressive enhancement for the catalogue pages; every page works without it.
document.addEventListener("DOMContentLoaded", () => {
  // Import job: poll the JSON status instead of the <noscript> meta refresh.
  const box = document.getElementById("import-progress");
  if (box && box.dataset.finished !== "1") {
    const url = box.dataset.statusUrl;
    const set = (id, value) => {
      const el = document.getElementById(id);
      if (el) el.textContent = value;
    };
    const poll = async () => {
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (response.ok) {
          const state = await response.json();
          const bar = document.getElementById("job-progress");
          if (bar) bar.value = state.percent;
          set("job-percent", state.percent);
          set("job-status", state.status_label);
          set("count-records_done", state.records_done);
          for (const [name, value] of Object.entries(state.counts)) set(`count-${name}`, value);
          if (state.finished) {
            window.location.reload();
            return;
          }
        }
      } catch (error) {
        // Network hiccup: try again on the next tick.
      }
      window.setTimeout(poll, 1500);
    };
    window.setTimeout(poll, 1000);
  }

  // Item list: a "select all on this page" box.
  const all = document.getElementById("pick-all");
  if (all) {
    all.hidden = false;
    all.addEventListener("change", () => {
      document.querySelectorAll("input.pick").forEach((box) => { box.checked = all.checked; });
    });
  }
});
