/*
 * The text alternative of every Chart.js chart (WCAG 1.1.1): a Chart.js plugin that puts,
 * right after the chart, a "details" element holding its data as a table — read from the
 * chart's own data (labels × datasets), rebuilt whenever the chart is updated, so that
 * the table always says what the chart shows. Loaded after chart.umd.min.js by each page
 * with a chart; a chart opts out with options.plugins.dataTable = false.
 */
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  var count = 0;

  function text(value) {
    if (value === null || value === undefined || value === "") return "–";
    if (typeof value === "object") {
      if ("y" in value) return text(value.y);
      return String(value);
    }
    if (typeof value === "number") return value.toLocaleString("fr-FR", { maximumFractionDigits: 2 });
    return String(value);
  }

  function labelOf(value) {
    if (value === null || value === undefined) return "–";
    if (Array.isArray(value)) return value.join(" ");
    return String(value);
  }

  function rowsOf(chart) {
    var data = chart.data || {};
    var datasets = (data.datasets || []).filter(function (set) { return !set.hidden; });
    var labels = (data.labels || []).slice();
    if (!labels.length) {
      // Points given as {x, y}: one row per x met in any dataset, in order.
      datasets.forEach(function (set) {
        (set.data || []).forEach(function (point) {
          if (point && typeof point === "object" && labels.indexOf(point.x) < 0) labels.push(point.x);
        });
      });
      return {
        datasets: datasets,
        rows: labels.map(function (x) {
          return [labelOf(x)].concat(datasets.map(function (set) {
            var point = (set.data || []).filter(function (p) { return p && p.x === x; })[0];
            return text(point);
          }));
        }),
      };
    }
    return {
      datasets: datasets,
      rows: labels.map(function (label, index) {
        return [labelOf(label)].concat(datasets.map(function (set) { return text((set.data || [])[index]); }));
      }),
    };
  }

  function build(chart) {
    var canvas = chart.canvas;
    var holder = canvas.parentElement;
    var box = chart.$dataTable;
    if (!box) {
      count += 1;
      box = document.createElement("details");
      box.className = "chart-data";
      box.setAttribute("data-chart-table", "");
      var summary = document.createElement("summary");
      summary.textContent = "Les données du graphique en tableau";
      box.appendChild(summary);
      var region = document.createElement("div");
      region.className = "table-scroll";
      box.appendChild(region);
      holder.parentNode.insertBefore(box, holder.nextSibling);
      chart.$dataTable = box;
      box.id = "chart-data-" + count;
    }
    var region = box.querySelector(".table-scroll");
    var shape = rowsOf(chart);
    var table = document.createElement("table");
    var caption = document.createElement("caption");
    caption.textContent = canvas.getAttribute("aria-label") || "Données du graphique";
    table.appendChild(caption);
    var head = table.createTHead().insertRow();
    var corner = document.createElement("th");
    corner.scope = "col";
    var xTitle = chart.options && chart.options.scales && chart.options.scales.x && chart.options.scales.x.title;
    corner.textContent = (xTitle && xTitle.display && xTitle.text) || "";
    head.appendChild(corner);
    shape.datasets.forEach(function (set, index) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = set.label || "Série " + (index + 1);
      head.appendChild(th);
    });
    var body = table.createTBody();
    shape.rows.forEach(function (cells) {
      var row = body.insertRow();
      cells.forEach(function (value, index) {
        var cell = document.createElement(index ? "td" : "th");
        if (!index) cell.scope = "row";
        cell.textContent = value;
        row.appendChild(cell);
      });
    });
    region.textContent = "";
    region.appendChild(table);
    if (window.CPIETables) window.CPIETables.fit();
  }

  Chart.register({
    id: "dataTable",
    afterUpdate: function (chart, args, options) {
      if (options === false || (options && options.enabled === false)) return;
      build(chart);
    },
    afterDestroy: function (chart) {
      if (chart.$dataTable) chart.$dataTable.remove();
    },
  });
})();
