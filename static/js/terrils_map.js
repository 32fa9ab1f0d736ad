/*
 * Terril maps (/terrils/ and /terrils/classement/): the terrils of data-terrils-url
 * (GeoJSON in WGS84 from /api/v1/terrils/), coloured by score class when the URL asks
 * for a year (properties.score_class; classes from #score-classes, best first), with a
 * popup linking to each terril's sheet.
 */
(function () {
  "use strict";

  var container = document.getElementById("terril-map");
  if (!container || typeof L === "undefined" || !window.CPIEMap) {
    return;
  }
  var PALETTE = ["#7a0177", "#c51b8a", "#f768a1", "#fbb4b9", "#feebe2"];
  var classesSource = document.getElementById("score-classes");
  var classes = classesSource ? JSON.parse(classesSource.textContent) : [];
  var colours = {};
  classes.forEach(function (row, index) {
    colours[row[1]] = PALETTE[Math.min(index, PALETTE.length - 1)];
  });

  function colour(feature) {
    var p = feature.properties || {};
    if (p.score_class && colours[p.score_class]) return colours[p.score_class];
    return p.score === null || p.score === undefined ? "#5b4636" : "#999999";
  }

  var map = CPIEMap.create(container);
  CPIEMap.loadGeoJSON(map, container.dataset.terrilsUrl, {
    style: function (feature) {
      var fill = colour(feature);
      return { color: fill, weight: 3, fillColor: fill, fillOpacity: 0.6 };
    },
    onEachFeature: function (feature, layer) {
      var p = feature.properties || {};
      layer.bindPopup(
        CPIEMap.popupHtml("Terril n° " + p.number + " – " + p.name, [
          ["Note", p.score],
          ["Classe", p.score_class],
        ]) + '<br><a href="' + CPIEMap.escapeHtml(p.url) + '">Fiche du terril</a>'
      );
    },
  }).then(function (layer) {
    if (layer && layer.getLayers().length) {
      map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 13 });
    }
  });

  if (classes.length) {
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "map-legend");
      div.innerHTML = classes
        .map(function (row) {
          return '<span style="display:inline-block;width:12px;height:12px;background:' +
            colours[row[1]] + '"></span> ' + CPIEMap.escapeHtml(row[1]) + " (≥ " + row[0] + ")";
        })
        .join("<br>");
      return div;
    };
    legend.addTo(map);
  }
})();
