/*
 * Annual indicators dashboard (/indicateurs/<year>/): two bar charts (records per month and
 * per atlas group, the year beside the year before) drawn with the vendored Chart.js, and a
 * map of the year's records per 10 km cell (Lambert-93 grid, INPN "10kmL93").
 *
 * Reads the JSON of #indicateurs-charts:
 *   {months: {labels, datasets: [{label, data}, ...]}, groups: {...}, map: {url, year}}
 * The map layer comes from the occurrence GeoJSON API (map.url): above its point limit the
 * API already answers 10 km cells ({aggregated: true, features with properties.count});
 * below it, the points are binned here into the same cells (CPIELambert93).
 */
(function () {
  "use strict";

  var source = document.getElementById("indicateurs-charts");
  if (!source) {
    return;
  }
  var charts = JSON.parse(source.textContent);
  var colours = ["#2e6b3f", "#a8c3a0"];
  var numbers = new Intl.NumberFormat("fr-FR");
  var CELL = 10000;

  function bar(canvasId, chart, horizontal) {
    var canvas = document.getElementById(canvasId);
    if (!canvas || typeof Chart === "undefined") {
      return null;
    }
    var valueAxis = horizontal ? "x" : "y";
    var scales = {};
    scales[valueAxis] = {
      beginAtZero: true,
      ticks: { callback: function (value) { return numbers.format(value); } },
    };
    scales[horizontal ? "y" : "x"] = { ticks: { autoSkip: false } };
    var instance = new Chart(canvas, {
      type: "bar",
      data: {
        labels: chart.labels,
        datasets: chart.datasets.map(function (dataset, index) {
          return {
            label: dataset.label,
            data: dataset.data,
            backgroundColor: colours[index % colours.length],
            borderWidth: 0,
          };
        }),
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: {
          legend: { position: "top" },
          tooltip: {
            callbacks: {
              label: function (context) {
                var value = horizontal ? context.parsed.x : context.parsed.y;
                return context.dataset.label + " : " + numbers.format(value) + " données";
              },
            },
          },
        },
      },
    });
    canvas.setAttribute("data-drawn", "true");
    return instance;
  }

  bar("indicateurs-months", charts.months, false);
  bar("indicateurs-groups", charts.groups, true);

  // --- map of the year's records per 10 km cell ----------------------------------------
  var mapElement = document.getElementById("indicateurs-map");
  var status = document.getElementById("indicateurs-map-status");
  if (!mapElement || typeof CPIEMap === "undefined" || typeof L === "undefined") {
    return;
  }
  var map = CPIEMap.create(mapElement);

  function firstPosition(coordinates) {
    while (Array.isArray(coordinates[0])) {
      coordinates = coordinates[0];
    }
    return coordinates;
  }

  function cellPolygon(x, y) {
    var corners = [[x, y], [x + CELL, y], [x + CELL, y + CELL], [x, y + CELL], [x, y]];
    return [corners.map(function (corner) {
      return CPIELambert93.toWgs84(corner[0], corner[1]);
    })];
  }

  function binned(features) {
    var cells = {};
    features.forEach(function (feature) {
      if (!feature.geometry) {
        return;
      }
      var lonlat = firstPosition(feature.geometry.coordinates);
      var xy = CPIELambert93.fromWgs84(lonlat[0], lonlat[1]);
      var x = Math.floor(xy[0] / CELL) * CELL;
      var y = Math.floor(xy[1] / CELL) * CELL;
      var key = x + ":" + y;
      if (!cells[key]) {
        cells[key] = { x: x, y: y, count: 0 };
      }
      cells[key].count += 1;
    });
    return Object.keys(cells).map(function (key) {
      var cell = cells[key];
      return {
        type: "Feature",
        geometry: { type: "Polygon", coordinates: cellPolygon(cell.x, cell.y) },
        properties: {
          count: cell.count,
          grid_10km: "10kmL93E" + String(cell.x / CELL).padStart(3, "0") +
            "N" + String(cell.y / CELL).padStart(3, "0"),
        },
      };
    });
  }

  function colour(count, max) {
    var ratio = max > 1 ? Math.log(count) / Math.log(max) : 1;
    var shades = ["#e5f0df", "#b9d6ac", "#83b474", "#4f8f45", "#2e6b3f", "#174225"];
    return shades[Math.min(shades.length - 1, Math.floor(ratio * (shades.length - 1)))];
  }

  fetch(charts.map.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(response.status);
      }
      return response.json();
    })
    .then(function (data) {
      var features = data.aggregated ? data.features : binned(data.features || []);
      var max = features.reduce(function (m, f) { return Math.max(m, f.properties.count); }, 1);
      var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
        style: function (feature) {
          return {
            color: "#174225",
            weight: 0.5,
            fillColor: colour(feature.properties.count, max),
            fillOpacity: 0.75,
          };
        },
        onEachFeature: function (feature, cellLayer) {
          cellLayer.bindPopup(CPIEMap.popupHtml(feature.properties.grid_10km || "Maille", [
            ["Données", numbers.format(feature.properties.count)],
          ]));
        },
      }).addTo(map);
      if (features.length) {
        map.fitBounds(layer.getBounds(), { padding: [10, 10] });
      }
      mapElement.setAttribute("data-cells", String(features.length));
      if (status) {
        status.textContent = features.length + " maille" + (features.length > 1 ? "s" : "") +
          " de 10 km avec des données en " + charts.map.year + ".";
      }
    })
    .catch(function () {
      if (status) {
        status.textContent = "La carte n'a pas pu être chargée.";
      }
    });
})();

/* While the figures are recomputed after a change (data-fresh-url on the freshness line),
   ask every 5 s whether they are fresh again, then reload the page; give up after 5 min
   (the line keeps saying that data changed). */
(function () {
  "use strict";
  var line = document.querySelector("[data-fresh-url]");
  if (!line || !window.fetch) return;
  var url = line.getAttribute("data-fresh-url");
  var shown = line.getAttribute("data-computed-at");
  var tries = 60;
  function poll() {
    if (tries-- <= 0) return;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && !state.stale && state.computed_at && state.computed_at !== shown) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 5000);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 5000);
})();
