/*
 * "Préparer la sortie" (issue 19 point 1): on the entry page's map, when a background map
 * is configured (settings/maps.py), store the tiles of the current view, from its zoom up
 * to MAX_ZOOM, for use with no network. The count and an estimate of the size come first;
 * past MAX_TILES the user is asked to zoom in. The service worker (static/js/sw.js)
 * downloads them into the cache "cpie-tiles" and serves them from it afterwards.
 */
(function (global) {
  "use strict";

  var MAX_ZOOM = 16;
  var MAX_TILES = 2500;
  var BYTES_PER_TILE = 20000; // Plan IGN and OSM PNGs average 10–25 kB

  function activeTiles(map) {
    var found = null;
    map.eachLayer(function (layer) {
      if (!found && layer instanceof L.TileLayer) found = layer;
    });
    return found;
  }

  function tileUrls(map, layer) {
    var bounds = map.getBounds();
    var urls = [];
    var from = Math.max(0, Math.floor(map.getZoom()));
    for (var z = Math.min(from, MAX_ZOOM); z <= MAX_ZOOM; z++) {
      var size = layer.getTileSize();
      var nw = map.project(bounds.getNorthWest(), z).unscaleBy(size).floor();
      var se = map.project(bounds.getSouthEast(), z).unscaleBy(size).floor();
      for (var x = nw.x; x <= se.x; x++) {
        for (var y = nw.y; y <= se.y; y++) {
          if (urls.length > MAX_TILES) return urls;
          var coords = L.point(x, y);
          coords.z = z;
          urls.push(layer.getTileUrl(coords));
        }
      }
    }
    return urls;
  }

  function megabytes(bytes) {
    return (bytes / 1024 / 1024).toLocaleString("fr-FR", { maximumFractionDigits: 1 });
  }

  function start() {
    var container = document.getElementById("entry-map");
    var map = container && container.cpieMap;
    var tiles = document.getElementById("map-tiles");
    if (!map || !tiles || tiles.textContent.trim() === "[]") return; // outline only
    if (!("serviceWorker" in navigator)) return;
    var box = document.createElement("div");
    box.className = "outing";
    box.setAttribute("data-testid", "outing");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--light";
    button.textContent = "Préparer la sortie : garder la carte de cette vue";
    var confirm = document.createElement("button");
    confirm.type = "button";
    confirm.className = "button";
    confirm.textContent = "Télécharger";
    confirm.hidden = true;
    var status = document.createElement("p");
    status.className = "help";
    status.setAttribute("role", "status");
    box.appendChild(button);
    box.appendChild(confirm);
    box.appendChild(status);
    container.parentNode.insertBefore(box, container.nextSibling);
    var urls = [];

    button.addEventListener("click", function () {
      var layer = activeTiles(map);
      confirm.hidden = true;
      if (!layer) {
        status.textContent = "Aucun fond de carte à garder (contour seul).";
        return;
      }
      urls = tileUrls(map, layer);
      if (urls.length > MAX_TILES) {
        status.textContent = "Zone trop grande : plus de " + MAX_TILES +
          " tuiles. Zoomez sur le secteur de la sortie, puis recommencez.";
        return;
      }
      status.textContent = urls.length + " tuiles (zooms " + Math.floor(map.getZoom()) +
        " à " + MAX_ZOOM + "), environ " + megabytes(urls.length * BYTES_PER_TILE) + " Mo.";
      confirm.textContent = "Télécharger " + urls.length + " tuiles";
      confirm.hidden = false;
    });

    confirm.addEventListener("click", function () {
      confirm.hidden = true;
      status.textContent = "Téléchargement…";
      navigator.serviceWorker.ready.then(function (registration) {
        registration.active.postMessage({ type: "keep-tiles", urls: urls });
      });
    });

    navigator.serviceWorker.addEventListener("message", function (event) {
      var data = event.data || {};
      if (data.type !== "tiles-kept") return;
      status.textContent = data.done + " / " + data.total + " tuiles gardées" +
        (data.failed ? " (" + data.failed + " en échec)" : "") +
        (data.done + data.failed === data.total ? " : la carte de cette zone marchera sans réseau." : "…");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  global.CPIEOuting = { maxZoom: MAX_ZOOM, maxTiles: MAX_TILES };
})(window);
