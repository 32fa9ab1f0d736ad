/*
 * Map of the observation list (templates/observations/occurrence_list.html): the filtered
 * set, drawn from the vector tiles of the API (data-tiles-url, /api/v1/occurrences/tiles/
 * {z}/{x}/{y}.mvt) with the page's own filters (data-query; the filter form reloads the
 * page, so new filters are new tile URLs), by Leaflet.VectorGrid (static/vendor/
 * leaflet.vectorgrid/, SVG renderer).
 *
 * A tile holds what its reader may see, as the API shows it (observations/selectors.py
 * occurrences_tile): from zoom 12, layer "occurrences", one point per record (for a record
 * its reader may not place, the point on surface of its blurred area, drawn as a dashed
 * ring: it marks the commune, 10 km cell or département, not a place), coloured by
 * validation status,
 * with a popup linking to the record; below zoom 12 or in a dense tile, layer "cells",
 * counts per Lambert-93 cell (with the cell's centre), shaded by count, the count written
 * on the cells when they are wide enough, and listed in the table under the map (the
 * screen-reader alternative). The first views frame what was found. The container's
 * data-state says "loading", "ready" (every tile of the view drawn) or "error"; its
 * cpieOccurrences property (for the page's tests) holds what the view shows.
 */
(function () {
  "use strict";

  var container = document.getElementById("occurrence-map");
  if (!container || typeof L === "undefined" || !window.CPIEMap || !L.VectorGrid) return;
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
  // What the ring of a blurred record stands for, by sensitivity level.
  var BLURRED_AREAS = {
    1: "floutée à la commune (le cercle marque la commune, pas le lieu)",
    2: "floutée à la maille de 10 km (le cercle marque la maille, pas le lieu)",
    3: "floutée au département (le cercle marque le département, pas le lieu)",
  };
  var CELL_SHADES = ["#fde0c5", "#facba6", "#f8b58b", "#f59e72", "#f2855d", "#ef6a4c", "#d1443a"];
  var LABELLED_CELLS_MAX = 150;
  var LABEL_MIN_PX = 36;
  var FRAMING_STEPS = 4;
  var PLACEHOLDER = "00000000-0000-0000-0000-000000000000";
  var POINT = 1;

  var map = CPIEMap.create(container);
  var tiles = {}; // tile key → {points: [...], cells: [...]} of the tiles drawn
  var failed = false;
  var framing = 0; // views left to frame what was found (0: the reader moves the map)
  var labels = L.layerGroup().addTo(map);
  var hoverTip = null;
  var maxCount = 1; // the largest count of the view's cells: the cells' shading scale

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

  function popup(p) {
    var french = (p.vernacular_name || "").split(",")[0].trim();
    var html = CPIEMap.popupHtml(p.taxon_name + (french ? " — " + french : ""), [
      ["Date", formatDate(p.date_start)],
      ["Nombre", p.observation_status === "No" ? "absence" : p.count_max],
      ["Validation", STATUS_LABELS[p.validation_status]],
      ["Localisation", p.blurred ? BLURRED_AREAS[p.sensitivity_level] || "floutée (zone de sensibilité)" : ""],
    ]);
    return html.replace(
      /<\/div>$/,
      '<br><a href="' + CPIEMap.escapeHtml(detailUrl(p.uuid)) + '">Voir la fiche</a></div>'
    );
  }

  function cellShade(count) {
    // Log scale: a few dense towns must not wash out the rest of the region.
    var share = Math.log(count + 1) / Math.log(maxCount + 1);
    return CELL_SHADES[Math.min(CELL_SHADES.length - 1, Math.floor(share * CELL_SHADES.length))];
  }

  var STYLES = {
    occurrences: function (p) {
      var colour = COLOURS[p.validation_status] || COLOURS[0];
      if (p.blurred) {
        return {
          radius: 11,
          color: colour,
          weight: 3,
          dashArray: "4 3",
          fill: true,
          fillColor: colour,
          fillOpacity: 0.25,
          className: "occurrence-marker occurrence-marker--blurred",
        };
      }
      return {
        radius: 7,
        color: "#fff",
        weight: 1.5,
        fill: true,
        fillColor: colour,
        fillOpacity: 0.9,
        className: "occurrence-marker",
      };
    },
    cells: function (p) {
      return {
        color: "#b5523b",
        weight: 0.5,
        fill: true,
        fillColor: cellShade(p.count),
        fillOpacity: 0.75,
        className: "occurrence-cell",
      };
    },
  };

  /* What a tile holds, in map coordinates: each record (uuid, properties, where it is drawn)
     and each cell (its centre names it: a cell cut by tile edges is one cell). */
  function read(vectorTile, coords) {
    var size = 256;
    var found = { z: coords.z, points: [], cells: [] };
    Object.keys(vectorTile.layers || {}).forEach(function (name) {
      var layer = vectorTile.layers[name];
      var scale = size / layer.extent;
      (layer.features || []).forEach(function (feature) {
        var latlngs = [];
        feature.geometry.forEach(function (ring) {
          ring.forEach(function (p) {
            latlngs.push(map.unproject(
              L.point(coords.x * size + p.x * scale, coords.y * size + p.y * scale), coords.z
            ));
          });
        });
        var item = {
          properties: feature.properties,
          bounds: L.latLngBounds(latlngs),
          point: feature.type === POINT,
        };
        if (name === "cells") {
          found.cells.push(item);
        } else {
          found.points.push(item);
        }
      });
    });
    return found;
  }

  var Layer = L.VectorGrid.Protobuf.extend({
    _getVectorTilePromise: function (coords) {
      var key = this._tileCoordsToKey(coords);
      return L.VectorGrid.Protobuf.prototype._getVectorTilePromise
        .call(this, coords)
        .then(function (vectorTile) {
          // VectorGrid answers an HTTP error with an empty array of layers.
          if (Array.isArray(vectorTile.layers)) throw new Error("tuile refusée");
          tiles[key] = read(vectorTile, coords);
          return vectorTile;
        })
        .catch(function () {
          failed = true;
          return { layers: {} };
        });
    },
    /* A point is a circle marker to Leaflet, whose clicks read its getLatLng(): VectorGrid
       leaves it without one (Leaflet 1.9 then throws), so it gets its place here. */
    _createLayer: function (feature, pxPerExtent) {
      var item = L.VectorGrid.Protobuf.prototype._createLayer.call(this, feature, pxPerExtent);
      if (feature.type === POINT) {
        var size = this.getTileSize();
        var render = item.render;
        item.render = function (renderer, style) {
          render.call(this, renderer, style);
          var c = renderer.getCoord();
          this._latlng = map.unproject(L.point(c.x * size.x, c.y * size.y).add(this._point), c.z);
        };
      }
      return item;
    },
  });

  var query = container.dataset.query;
  var layer = new Layer(container.dataset.tilesUrl + (query ? "?" + query : ""), {
    rendererFactory: L.svg.tile,
    // Over the outline (its pane, 250, is the background when there is no tile map).
    pane: "overlayPane",
    vectorTileLayerStyles: STYLES,
    interactive: true,
    maxNativeZoom: 22,
    fetchOptions: { credentials: "same-origin" },
    // Keeps each tile's drawn features (renderer._features), for shading the cells anew.
    getFeatureId: function (feature) {
      var p = feature.properties;
      return p.uuid !== undefined ? p.uuid : "maille " + p.lon + "," + p.lat;
    },
    attribution: "",
  });
  layer.on("tileunload", function (event) {
    delete tiles[layer._tileCoordsToKey(event.coords)];
  });
  layer.on("loading", function () {
    failed = false;
    container.dataset.state = "loading";
    say("Chargement de la carte…");
  });
  layer.on("load", settle);
  layer.on("click", function (event) {
    var p = event.layer && event.layer.properties;
    if (!p || p.uuid === undefined) return;
    // Clear of the zoom buttons (top left) and the background switch (top right): on a
    // phone the popup's close button would hide under them.
    // Its text narrow enough for the whole popup (44 px of margins) to fit beside that
    // padding on a 320 px phone (a 288 px map).
    var width = Math.max(150, Math.min(240, container.clientWidth - 110));
    L.popup({ autoPanPaddingTopLeft: L.point(50, 64), maxWidth: width })
      .setLatLng(event.latlng)
      .setContent(popup(p))
      .openOn(map);
  });
  layer.on("mouseover", function (event) {
    var p = event.layer && event.layer.properties;
    if (!p || p.count === undefined || map.hasLayer(labels) && labels.getLayers().length) return;
    hoverTip = L.tooltip({ direction: "center" })
      .setLatLng([p.lat, p.lon])
      .setContent(number(p.count))
      .addTo(map);
  });
  layer.on("mouseout", function () {
    if (hoverTip) map.removeLayer(hoverTip);
    hoverTip = null;
  });

  /* What the view shows, from the tiles drawn at the view's zoom (those of the zoom before
     stay a moment, for the animation): each record once (a record near a tile's edge is in
     its neighbour's buffer too), each cell once. */
  function inView() {
    var view = map.getBounds();
    var records = {};
    var cells = {};
    Object.keys(tiles).forEach(function (key) {
      if (tiles[key].z !== layer._tileZoom) return;
      tiles[key].points.forEach(function (item) {
        var seen = item.point ? view.contains(item.bounds.getCenter()) : view.intersects(item.bounds);
        if (!seen) return;
        var record = records[item.properties.uuid];
        if (record) {
          record.bounds.extend(item.bounds); // a blurred area cut by tile edges
        } else {
          records[item.properties.uuid] = {
            properties: item.properties,
            point: item.point,
            bounds: L.latLngBounds(item.bounds.getSouthWest(), item.bounds.getNorthEast()),
          };
        }
      });
      tiles[key].cells.forEach(function (item) {
        if (!view.intersects(item.bounds)) return;
        var id = item.properties.lon + "," + item.properties.lat;
        var cell = cells[id];
        if (cell) {
          cell.bounds.extend(item.bounds);
        } else {
          cells[id] = { properties: item.properties, bounds: L.latLngBounds(item.bounds.getSouthWest(), item.bounds.getNorthEast()) };
        }
      });
    });
    return {
      records: Object.keys(records).map(function (id) { return records[id]; }),
      cells: Object.keys(cells).map(function (id) { return cells[id]; }),
    };
  }

  var cellsBox = document.getElementById("cells-table");

  function degrees(value, positive, negative) {
    return number(Math.abs(value).toFixed(2)) + " ° " + (value >= 0 ? positive : negative);
  }

  function cellsTable(cells) {
    if (!cellsBox) return;
    var tbody = cellsBox.querySelector("tbody");
    tbody.textContent = "";
    cellsBox.hidden = !cells.length;
    if (cellsBox.hidden) return;
    cellsBox.querySelector("[data-cell-size]").textContent = number(cells[0].properties.cell_size_m / 1000);
    cells
      .map(function (cell) { return cell.properties; })
      .sort(function (a, b) { return b.count - a.count || b.lat - a.lat; })
      .forEach(function (cell) {
        var row = document.createElement("tr");
        var place = document.createElement("td");
        place.textContent = degrees(cell.lat, "N", "S") + ", " + degrees(cell.lon, "E", "O");
        var count = document.createElement("td");
        count.className = "num";
        count.textContent = number(cell.count);
        row.appendChild(place);
        row.appendChild(count);
        tbody.appendChild(row);
      });
  }

  /* Counts written on the cells only when the cells are wide enough on screen to hold
     them; otherwise on hover. Labels are not interactive: the table says the same. */
  function labelCells(cells) {
    labels.clearLayers();
    if (!cells.length || cells.length > LABELLED_CELLS_MAX) return;
    var p = cells[0].properties;
    if (p.cell_size_m / CPIEMap.metresPerPixel(map, p.lat) < LABEL_MIN_PX) return;
    cells.forEach(function (cell) {
      labels.addLayer(
        L.tooltip({ permanent: true, direction: "center", className: "map-cell-label", interactive: false })
          .setLatLng([cell.properties.lat, cell.properties.lon])
          .setContent(number(cell.properties.count))
      );
    });
  }

  /* The cells' shades follow the view's largest count, as the GeoJSON layer's did: tiles
     are drawn as they come, then every cell drawn is shaded on the view's scale. */
  function shadeCells(cells) {
    maxCount = cells.reduce(function (max, cell) { return Math.max(max, cell.properties.count); }, 1);
    Object.keys(layer._vectorTiles || {}).forEach(function (key) {
      var drawn = layer._vectorTiles[key]._features || {};
      Object.keys(drawn).forEach(function (id) {
        var feature = drawn[id].feature;
        if (drawn[id].layerName === "cells" && feature._path) {
          feature._path.setAttribute("fill", cellShade(feature.properties.count));
        }
      });
    });
  }

  function describe(shown) {
    var points = shown.records.length;
    if (!shown.cells.length) {
      return points
        ? number(points) + (points > 1 ? " observations" : " observation") + " dans la vue."
        : "Aucune observation dans cette vue.";
    }
    var grouped = shown.cells.reduce(function (sum, cell) { return sum + cell.properties.count; }, 0);
    var km = number(shown.cells[0].properties.cell_size_m / 1000);
    var cells = shown.cells.length + (shown.cells.length > 1 ? " mailles" : " maille") + " de " + km + " km";
    if (points) {
      return number(grouped + points) + " observations dans la vue : " + number(points) +
        " en points, " + number(grouped) + " regroupées en " + cells + ". Zoomez pour voir les points.";
    }
    return number(grouped) + " observations dans la vue, regroupées en " + cells +
      ". Zoomez pour voir les points.";
  }

  /* The first views frame what was found: a few cells of a narrow filter lead, zoom after
     zoom, to their points. */
  function frame(shown) {
    if (!framing) return false;
    framing -= 1;
    var items = shown.records.concat(shown.cells);
    if (!items.length) {
      framing = 0;
      return false;
    }
    var bounds = L.latLngBounds(items[0].bounds.getSouthWest(), items[0].bounds.getNorthEast());
    items.forEach(function (item) { bounds.extend(item.bounds); });
    if (!shown.cells.length) framing = 0; // the points are framed once
    var zoom = Math.min(map.getBoundsZoom(bounds.pad(0.05)), 13);
    if (zoom <= map.getZoom()) {
      framing = 0;
      return false;
    }
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13 });
    return true;
  }

  function settle() {
    if (layer.isLoading()) return;
    if (failed) {
      container.dataset.state = "error";
      say("La carte n'a pas pu être chargée. Réessayez plus tard.", true);
      return;
    }
    var shown = inView();
    if (frame(shown)) return; // the new view's tiles settle it
    container.cpieOccurrences = shown;
    shadeCells(shown.cells);
    cellsTable(shown.cells);
    labelCells(shown.cells);
    say(describe(shown));
    container.dataset.state = "ready";
  }

  /* A move within the tiles already drawn loads nothing: the summary follows the view.
     (Registered after the layer's own handler, which starts the loading of new tiles.) */
  function watchMoves() {
    map.on("moveend", function () {
      if (!layer.isLoading()) settle();
    });
  }

  map.outlineReady.then(function (outline) {
    framing = FRAMING_STEPS;
    if (outline) map.fitBounds(outline.getBounds(), { animate: false });
    layer.addTo(map);
    watchMoves();
  });
})();
