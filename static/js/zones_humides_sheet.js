/* Site sheet: the site drawn on the offline map (its print button: static/js/app.js). */
(function () {
  "use strict";
  var container = document.getElementById("site-sheet-map");
  if (!container || typeof L === "undefined" || !window.CPIEMap) return;
  var geometry = JSON.parse(document.getElementById("site-geometry").textContent);
  var map = CPIEMap.create(container, { zoomControl: false });
  var layer = L.geoJSON(geometry, {
    style: { color: "#1f6fb2", weight: 2, fillOpacity: 0.3 },
    pointToLayer: function (feature, latlng) { return L.circleMarker(latlng, { radius: 7, color: "#1f6fb2" }); },
  }).addTo(map);
  map.fitBounds(layer.getBounds(), { maxZoom: 16, padding: [20, 20] });
})();
