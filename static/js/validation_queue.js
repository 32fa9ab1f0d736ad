/* Validation queue: "Tout sélectionner" (the header checkbox) and the count of ticked rows. */
(function () {
  "use strict";

  var all = document.querySelector("[data-select-all]");
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[name=occurrences]"));
  var count = document.getElementById("selection-count");
  var row = document.querySelector("[data-select-all-row]");
  if (!all || !boxes.length) return;
  if (row) row.hidden = false;

  function update() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
    if (count) {
      count.textContent = ticked
        ? ticked + (ticked > 1 ? " observations sélectionnées" : " observation sélectionnée")
        : "Aucune observation sélectionnée";
    }
  }

  all.addEventListener("change", function () {
    boxes.forEach(function (box) {
      box.checked = all.checked;
    });
    update();
  });
  boxes.forEach(function (box) {
    box.addEventListener("change", update);
  });
  update();
})();

/* The bulk-action bar sticks to the bottom of wide screens: the page keeps its height as
   scroll padding, so that a row reached by Tab (or a link of the error summary) scrolls
   above it instead of under it (WCAG 2.4.11); a focus the browser left under it anyway
   is scrolled clear. */
(function () {
  "use strict";
  var bar = document.querySelector("[data-testid=bulk-bar]");
  if (!bar) return;
  var root = document.documentElement;

  function sticky() {
    return window.getComputedStyle(bar).position === "sticky";
  }

  function pad() {
    root.style.scrollPaddingBottom = sticky() ? bar.offsetHeight + 16 + "px" : "";
  }

  pad();
  window.addEventListener("resize", pad);
  if (window.ResizeObserver) new ResizeObserver(pad).observe(bar);

  document.addEventListener("focusin", function (event) {
    if (!sticky() || bar.contains(event.target)) return;
    var box = event.target.getBoundingClientRect();
    var top = bar.getBoundingClientRect().top;
    if (box.bottom > top - 8) window.scrollBy(0, box.bottom - top + 16);
  });
})();
