/*
 * Action page (/sensibilisation/actions/<id>/): the site or commune of the action, from
 * the GeoJSON feature of #action-place (WGS84), on the offline map.
 */
(function () {
  "use strict";

  var container = document.getElementById("action-map");
  var source = document.getElementById("action-place");
  if (!container || !source || typeof L === "undefined" || !window.CPIEMap) {
    return;
  }
  var feature = JSON.parse(source.textContent);
  var map = CPIEMap.create(container);
  var layer = L.geoJSON(feature, {
    style: { color: "#2f6b3a", weight: 2, fillOpacity: 0.3 },
    pointToLayer: function (point, latlng) {
      return L.circleMarker(latlng, { radius: 8, color: "#2f6b3a", fillOpacity: 0.6 });
    },
  }).addTo(map);
  layer.bindPopup(CPIEMap.popupHtml(feature.properties.name, []));
  map.fitBounds(layer.getBounds(), { maxZoom: 14 });
})();
