/* Management operation form: the site is drawn for reference; the operation's outline is
   drawn as a polygon or a line (click to add a vertex: CPIEMap.drawOutline, static/js/map.js),
   kept as GeoJSON (WGS84) in the hidden "geometry" field. Empty = the whole site. */
(function () {
  "use strict";

  var element = document.getElementById("operation-map");
  var input = document.querySelector("input[name=geometry]");
  if (!element || !input || !window.CPIEMap) return;

  var STYLE = { color: "#b5452b", weight: 2, fillOpacity: 0.2 };
  var map = CPIEMap.create(element, { zoom: 14 });
  var siteNode = document.getElementById("site-geometry");
  if (siteNode) {
    try {
      var site = L.geoJSON(JSON.parse(siteNode.textContent), {
        style: { color: "#2b6cb0", weight: 2, fillOpacity: 0.05, dashArray: "4 4" },
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 6 }); },
      }).addTo(map);
      map.fitBounds(site.getBounds(), { maxZoom: 17, padding: [20, 20] });
    } catch (error) { /* no site outline */ }
  }
  CPIEMap.drawOutline(map, {
    input: input,
    state: document.getElementById("geometry-state"),
    undo: document.getElementById("geometry-undo"),
    clear: document.getElementById("geometry-clear"),
    allowLine: true,
    maxZoom: 17,
    style: STYLE,
    describe: function (count) {
      if (!count) return "Aucun tracé : l'opération porte sur tout le site.";
      return count + " sommet(s)" + (count === 2 ? " : une ligne" : "");
    },
  });
})();
