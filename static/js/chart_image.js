/*
 * "Télécharger l'image" for every Chart.js chart of the page (issue 22: a chart pasted into
 * a report or a slide): a Chart.js plugin that puts two buttons under the chart.
 *   - PNG: the chart drawn again at three times its pixel density, on a white background;
 *   - SVG: the chart's own data (labels × datasets, colours, orientation) drawn as vector
 *     bars with their axis, legend and title — text stays text, it scales for print.
 * Everything happens in the browser (no server round trip, no library beyond Chart.js).
 * Loaded after chart.umd.min.js; a chart opts out with options.plugins.imageDownload = false.
 * The file is named after the chart's caption (figcaption, else its aria-label).
 */
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  var numbers = new Intl.NumberFormat("fr-FR");
  var FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

  function titleOf(chart) {
    var canvas = chart.canvas;
    var figure = canvas.closest("figure");
    var caption = figure && figure.querySelector("figcaption");
    return ((caption && caption.textContent) || canvas.getAttribute("aria-label") || "Graphique").trim();
  }

  function fileName(title) {
    var slug = title.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    return slug || "graphique";
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  function png(chart, name) {
    var ratio = chart.options.devicePixelRatio;
    chart.options.devicePixelRatio = 3;
    chart.resize();
    var source = chart.canvas;
    var out = document.createElement("canvas");
    out.width = source.width;
    out.height = source.height;
    var context = out.getContext("2d");
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, out.width, out.height);
    context.drawImage(source, 0, 0);
    chart.options.devicePixelRatio = ratio;
    chart.resize();
    out.toBlob(function (blob) { save(blob, name + ".png"); }, "image/png");
  }

  function escapeXml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" }[c];
    });
  }

  function niceMax(value) {
    if (value <= 0) return 1;
    var power = Math.pow(10, Math.floor(Math.log10(value)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i += 1) {
      if (value <= steps[i] * power) return steps[i] * power;
    }
    return 10 * power;
  }

  function colourOf(dataset, index) {
    var colour = dataset.backgroundColor;
    if (Array.isArray(colour)) colour = colour[0];
    return typeof colour === "string" ? colour : ["#2e6b3f", "#a8c3a0"][index % 2];
  }

  function valueOf(point) {
    if (point && typeof point === "object") return Number(point.y) || 0;
    return Number(point) || 0;
  }

  /* The chart as an SVG document: a bar chart, vertical or horizontal (indexAxis "y"). */
  function svgOf(chart, title) {
    var labels = (chart.data.labels || []).map(function (l) { return Array.isArray(l) ? l.join(" ") : String(l); });
    var datasets = (chart.data.datasets || []).filter(function (set) { return !set.hidden; });
    var horizontal = chart.options.indexAxis === "y";
    var max = niceMax(Math.max.apply(null, [0].concat(datasets.map(function (set) {
      return Math.max.apply(null, [0].concat((set.data || []).map(valueOf)));
    }))));
    var width = 800;
    var band = horizontal ? 26 : Math.max(30, 640 / Math.max(labels.length, 1));
    var top = 70;
    var left = horizontal ? 150 : 70;
    var plotWidth = horizontal ? width - left - 30 : band * labels.length;
    var plotHeight = horizontal ? band * labels.length : 320;
    var height = top + plotHeight + (horizontal ? 40 : 70);
    width = horizontal ? width : left + plotWidth + 30;
    var parts = [];
    parts.push('<rect width="100%" height="100%" fill="#ffffff"/>');
    parts.push('<text x="' + left + '" y="24" font-size="16" font-weight="bold">' + escapeXml(title) + "</text>");
    datasets.forEach(function (set, index) {
      var x = left + index * 110;
      parts.push('<rect x="' + x + '" y="38" width="14" height="14" fill="' + colourOf(set, index) + '"/>');
      parts.push('<text x="' + (x + 20) + '" y="50" font-size="13">' + escapeXml(set.label || "Série " + (index + 1)) + "</text>");
    });
    var ticks = 5;
    for (var t = 0; t <= ticks; t += 1) {
      var value = (max * t) / ticks;
      if (horizontal) {
        var gx = left + (plotWidth * t) / ticks;
        parts.push('<line x1="' + gx + '" y1="' + top + '" x2="' + gx + '" y2="' + (top + plotHeight) + '" stroke="#dddddd"/>');
        parts.push('<text x="' + gx + '" y="' + (top + plotHeight + 18) + '" font-size="12" text-anchor="middle">' + numbers.format(value) + "</text>");
      } else {
        var gy = top + plotHeight - (plotHeight * t) / ticks;
        parts.push('<line x1="' + left + '" y1="' + gy + '" x2="' + (left + plotWidth) + '" y2="' + gy + '" stroke="#dddddd"/>');
        parts.push('<text x="' + (left - 8) + '" y="' + (gy + 4) + '" font-size="12" text-anchor="end">' + numbers.format(value) + "</text>");
      }
    }
    var inner = band * 0.8;
    var bar = inner / Math.max(datasets.length, 1);
    labels.forEach(function (label, i) {
      var start = (horizontal ? top : left) + i * band + (band - inner) / 2;
      datasets.forEach(function (set, d) {
        var v = valueOf((set.data || [])[i]);
        var length = (v / max) * (horizontal ? plotWidth : plotHeight);
        var tip = escapeXml(label + " – " + (set.label || "") + " : " + numbers.format(v));
        if (horizontal) {
          parts.push('<rect x="' + left + '" y="' + (start + d * bar).toFixed(1) + '" width="' + length.toFixed(1) + '" height="' + bar.toFixed(1) + '" fill="' + colourOf(set, d) + '"><title>' + tip + "</title></rect>");
        } else {
          parts.push('<rect x="' + (start + d * bar).toFixed(1) + '" y="' + (top + plotHeight - length).toFixed(1) + '" width="' + bar.toFixed(1) + '" height="' + length.toFixed(1) + '" fill="' + colourOf(set, d) + '"><title>' + tip + "</title></rect>");
        }
      });
      var middle = start + inner / 2;
      if (horizontal) {
        parts.push('<text x="' + (left - 8) + '" y="' + (middle + 4).toFixed(1) + '" font-size="12" text-anchor="end">' + escapeXml(label) + "</text>");
      } else {
        var ly = top + plotHeight + 14;
        parts.push('<text x="' + middle.toFixed(1) + '" y="' + ly + '" font-size="12" text-anchor="end" transform="rotate(-40 ' + middle.toFixed(1) + " " + ly + ')">' + escapeXml(label) + "</text>");
      }
    });
    parts.push('<line x1="' + left + '" y1="' + top + '" x2="' + left + '" y2="' + (top + plotHeight) + '" stroke="#555555"/>');
    parts.push('<line x1="' + left + '" y1="' + (top + plotHeight) + '" x2="' + (horizontal ? left + plotWidth : left + plotWidth) + '" y2="' + (top + plotHeight) + '" stroke="#555555"/>');
    return '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<svg xmlns="http://www.w3.org/2000/svg" width="' + width + '" height="' + height + '" viewBox="0 0 ' + width + " " + height +
      '" font-family="' + FONT + '" fill="#222222" role="img" aria-label="' + escapeXml(title) + '">' +
      "<title>" + escapeXml(title) + "</title>" + parts.join("") + "</svg>\n";
  }

  function button(text, label, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "button button--small";
    element.textContent = text;
    element.setAttribute("aria-label", label);
    element.addEventListener("click", onClick);
    return element;
  }

  function attach(chart) {
    if (chart.$imageDownload) return;
    var holder = chart.canvas.parentElement;
    var title = titleOf(chart);
    var name = fileName(title);
    var box = document.createElement("div");
    box.className = "chart-image";
    box.setAttribute("data-chart-image", "");
    box.appendChild(button("Télécharger l'image (PNG)", "Télécharger l'image (PNG) : " + title, function () {
      png(chart, name);
    }));
    box.appendChild(button("Télécharger l'image (SVG)", "Télécharger l'image (SVG) : " + title, function () {
      save(new Blob([svgOf(chart, title)], { type: "image/svg+xml" }), name + ".svg");
    }));
    holder.parentNode.insertBefore(box, holder.nextSibling);
    chart.$imageDownload = box;
  }

  Chart.register({
    id: "imageDownload",
    afterInit: function (chart, args, options) {
      if (options === false || (options && options.enabled === false)) return;
      attach(chart);
    },
    afterDestroy: function (chart) {
      if (chart.$imageDownload) chart.$imageDownload.remove();
    },
  });
  window.CPIEChartImage = { svgOf: svgOf, fileName: fileName };
})();
