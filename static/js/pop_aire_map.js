/*
 * POP aire page (templates/zones_humides/aire_detail.html): the aire's outline and its
 * ponds on a map, each labelled with its code (a permanent tooltip) and a popup linking to
 * its passages below. The data (#aire-ponds, WGS84) are the ponds the page lists, read
 * through zones_humides.selectors.pop; the table under the map gives the same ponds.
 */
(function () {
  "use strict";

  var container = document.getElementById("aire-map");
  var data = document.getElementById("aire-ponds");
  if (!container || !data || typeof L === "undefined" || !window.CPIEMap) return;
  var ponds = JSON.parse(data.textContent);

  var map = CPIEMap.create(container, { maxZoom: 19 });
  var aire = L.geoJSON(ponds.aire, {
    style: { color: "#1f5fa8", weight: 2, fillColor: "#1f5fa8", fillOpacity: 0.08 },
    interactive: false,
  }).addTo(map);
  var points = L.geoJSON(ponds.ponds, {
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, {
        radius: 7,
        color: "#fff",
        weight: 2,
        fillColor: "#0b6e4f",
        fillOpacity: 1,
        className: "pop-map__pond",
      });
    },
    onEachFeature: function (feature, layer) {
      var p = feature.properties;
      layer.bindTooltip(CPIEMap.escapeHtml(p.code), {
        permanent: true,
        direction: "right",
        offset: [8, 0],
        className: "pop-map__code",
      });
      layer.bindPopup(
        CPIEMap.popupHtml(p.code + " · " + p.name, [
          ["Milieu", p.habitat],
          ["Passages de la saison", String(p.passages)],
        ]) +
          '<p><a href="#' + CPIEMap.escapeHtml(p.anchor) + '">Voir ses passages</a></p>'
      );
    },
  }).addTo(map);

  var bounds = aire.getBounds();
  if (points.getLayers().length) bounds.extend(points.getBounds());
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
})();
