/* Extract page: the territory drawn as a polygon (click to add a vertex), kept as GeoJSON
   (WGS84) in the hidden "area" field; "Retirer le dernier sommet" and "Effacer". */
(function () {
  "use strict";

  var element = document.getElementById("extract-map");
  var input = document.querySelector("input[name=area]");
  if (!element || !input || !window.CPIEMap) return;

  CPIEMap.drawOutline(CPIEMap.create(element, { zoom: 8 }), {
    input: input,
    state: document.getElementById("area-state"),
    undo: document.getElementById("area-undo"),
    clear: document.getElementById("area-clear"),
    describe: function (count) {
      if (!count) return "Aucun territoire dessiné.";
      return count + " sommet(s)" + (count < 3 ? " : encore " + (3 - count) + " au moins" : "");
    },
  });
})();
