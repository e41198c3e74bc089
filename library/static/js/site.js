// Progressive enhancement only: every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  const select = document.getElementById("language-select");
  const submit = document.getElementById("language-submit");
  if (select && submit) {
    submit.classList.add("visually-hidden");
    select.addEventListener("change", () => select.form.submit());
  }
});
