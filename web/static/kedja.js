// kedja's only script: a print button where a page offers one. Pages work
// without it; the browser's own print does the same.
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.addEventListener("click", function () { window.print(); });
});
