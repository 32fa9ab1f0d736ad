/*
 * The dashboard's five-year series (templates/indicateurs/includes/series.html): a bar
 * chart of the figure chosen in #series-figure, redrawn on change; chart_table.js puts
 * its data table after it. Reads #indicateurs-series-data:
 *   {years: [...], sections: [{title, figures: [{key, label, values: [...]}]}]}
 */
(function () {
  "use strict";
  var source = document.getElementById("indicateurs-series-data");
  var canvas = document.getElementById("indicateurs-series");
  var select = document.getElementById("series-figure");
  if (!source || !canvas || !select || typeof Chart === "undefined") {
    return;
  }
  var series = JSON.parse(source.textContent);
  var figures = {};
  series.sections.forEach(function (section) {
    section.figures.forEach(function (figure) { figures[figure.key] = figure; });
  });
  var caption = document.getElementById("series-caption");
  var numbers = new Intl.NumberFormat("fr-FR");

  function dataset(figure) {
    return {
      label: figure.label,
      data: figure.values,
      backgroundColor: "#2e6b3f",
      borderWidth: 0,
    };
  }

  var first = figures[select.value];
  if (!first) {
    return;
  }
  var chart = new Chart(canvas, {
    type: "bar",
    data: { labels: series.years.map(String), datasets: [dataset(first)] },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: {
        y: { beginAtZero: true, ticks: { callback: function (v) { return numbers.format(v); } } },
      },
      plugins: { legend: { display: false } },
    },
  });
  canvas.setAttribute("data-drawn", "true");
  select.addEventListener("change", function () {
    var figure = figures[select.value];
    if (!figure) return;
    chart.data.datasets = [dataset(figure)];
    chart.update();
    if (caption) caption.textContent = figure.label;
  });
})();
