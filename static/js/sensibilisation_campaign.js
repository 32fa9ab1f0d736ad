/*
 * Campaign page (/sensibilisation/campagnes/<slug>/):
 * - #campaign-map: validated reports as the public sees them, one polygon per commune
 *   (GeoJSON of data-reports-url, built server-side: never a point);
 * - #report-map: a tap (or "Utiliser ma position") places the observation and fills the
 *   hidden latitude/longitude fields of the report form.
 */
(function () {
  "use strict";

  if (typeof L === "undefined" || !window.CPIEMap) {
    return;
  }

  var publicMap = document.getElementById("campaign-map");
  if (publicMap) {
    var map = CPIEMap.create(publicMap);
    CPIEMap.loadGeoJSON(map, publicMap.dataset.reportsUrl, {
      style: function () {
        return { color: "#2f6b3a", weight: 1, fillColor: "#4f9d5d", fillOpacity: 0.45 };
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties || {};
        layer.bindPopup(
          CPIEMap.popupHtml(p.area, [
            ["Signalements validés", p.reports],
            ["Espèces", (p.species || []).join(", ")],
          ])
        );
      },
    });
  }

  var entry = document.getElementById("report-map");
  if (!entry) {
    return;
  }
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  var status = document.getElementById("place-status");
  var entryMap = CPIEMap.create(entry);
  var marker = null;

  function place(latlng, how) {
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    if (marker) {
      marker.setLatLng(latlng);
    } else {
      marker = L.circleMarker(latlng, {
        radius: 9, color: "#b3261e", weight: 3, fillOpacity: 0.6,
      }).addTo(entryMap);
    }
    status.textContent = "Point placé (" + how + ").";
  }

  if (lat.value && lon.value) {
    place(L.latLng(parseFloat(lat.value), parseFloat(lon.value)), "déjà indiqué");
    entryMap.setView(marker.getLatLng(), 14);
  }
  entryMap.on("click", function (event) {
    place(event.latlng, "sur la carte");
  });

  var locate = document.getElementById("locate-me");
  if (locate) {
    if (!navigator.geolocation) {
      locate.hidden = true;
    }
    locate.addEventListener("click", function () {
      status.textContent = "Recherche de votre position…";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
          place(latlng, "votre position");
          entryMap.setView(latlng, 15);
        },
        function () {
          status.textContent = "Position indisponible : touchez la carte ou indiquez la commune.";
        },
        { enableHighAccuracy: true, timeout: 10000 }
      );
    });
  }
})();
