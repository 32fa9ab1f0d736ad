/*
 * A terril's sheet: its outline on the map (#terril-geom, GeoJSON in WGS84) and the chart
 * of its score over the campaigns (#terril-history-data: [{label, total, state_zero}]),
 * drawn with the vendored Chart.js.
 */
(function () {
  "use strict";

  var container = document.getElementById("terril-map");
  var geomSource = document.getElementById("terril-geom");
  if (container && geomSource && typeof L !== "undefined" && window.CPIEMap) {
    var map = CPIEMap.create(container);
    var layer = L.geoJSON(JSON.parse(geomSource.textContent), {
      style: { color: "#5b4636", weight: 3, fillOpacity: 0.4 },
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 15 });
  }

  var source = document.getElementById("terril-history-data");
  var canvas = document.getElementById("terril-history-chart");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  var history = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: history.map(function (point) { return point.label; }),
      datasets: [
        {
          label: "Note du terril",
          data: history.map(function (point) { return point.total; }),
          borderColor: "#2e6b3f",
          backgroundColor: "#a8c3a0",
          pointBackgroundColor: history.map(function (point) {
            return point.state_zero ? "#c0571f" : "#2e6b3f";
          }),
          pointRadius: 5,
          tension: 0,
        },
      ],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { beginAtZero: true, title: { display: true, text: "Note" } } },
      plugins: { legend: { display: false } },
    },
  });
})();
