/* Management operation form: the site is drawn for reference; the operation's outline is
   drawn as a polygon (click to add a vertex, as on the extract page, static/js/extract.js),
   kept as GeoJSON (WGS84) in the hidden "geometry" field. Empty = the whole site. */
(function () {
  "use strict";

  var element = document.getElementById("operation-map");
  var input = document.querySelector("input[name=geometry]");
  if (!element || !input || !window.CPIEMap) return;

  var STYLE = { color: "#b5452b", weight: 2, fillOpacity: 0.2 };
  var map = CPIEMap.create(element, { zoom: 14 });
  var siteNode = document.getElementById("site-geometry");
  if (siteNode) {
    try {
      var site = L.geoJSON(JSON.parse(siteNode.textContent), {
        style: { color: "#2b6cb0", weight: 2, fillOpacity: 0.05, dashArray: "4 4" },
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 6 }); },
      }).addTo(map);
      map.fitBounds(site.getBounds(), { maxZoom: 17, padding: [20, 20] });
    } catch (error) { /* no site outline */ }
  }
  var layer = L.layerGroup().addTo(map);
  var state = document.getElementById("geometry-state");
  var vertices = [];

  function round(value) { return Math.round(value * 1e7) / 1e7; }

  function save() {
    if (vertices.length >= 3) {
      var ring = vertices.map(function (v) { return [round(v.lng), round(v.lat)]; });
      ring.push(ring[0]);
      input.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
    } else if (vertices.length === 2) {
      input.value = JSON.stringify({ type: "LineString", coordinates: vertices.map(function (v) { return [round(v.lng), round(v.lat)]; }) });
    } else {
      input.value = "";
    }
    state.textContent = vertices.length
      ? vertices.length + " sommet(s)" + (vertices.length === 2 ? " : une ligne" : "")
      : "Aucun tracé : l'opération porte sur tout le site.";
  }

  function draw() {
    layer.clearLayers();
    if (vertices.length >= 3) L.polygon(vertices, STYLE).addTo(layer);
    else if (vertices.length === 2) L.polyline(vertices, STYLE).addTo(layer);
    vertices.forEach(function (v) {
      L.circleMarker(v, { radius: 4, color: STYLE.color, fillOpacity: 1 }).addTo(layer);
    });
    save();
  }

  // A shape saved before (or drawn before a failed submission) comes back in the field.
  if (input.value) {
    try {
      var data = JSON.parse(input.value);
      var coords = data.type === "Polygon" ? data.coordinates[0].slice(0, -1)
        : data.type === "LineString" ? data.coordinates : [];
      vertices = coords.map(function (c) { return L.latLng(c[1], c[0]); });
      if (vertices.length) map.fitBounds(L.latLngBounds(vertices), { maxZoom: 17 });
    } catch (error) {
      vertices = [];
    }
  }

  map.on("click", function (event) {
    vertices.push(event.latlng);
    draw();
  });
  document.getElementById("geometry-undo").addEventListener("click", function () {
    vertices.pop();
    draw();
  });
  document.getElementById("geometry-clear").addEventListener("click", function () {
    vertices = [];
    draw();
  });
  draw();
})();
