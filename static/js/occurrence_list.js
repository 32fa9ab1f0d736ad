/*
 * Map of the observation list (templates/observations/occurrence_list.html): the filtered
 * set, read from the GeoJSON layer of the API (data-geojson-url) with the page's own filters
 * (data-query) and the map's bounding box (in_bbox, WGS84), reloaded after each pan or zoom.
 * Up to 5,000 observations come as points (coloured by validation status, with a popup);
 * beyond, the API sends grid cells with their count ("aggregated": true), shaded by count.
 * The first load frames what was found. The container's data-state says "loading",
 * "ready" (the layer matches the view) or "error".
 */
(function () {
  "use strict";

  var container = document.getElementById("occurrence-map");
  if (!container || typeof L === "undefined" || !window.CPIEMap) return;
  var status = document.getElementById("occurrence-map-status");
  var COLOURS = ["#e0a800", "#2e6b3f", "#7bbf6a", "#f08c2e", "#a4262c", "#8a948e", "#8a948e"];
  var STATUS_LABELS = [
    "En attente de validation",
    "Certain - très probable",
    "Probable",
    "Douteux",
    "Invalide",
    "Non réalisable",
    "Inconnu",
  ];
  var CELL_SHADES = ["#fde0c5", "#facba6", "#f8b58b", "#f59e72", "#f2855d", "#ef6a4c", "#d1443a"];
  var LABELLED_CELLS_MAX = 150;
  var LABEL_MIN_PX = 36;
  var DELAY_MS = 250;
  var PLACEHOLDER = "00000000-0000-0000-0000-000000000000";

  var map = CPIEMap.create(container);
  var layer = null;
  var controller = null;
  var timer = null;
  var framed = false;

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("map-status--error", Boolean(isError));
  }

  function detailUrl(uuid) {
    return container.dataset.detailUrl.replace(PLACEHOLDER, encodeURIComponent(uuid));
  }

  function formatDate(iso) {
    var parts = String(iso || "").split("-");
    return parts.length === 3 ? parts[2] + "/" + parts[1] + "/" + parts[0] : iso;
  }

  function number(value) {
    return Number(value).toLocaleString("fr-FR");
  }

  function bboxParam() {
    var b = map.getBounds();
    var west = Math.max(b.getWest(), -180);
    var east = Math.min(b.getEast(), 180);
    var south = Math.max(b.getSouth(), -90);
    var north = Math.min(b.getNorth(), 90);
    return [west, south, east, north].map(function (v) { return v.toFixed(5); }).join(",");
  }

  function popup(feature) {
    var p = feature.properties || {};
    var french = (p.vernacular_name || "").split(",")[0].trim();
    var html = CPIEMap.popupHtml(p.taxon_name + (french ? " — " + french : ""), [
      ["Date", formatDate(p.date_start)],
      ["Nombre", p.observation_status === "No" ? "absence" : p.count_max],
      ["Validation", STATUS_LABELS[p.validation_status]],
    ]);
    return html.replace(
      /<\/div>$/,
      '<br><a href="' + CPIEMap.escapeHtml(detailUrl(p.uuid)) + '">Voir la fiche</a></div>'
    );
  }

  function pointsLayer(data) {
    return L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        var colour = COLOURS[feature.properties.validation_status] || COLOURS[0];
        return L.circleMarker(latlng, {
          radius: 7,
          color: "#fff",
          weight: 1.5,
          fillColor: colour,
          fillOpacity: 0.9,
          className: "occurrence-marker",
        });
      },
      // L.geoJSON applies "style" to circle markers too: leave the points as drawn above.
      style: function (feature) {
        if (feature.geometry && feature.geometry.type === "Point") return {};
        var colour = COLOURS[feature.properties.validation_status] || COLOURS[0];
        return { color: colour, weight: 3, fillOpacity: 0.3, className: "occurrence-shape" };
      },
      onEachFeature: function (feature, item) {
        item.bindPopup(popup(feature));
      },
    });
  }

  function cellsLayer(data) {
    var counts = data.features.map(function (f) { return f.properties.count; });
    var max = Math.max.apply(null, counts.concat([1]));
    // Counts written on the cells only when the cells are wide enough on screen to hold
    // them; otherwise on hover or focus.
    var labelled = false;
    if (data.features.length && data.features.length <= LABELLED_CELLS_MAX) {
      var sample = L.geoJSON(data.features[0]).getBounds();
      var west = map.latLngToContainerPoint(sample.getSouthWest());
      var east = map.latLngToContainerPoint(sample.getNorthEast());
      labelled = Math.abs(east.x - west.x) >= LABEL_MIN_PX;
    }
    return L.geoJSON(data, {
      style: function (feature) {
        // Log scale: a few dense towns must not wash out the rest of the region.
        var share = Math.log(feature.properties.count + 1) / Math.log(max + 1);
        var shade = CELL_SHADES[Math.min(CELL_SHADES.length - 1, Math.floor(share * CELL_SHADES.length))];
        return {
          color: "#b5523b",
          weight: 0.5,
          fillColor: shade,
          fillOpacity: 0.75,
          className: "occurrence-cell",
        };
      },
      onEachFeature: function (feature, item) {
        var count = number(feature.properties.count);
        item.bindTooltip(count, {
          permanent: labelled,
          direction: "center",
          className: labelled ? "map-cell-label" : "",
        });
      },
    });
  }

  /* Leaflet listens for focus on a cell to open its tooltip, which makes each SVG cell a
     Tab stop without a role or a name: the cells leave the Tab order, and what they say
     is the table under the map (the same counts, as text). */
  function unfocusable(group) {
    group.eachLayer(function (item) {
      var element = item.getElement && item.getElement();
      if (element) {
        element.setAttribute("tabindex", "-1");
        element.setAttribute("aria-hidden", "true");
      }
    });
  }

  var cellsBox = document.getElementById("cells-table");

  function degrees(value, positive, negative) {
    return number(Math.abs(value).toFixed(2)) + " ° " + (value >= 0 ? positive : negative);
  }

  function cellsTable(data) {
    if (!cellsBox) return;
    var tbody = cellsBox.querySelector("tbody");
    tbody.textContent = "";
    cellsBox.hidden = !data || !data.features.length;
    if (cellsBox.hidden) return;
    var km = number((data.cell_size_m || 0) / 1000);
    cellsBox.querySelector("[data-cell-size]").textContent = km;
    data.features
      .map(function (feature) {
        return { centre: L.geoJSON(feature).getBounds().getCenter(), count: feature.properties.count };
      })
      .sort(function (a, b) { return b.count - a.count || b.centre.lat - a.centre.lat; })
      .forEach(function (cell) {
        var row = document.createElement("tr");
        var place = document.createElement("td");
        place.textContent = degrees(cell.centre.lat, "N", "S") + ", " + degrees(cell.centre.lng, "E", "O");
        var count = document.createElement("td");
        count.className = "num";
        count.textContent = number(cell.count);
        row.appendChild(place);
        row.appendChild(count);
        tbody.appendChild(row);
      });
  }

  function load() {
    if (controller) controller.abort();
    controller = new AbortController();
    var query = container.dataset.query;
    var url = container.dataset.geojsonUrl + "?" + (query ? query + "&" : "") + "in_bbox=" + bboxParam();
    say("Chargement de la carte…");
    fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json, application/json" },
      signal: controller.signal,
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (layer) map.removeLayer(layer);
        var features = data.features || [];
        if (data.aggregated) {
          layer = cellsLayer(data).addTo(map);
          unfocusable(layer);
          cellsTable(data);
          var total = features.reduce(function (sum, f) { return sum + f.properties.count; }, 0);
          var km = (data.cell_size_m || 0) / 1000;
          say(
            number(total) + " observations dans la vue, regroupées en " + features.length +
              " mailles de " + number(km) + " km. Zoomez pour voir les points."
          );
        } else {
          layer = pointsLayer(data).addTo(map);
          cellsTable(null);
          say(
            features.length
              ? number(features.length) + (features.length > 1 ? " observations" : " observation") + " dans la vue."
              : "Aucune observation dans cette vue."
          );
        }
        if (!framed) {
          framed = true;
          if (!data.aggregated && features.length) {
            // Frame what was found; the move reloads the layer for the new view.
            map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 13 });
            return;
          }
        }
        container.dataset.state = "ready";
      })
      .catch(function (error) {
        if (error.name === "AbortError") return;
        container.dataset.state = "error";
        say("La carte n'a pas pu être chargée. Réessayez plus tard.", true);
      });
  }

  map.on("moveend", function () {
    container.dataset.state = "loading";
    clearTimeout(timer);
    timer = setTimeout(load, DELAY_MS);
  });

  map.outlineReady.then(function (outline) {
    if (outline) {
      map.fitBounds(outline.getBounds(), { animate: false }); // fires moveend → load
    } else {
      load();
    }
  });
})();
