/* Extract page: draw the territory as a polygon (click to add a vertex), kept as GeoJSON
   (WGS84) in the hidden "area" field; "Retirer le dernier sommet" and "Effacer". */
(function () {
  "use strict";

  var element = document.getElementById("extract-map");
  var input = document.querySelector("input[name=area]");
  if (!element || !input || !window.CPIEMap) return;

  var STYLE = { color: "#b5452b", weight: 2, fillOpacity: 0.15 };
  var map = CPIEMap.create(element, { zoom: 8 });
  var layer = L.layerGroup().addTo(map);
  var state = document.getElementById("area-state");
  var vertices = [];

  function save() {
    if (vertices.length >= 3) {
      var ring = vertices.map(function (v) { return [round(v.lng), round(v.lat)]; });
      ring.push(ring[0]);
      input.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
    } else {
      input.value = "";
    }
    state.textContent = vertices.length
      ? vertices.length + " sommet(s)" + (vertices.length < 3 ? " : encore " + (3 - vertices.length) + " au moins" : "")
      : "Aucun territoire dessiné.";
  }

  function round(value) { return Math.round(value * 1e6) / 1e6; }

  function draw() {
    layer.clearLayers();
    if (vertices.length >= 3) L.polygon(vertices, STYLE).addTo(layer);
    else if (vertices.length === 2) L.polyline(vertices, STYLE).addTo(layer);
    vertices.forEach(function (v) {
      L.circleMarker(v, { radius: 4, color: STYLE.color, fillOpacity: 1 }).addTo(layer);
    });
    save();
  }

  // A polygon drawn before a failed submission comes back in the hidden field.
  if (input.value) {
    try {
      var ring = JSON.parse(input.value).coordinates[0];
      vertices = ring.slice(0, -1).map(function (c) { return L.latLng(c[1], c[0]); });
      if (vertices.length) map.fitBounds(L.latLngBounds(vertices), { maxZoom: 13 });
    } catch (error) {
      vertices = [];
    }
  }

  map.on("click", function (event) {
    vertices.push(event.latlng);
    draw();
  });
  document.getElementById("area-undo").addEventListener("click", function () {
    vertices.pop();
    draw();
  });
  document.getElementById("area-clear").addEventListener("click", function () {
    vertices = [];
    draw();
  });
  draw();
})();
