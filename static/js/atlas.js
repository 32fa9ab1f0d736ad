/*
 * Atlas contributions page: bar chart of the records per atlas group, the chosen year
 * beside the year before. Reads the JSON of #atlas-chart-data
 * ({labels: [...], datasets: [{label, data}, {label, data}]}) and draws it with the
 * vendored Chart.js (static/vendor/chartjs/, loaded before this file).
 */
(function () {
  "use strict";

  var source = document.getElementById("atlas-chart-data");
  var canvas = document.getElementById("atlas-chart");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  var chart = JSON.parse(source.textContent);
  var colours = ["#2e6b3f", "#a8c3a0"];
  var numbers = new Intl.NumberFormat("fr-FR");

  new Chart(canvas, {
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
      indexAxis: "y",
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: {
          beginAtZero: true,
          title: { display: true, text: "Données de présence" },
          ticks: { callback: function (value) { return numbers.format(value); } },
        },
        y: { ticks: { autoSkip: false } },
      },
      plugins: {
        legend: { position: "top" },
        tooltip: {
          callbacks: {
            label: function (context) {
              return context.dataset.label + " : " + numbers.format(context.parsed.x) + " données";
            },
          },
        },
      },
    },
  });
})();
