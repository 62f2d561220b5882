// A "Print" button: the page allows no inline script, so the button is bound here.
document.querySelectorAll("button[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
