/*
 * Home page: the map of the sites the visitor may see (GET data-sites-url, GeoJSON in
 * WGS84, already limited to what the user may see by the API), with a popup per site,
 * and the list beside the map that zooms to a site.
 */
(function () {
  "use strict";

  var container = document.getElementById("site-map");
  if (!container || typeof L === "undefined" || !window.CPIEMap) {
    return;
  }
  var status = document.getElementById("site-map-status");
  var kindLabels = JSON.parse(document.getElementById("site-kinds").textContent);
  var WETLAND = { zone_humide: 1, marais: 1, mare: 1, etang: 1, zec: 1 };

  function colour(kind) {
    if (kind === "terril") return "#5b4636";
    if (WETLAND[kind]) return "#1f6fb2";
    if (kind === "jardin" || kind === "parc") return "#2e8540";
    if (kind === "parcelle_agricole") return "#a68a00";
    if (kind === "carriere" || kind === "friche") return "#c0571f";
    return "#6b3fa0";
  }

  function communeNames(communes) {
    if (!communes) return "";
    if (!Array.isArray(communes)) return String(communes);
    return communes
      .map(function (commune) {
        return typeof commune === "object" ? commune.name || commune.nom || commune.insee : commune;
      })
      .join(", ");
  }

  function siteId(feature) {
    return String(feature.id !== undefined ? feature.id : (feature.properties || {}).id);
  }

  var map = CPIEMap.create(container);
  var layersById = {};

  function showWholeRegion() {
    map.outlineReady.then(function (outline) {
      if (outline) map.fitBounds(outline.getBounds(), { animate: false });
    });
  }

  CPIEMap.loadGeoJSON(map, container.dataset.sitesUrl, {
    style: function (feature) {
      var kind = feature.properties.kind;
      // A thick outline keeps a 300 m terril visible (and clickable) at regional zoom.
      return { color: colour(kind), weight: 3, fillOpacity: 0.35, fillColor: colour(kind) };
    },
    onEachFeature: function (feature, layer) {
      var p = feature.properties || {};
      var title = p.code && p.name.indexOf(p.code) === -1 ? p.name + " (" + p.code + ")" : p.name;
      layer.bindPopup(
        CPIEMap.popupHtml(title, [
          ["Type", p.kind_label || kindLabels[p.kind] || p.kind],
          ["Communes", communeNames(p.communes)],
        ])
      );
      layersById[siteId(feature)] = layer;
    },
  })
    .then(function (layer) {
      var count = layer.getLayers().length;
      if (count) {
        map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 13 });
        status.textContent = count + (count > 1 ? " sites sur la carte." : " site sur la carte.");
      } else {
        status.textContent = "Aucun site à afficher.";
        showWholeRegion();
      }
    })
    .catch(function () {
      status.textContent = "Les sites n'ont pas pu être chargés. Réessayez plus tard.";
      status.classList.add("map-status--error");
      showWholeRegion();
    });

  document.querySelectorAll(".site-list__item[data-site-id]").forEach(function (button) {
    button.addEventListener("click", function () {
      var layer = layersById[button.dataset.siteId];
      if (!layer) return;
      if (layer.getBounds) {
        map.fitBounds(layer.getBounds(), { maxZoom: 15 });
      } else {
        map.setView(layer.getLatLng(), 15);
      }
      layer.openPopup();
      container.scrollIntoView({ behavior: "smooth", block: "nearest" });
    });
  });
})();
