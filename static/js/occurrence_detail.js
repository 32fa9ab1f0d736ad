/* Detail page of an observation: its geometry (WGS84 GeoJSON in #occurrence-geometry) on a
   small map over the offline outline. */
(function () {
  "use strict";

  var container = document.getElementById("detail-map");
  var source = document.getElementById("occurrence-geometry");
  if (!container || !source || typeof L === "undefined" || !window.CPIEMap) return;
  var geometry = JSON.parse(source.textContent);
  var map = CPIEMap.create(container, { scrollWheelZoom: false });
  if (!geometry) return;
  var layer = L.geoJSON(geometry, {
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, {
        radius: 8,
        color: "#fff",
        weight: 2,
        fillColor: "#c0392b",
        fillOpacity: 1,
      });
    },
    style: { color: "#c0392b", weight: 3, fillOpacity: 0.25 },
  }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 12 });
})();
