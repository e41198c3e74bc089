// MARC editor: add a row in place instead of a round trip to the server.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("marc-editor");
  const button = document.getElementById("marc-add-rows");
  const body = document.getElementById("marc-rows");
  const counter = document.getElementById("marc-row-count");
  if (!form || !button || !body || !counter) return;
  button.addEventListener("click", (event) => {
    const template = body.querySelector("tr.marc-row:last-child");
    if (!template) return;
    event.preventDefault();
    const index = Number(counter.value);
    const row = template.cloneNode(true);
    row.classList.remove("has-error");
    row.querySelectorAll(".errorlist").forEach((el) => el.remove());
    row.querySelectorAll("input, textarea").forEach((input) => {
      input.name = input.name.replace(/^row-\d+-/, `row-${index}-`);
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      const label = input.getAttribute("aria-label");
      if (label) input.setAttribute("aria-label", label.replace(/\d+$/, String(index + 1)));
      if (input.type === "checkbox") input.checked = false; else input.value = "";
    });
    body.appendChild(row);
    counter.value = String(index + 1);
    row.querySelector("input.tag").focus();
  });
});
