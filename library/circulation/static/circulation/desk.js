// Desk shortcuts: F2 goes to check-out (or the card field), F4 to check-in. Barcode scanners
// type the code and press Enter, which submits the focused form.
(function () {
  function focus(id) {
    var el = document.getElementById(id);
    if (el) { el.focus(); el.select && el.select(); return true; }
    return false;
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "F2") {
      event.preventDefault();
      focus("id_checkout_barcode") || focus("id_card");
    } else if (event.key === "F4") {
      event.preventDefault();
      focus("id_checkin_barcode");
    }
  });
})();
