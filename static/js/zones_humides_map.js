/* Wetlands landing page: the wetland sites on the offline map, a popup links each sheet. */
(function () {
  "use strict";
  var container = document.getElementById("wetland-map");
  if (!container || typeof L === "undefined" || !window.CPIEMap) return;
  var status = document.getElementById("wetland-map-status");
  var map = CPIEMap.create(container);
  CPIEMap.loadGeoJSON(map, container.dataset.sitesUrl, {
    style: { color: "#1f6fb2", weight: 2, fillOpacity: 0.3 },
    onEachFeature: function (feature, layer) {
      var p = feature.properties || {};
      layer.bindPopup(CPIEMap.popupHtml(p.name, [["Type", p.type]]) +
        '<br><a href="' + CPIEMap.escapeHtml(p.url) + '">Fiche du site</a>');
    },
  }).then(function (layer) {
    if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { maxZoom: 14 });
    if (status) status.textContent = layer.getLayers().length + " sites sur la carte.";
  }).catch(function () {
    if (status) status.textContent = "Les sites n'ont pas pu être chargés.";
  });
})();
