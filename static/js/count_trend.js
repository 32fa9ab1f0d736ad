/*
 * Trend page of a counted species: the TRIM index per season with its 95 % confidence
 * band. Reads #trend-chart-data ({years, index, lower, upper}) and draws it with the
 * vendored Chart.js (static/vendor/chartjs/, loaded before this file).
 */
(function () {
  "use strict";

  var source = document.getElementById("trend-chart-data");
  var canvas = document.getElementById("trend-chart");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var numbers = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 2 });

  window.trendChart = new Chart(canvas, {
    type: "line",
    data: {
      labels: data.years,
      datasets: [
        {
          label: "IC 95 % (bas)",
          data: data.lower,
          borderWidth: 0,
          pointRadius: 0,
          fill: false,
        },
        {
          label: "Intervalle de confiance à 95 %",
          data: data.upper,
          borderWidth: 0,
          pointRadius: 0,
          backgroundColor: "rgba(46, 107, 63, 0.18)",
          fill: "-1",
        },
        {
          label: "Indice",
          data: data.index,
          borderColor: "#2e6b3f",
          backgroundColor: "#2e6b3f",
          borderWidth: 2,
          pointRadius: 3,
          fill: false,
        },
      ],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: {
        y: {
          beginAtZero: true,
          title: { display: true, text: "Indice (année de base = 1)" },
        },
        x: { title: { display: true, text: "Saison" } },
      },
      plugins: {
        legend: {
          labels: { filter: function (item) { return item.datasetIndex > 0; } },
        },
        tooltip: {
          callbacks: {
            label: function (context) {
              return context.dataset.label + " : " + numbers.format(context.parsed.y);
            },
          },
        },
      },
    },
  });
  canvas.dataset.drawn = "true";
})();
