/*
 * Charts of the wetlands pages (Chart.js, vendored): reads the JSON scripts the page
 * holds and draws what it finds.
 *   #data-chronology + canvas#chart-chronology   animals per day and species (season)
 *   #data-arrivals   + canvas#chart-arrivals     first-arrival day of year per species
 *   #data-totals     + canvas#chart-totals       animals per year and species
 *   #water-levels    + canvas#water-level-chart  water level over time (site sheet)
 * Animations are off so that a printed page shows the charts.
 */
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  Chart.defaults.animation = false;
  var COLOURS = ["#1f6fb2", "#c0571f", "#2e8540", "#6b3fa0", "#a68a00", "#5b4636", "#d6336c", "#0b7285"];

  function data(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    return JSON.parse(node.textContent);
  }

  function datasets(series, type) {
    return series.map(function (s, i) {
      return {
        label: s.label,
        data: s.data,
        backgroundColor: COLOURS[i % COLOURS.length],
        borderColor: COLOURS[i % COLOURS.length],
        spanGaps: true,
        type: type,
      };
    });
  }

  function dayLabel(day) {
    var date = new Date(Date.UTC(2021, 0, 1));
    date.setUTCDate(day);
    return date.toLocaleDateString("fr-FR", { day: "numeric", month: "short", timeZone: "UTC" });
  }

  function draw(canvasId, config) {
    var canvas = document.getElementById(canvasId);
    if (!canvas) return;
    canvas.chart = new Chart(canvas, config);
    canvas.dataset.drawn = "true";
  }

  var chronology = data("data-chronology");
  if (chronology) {
    draw("chart-chronology", {
      type: "bar",
      data: { labels: chronology.labels.map(function (d) { return d.slice(8, 10) + "/" + d.slice(5, 7); }),
              datasets: datasets(chronology.series) },
      options: { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: "animaux" } } } },
    });
  }
  var arrivals = data("data-arrivals");
  if (arrivals) {
    draw("chart-arrivals", {
      type: "line",
      data: { labels: arrivals.labels, datasets: datasets(arrivals.series) },
      options: {
        scales: { y: { reverse: false, title: { display: true, text: "première arrivée" },
                       ticks: { callback: dayLabel } } },
        plugins: { tooltip: { callbacks: { label: function (ctx) {
          return ctx.dataset.label + " : " + dayLabel(ctx.parsed.y);
        } } } },
      },
    });
  }
  var totals = data("data-totals");
  if (totals) {
    draw("chart-totals", {
      type: "line",
      data: { labels: totals.labels, datasets: datasets(totals.series) },
      options: { scales: { y: { beginAtZero: true, title: { display: true, text: "animaux vivants" } } } },
    });
  }
  var levels = data("water-levels");
  if (levels && levels.labels.length) {
    draw("water-level-chart", {
      type: "line",
      data: {
        labels: levels.labels.map(function (d) { return d.slice(8, 10) + "/" + d.slice(5, 7) + "/" + d.slice(0, 4); }),
        datasets: [{ label: "Hauteur d'eau (cm)", data: levels.data, borderColor: COLOURS[0], backgroundColor: COLOURS[0] }],
      },
      options: { scales: { y: { title: { display: true, text: "cm" } } } },
    });
  }
})();
