/*
 * CPIEMap: shared Leaflet helpers of CPIE Naturaliste (no tile server needed).
 * Load after Leaflet ({% leaflet_js %}, Leaflet 1.9.3 bundled by django-leaflet).
 *
 *   CPIEMap.create(element, options) -> L.Map
 *     element   the map container, or its id.
 *     options   {
 *                 outlineUrl: URL of the offline GeoJSON outline of the Hauts-de-France
 *                             départements (default: the container's data-outline-url),
 *                 tiles:      [[name, urlTemplate, leafletTileOptions], ...]: background
 *                             maps (default: the JSON of the element #map-tiles, i.e.
 *                             LEAFLET_CONFIG["TILES"], see settings/maps.py; [] = none),
 *                 center:     [lat, lon] (default [50.45, 2.75]), zoom: number (default 9),
 *                 zoomSnap:   default 0.5,
 *                 ...any other L.map option
 *               }
 *     The outline is drawn in its own pane ("outline") under Leaflet's overlay pane, so
 *     data layers stay on top whatever finishes loading first. map.outlineReady is a
 *     Promise of the outline L.GeoJSON layer (null when it could not be loaded).
 *     With tiles, the first is shown and a layer switcher (map.layersControl, French
 *     labels) offers the others and "Contour seul (hors ligne)", the outline filled as
 *     the whole background. A background whose tiles fail to load (offline) gives way to
 *     the outline alone, with a message on the map, and fires "tilesfailed" on the map.
 *
 *   CPIEMap.metresPerPixel(map, latitude) -> ground metres per screen pixel at the
 *     map's zoom (latitude default: the map's centre).
 *   CPIEMap.showNotice(map, text)            a message on the map (role=status), "" hides it
 *
 *   CPIEMap.loadGeoJSON(map, url, options) -> Promise<L.GeoJSON>
 *     Fetches a GeoJSON FeatureCollection with the session cookie, follows the DRF
 *     pagination "next" links, and adds one L.GeoJSON layer to the map. options are
 *     L.geoJSON options (style, onEachFeature, filter...); points are drawn as circle
 *     markers (SVG, no marker image) unless options.pointToLayer is given.
 *
 *   CPIEMap.drawOutline(map, options) -> {vertices, redraw}
 *     Click-to-draw outline kept as GeoJSON (WGS84) in a hidden input: a polygon from 3
 *     vertices (a line at 2 with allowLine). options {input, state (status element),
 *     undo, clear (buttons), describe(count) -> status text, allowLine, maxZoom, style}.
 *     A shape already in the input (a failed submission, an edit) is drawn back.
 *
 *   CPIEMap.escapeHtml(value) -> string          text made safe for innerHTML
 *   CPIEMap.popupHtml(title, rows) -> string     popup with a title and [label, value]
 *                                                rows (escaped; empty values skipped)
 */
(function (global) {
  "use strict";

  // Leaflet's controls speak English; the pages speak French (to screen readers too).
  L.Control.Zoom.mergeOptions({ zoomInTitle: "Zoom avant", zoomOutTitle: "Zoom arrière" });

  var DEFAULT_CENTER = [50.45, 2.75];
  var DEFAULT_ZOOM = 9;
  var OUTLINE_STYLE = {
    color: "#7d8c8f",
    weight: 1,
    fillColor: "#f3f1ea",
    fillOpacity: 1,
    interactive: false,
  };
  // Over a background map: the départements' borders only.
  var OUTLINE_OVER_TILES = { color: "#4d5a5c", weight: 1.5, fillOpacity: 0, interactive: false };
  var OUTLINE_ONLY = "Contour seul (hors ligne)";

  function escapeHtml(value) {
    return String(value === undefined || value === null ? "" : value)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;");
  }

  function popupHtml(title, rows) {
    var html = '<div class="map-popup"><strong>' + escapeHtml(title) + "</strong>";
    (rows || []).forEach(function (row) {
      if (row[1] !== undefined && row[1] !== null && row[1] !== "") {
        html += "<br><span class=\"map-popup__label\">" + escapeHtml(row[0]) +
          " :</span> " + escapeHtml(row[1]);
      }
    });
    return html + "</div>";
  }

  function readTiles() {
    var script = document.getElementById("map-tiles");
    if (!script) {
      return [];
    }
    try {
      return JSON.parse(script.textContent) || [];
    } catch (error) {
      return [];
    }
  }

  function fetchJson(url) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json, application/json" },
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status + " pour " + url);
      }
      return response.json();
    });
  }

  function create(element, options) {
    var container = typeof element === "string" ? document.getElementById(element) : element;
    var settings = Object.assign(
      {
        outlineUrl: container.dataset.outlineUrl,
        tiles: readTiles(),
        center: DEFAULT_CENTER,
        zoom: DEFAULT_ZOOM,
        // Half zoom levels: a small phone map still fits the whole region snugly.
        zoomSnap: 0.5,
      },
      options || {}
    );
    var outlineUrl = settings.outlineUrl;
    var tiles = settings.tiles;
    delete settings.outlineUrl;
    delete settings.tiles;

    var map = L.map(container, settings);
    container.cpieMap = map; // for the pages' own scripts (static/js/outing.js)
    // Below the overlay pane (z-index 400), above tiles (200).
    map.createPane("outline").style.zIndex = 250;
    var outlineOnly = L.layerGroup();
    var outline = null;
    map.baseLayers = {};
    tiles.forEach(function (tile) {
      var layer = L.tileLayer(tile[1], tile[2] || {});
      watchTiles(map, layer, tile[0], outlineOnly);
      map.baseLayers[tile[0]] = layer;
    });
    map.baseLayers[OUTLINE_ONLY] = outlineOnly;
    // The outline is filled only when it is the whole background.
    function styleOutline() {
      if (outline) outline.setStyle(map.hasLayer(outlineOnly) ? OUTLINE_STYLE : OUTLINE_OVER_TILES);
    }
    map.on("baselayerchange", styleOutline);
    (tiles.length ? map.baseLayers[tiles[0][0]] : outlineOnly).addTo(map);
    if (tiles.length) {
      map.layersControl = L.control.layers(map.baseLayers, null, { position: "topright" }).addTo(map);
      frenchLayersControl(map.layersControl);
    }
    map.outlineReady = outlineUrl
      ? fetchJson(outlineUrl)
          .then(function (data) {
            outline = L.geoJSON(data, { pane: "outline", style: OUTLINE_STYLE }).addTo(map);
            styleOutline();
            return outline;
          })
          .catch(function () {
            return null;
          })
      : Promise.resolve(null);
    return map;
  }

  // Leaflet's layer switcher speaks English: its toggle gets a French name.
  function frenchLayersControl(control) {
    var container = control.getContainer();
    var toggle = container.querySelector(".leaflet-control-layers-toggle");
    toggle.title = "Fond de carte";
    toggle.setAttribute("aria-label", "Choisir le fond de carte");
    var list = container.querySelector(".leaflet-control-layers-list");
    if (list) list.setAttribute("aria-label", "Fonds de carte");
  }

  // A message shown on the map (bottom left), read by screen readers.
  function notice(map) {
    if (!map.noticeControl) {
      var Notice = L.Control.extend({
        options: { position: "bottomleft" },
        onAdd: function () {
          var box = L.DomUtil.create("p", "map-notice");
          box.setAttribute("role", "status");
          box.hidden = true;
          L.DomEvent.disableClickPropagation(box);
          return box;
        },
      });
      map.noticeControl = new Notice().addTo(map);
    }
    return map.noticeControl.getContainer();
  }

  function showNotice(map, text) {
    var box = notice(map);
    box.textContent = text;
    box.hidden = !text;
  }

  // Tiles that cannot be loaded (no network, server down): when none loaded since the
  // layer was shown, or several failed in a row (the network lost while panning), fall back
  // to the outline alone and say so.
  function watchTiles(map, layer, name, fallback) {
    var loaded = 0;
    var failedInARow = 0;
    function giveUp() {
      if (!map.hasLayer(layer)) return;
      map.removeLayer(layer);
      fallback.addTo(map);
      showNotice(
        map,
        "Fond de carte « " + name + " » indisponible (pas de réseau ?) : contour seul affiché. " +
          "Le bouton des fonds de carte permet de réessayer."
      );
      map.fire("tilesfailed", { name: name });
    }
    layer.on("add", function () {
      loaded = 0;
      failedInARow = 0;
      showNotice(map, "");
    });
    layer.on("tileload", function () {
      loaded += 1;
      failedInARow = 0;
    });
    layer.on("tileerror", function () {
      failedInARow += 1;
      if (failedInARow >= (loaded ? 6 : 3)) giveUp();
    });
    layer.on("load", function () {
      if (failedInARow && !loaded) giveUp();
    });
  }

  // Ground metres covered by one screen pixel at the map's zoom, at a latitude (Web Mercator).
  function metresPerPixel(map, latitude) {
    var lat = latitude === undefined ? map.getCenter().lat : latitude;
    return (40075016.686 * Math.cos((lat * Math.PI) / 180)) / (256 * Math.pow(2, map.getZoom()));
  }

  function loadGeoJSON(map, url, options) {
    var features = [];
    function page(next) {
      return fetchJson(next).then(function (data) {
        features = features.concat(data.features || []);
        return data.next ? page(data.next) : null;
      });
    }
    var geoOptions = Object.assign(
      {
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, { radius: 7 });
        },
      },
      options || {}
    );
    return page(url).then(function () {
      return L.geoJSON({ type: "FeatureCollection", features: features }, geoOptions).addTo(
        map
      );
    });
  }

  function drawOutline(map, options) {
    var style = options.style || { color: "#b5452b", weight: 2, fillOpacity: 0.15 };
    var layer = L.layerGroup().addTo(map);
    var vertices = [];
    var round = function (value) { return Math.round(value * 1e7) / 1e7; };
    var position = function (v) { return [round(v.lng), round(v.lat)]; };

    function save() {
      var input = options.input;
      if (vertices.length >= 3) {
        var ring = vertices.map(position);
        ring.push(ring[0]);
        input.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
      } else if (vertices.length === 2 && options.allowLine) {
        input.value = JSON.stringify({ type: "LineString", coordinates: vertices.map(position) });
      } else {
        input.value = "";
      }
      if (options.state) options.state.textContent = options.describe(vertices.length);
    }

    function redraw() {
      layer.clearLayers();
      if (vertices.length >= 3) L.polygon(vertices, style).addTo(layer);
      else if (vertices.length === 2) L.polyline(vertices, style).addTo(layer);
      vertices.forEach(function (v) {
        L.circleMarker(v, { radius: 4, color: style.color, fillOpacity: 1 }).addTo(layer);
      });
      save();
    }

    if (options.input.value) {
      try {
        var data = JSON.parse(options.input.value);
        var coords = data.type === "Polygon" ? data.coordinates[0].slice(0, -1)
          : data.type === "LineString" ? data.coordinates : [];
        vertices = coords.map(function (c) { return L.latLng(c[1], c[0]); });
        if (vertices.length) {
          map.fitBounds(L.latLngBounds(vertices), { maxZoom: options.maxZoom || 13, animate: false });
        }
      } catch (error) {
        vertices = [];
      }
    }
    map.on("click", function (event) {
      vertices.push(event.latlng);
      redraw();
    });
    if (options.undo) {
      options.undo.addEventListener("click", function () { vertices.pop(); redraw(); });
    }
    if (options.clear) {
      options.clear.addEventListener("click", function () { vertices = []; redraw(); });
    }
    redraw();
    return { vertices: vertices, redraw: redraw };
  }

  global.CPIEMap = {
    create: create,
    drawOutline: drawOutline,
    loadGeoJSON: loadGeoJSON,
    escapeHtml: escapeHtml,
    metresPerPixel: metresPerPixel,
    popupHtml: popupHtml,
    showNotice: showNotice,
  };
})(window);
