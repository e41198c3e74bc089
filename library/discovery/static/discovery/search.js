// Autocomplete for the search box. Without JavaScript the form is a plain search.
(function () {
  "use strict";
  var input = document.getElementById("search-q");
  var list = document.getElementById("search-suggest");
  if (!input || !list || !window.fetch) return;
  var url = input.getAttribute("data-autocomplete");
  var timer = null, active = -1, items = [], lastQuery = "";

  function close() {
    list.hidden = true; list.innerHTML = ""; items = []; active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  function choose(i) {
    if (i < 0 || i >= items.length) return;
    var value = items[i].value;
    input.value = items[i].kind === "author" ? "tác giả:\"" + value + "\"" : value;
    close();
    input.form.submit();
  }
  function mark(i) {
    var nodes = list.querySelectorAll("li");
    for (var k = 0; k < nodes.length; k++) nodes[k].setAttribute("aria-selected", k === i ? "true" : "false");
    active = i;
    if (i >= 0) input.setAttribute("aria-activedescendant", nodes[i].id);
  }
  function render(data) {
    list.innerHTML = ""; items = data.results || []; active = -1;
    if (!items.length) { close(); return; }
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "search-suggest-" + i;
      li.setAttribute("role", "option");
      li.innerHTML = item.html;  // escaped on the server, <mark> only
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = item.kind === "author" ? "tác giả" : "nhan đề";
      li.appendChild(kind);
      li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }
  input.addEventListener("input", function () {
    var q = input.value.trim();
    clearTimeout(timer);
    if (q.length < 2) { close(); return; }
    timer = setTimeout(function () {
      lastQuery = q;
      fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (lastQuery === input.value.trim()) render(data); })
        .catch(close);
    }, 150);
  });
  input.addEventListener("keydown", function (e) {
    if (list.hidden) return;
    if (e.key === "ArrowDown") { e.preventDefault(); mark(Math.min(items.length - 1, active + 1)); }
    else if (e.key === "ArrowUp") { e.preventDefault(); mark(Math.max(-1, active - 1)); }
    else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(active); }
    else if (e.key === "Escape") { close(); }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
  var sort = document.getElementById("search-sort");
  if (sort) sort.addEventListener("change", function () { sort.form.submit(); });
})();
