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
