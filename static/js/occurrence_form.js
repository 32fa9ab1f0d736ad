/*
 * Entry form of an observation (templates/observations/occurrence_form.html).
 *
 * - The map: tap to place a point, or switch to "Ligne" / "Polygone" and tap each vertex
 *   (a minimal drawing mode: "Retirer le dernier sommet", "Effacer"). The drawn shape is
 *   written as WGS84 GeoJSON into the hidden "geometry" input, which the server converts to
 *   Lambert-93.
 * - Typed coordinates (GPS degrees or Lambert-93 metres, CPIELambert93 converts) move the
 *   point, and a point placed on the map fills them in the chosen system.
 * - Not placed silently off: a tap at a zoom where a finger (10 px) spans more than 100 m
 *   asks to zoom in ("Zoomer ici"); a GPS fix worse than 100 m is drawn as its accuracy
 *   circle and asks "Placer quand même" / "Ne pas placer" (inline question under the map,
 *   first button focused, Escape = the last).
 * - "Ma position": the device's GPS (navigator.geolocation) places the point and fills the
 *   precision in metres.
 * - "Non observé" (an absence) sets the counts to 0.
 * Without JavaScript the map stays hidden and the typed coordinates do the job.
 */
(function () {
  "use strict";

  var form = document.querySelector("[data-testid=occurrence-form]");
  var container = document.getElementById("entry-map");
  if (!form || !container || typeof L === "undefined" || !window.CPIEMap) return;

  var geometryInput = form.querySelector("[name=geometry]");
  var systemInput = form.querySelector("[name=coord_system]");
  var xInput = form.querySelector("[name=coord_x]");
  var yInput = form.querySelector("[name=coord_y]");
  var precisionInput = form.querySelector("[name=precision_m]");
  var status = document.getElementById("place-status");
  var coords = document.getElementById("coords");
  var modeButtons = form.querySelectorAll("[data-draw-mode]");
  var undoButton = document.getElementById("draw-undo");
  var clearButton = document.getElementById("draw-clear");
  var gpsButton = document.getElementById("gps-button");
  var SYSTEM_KEY = "cpie.coordSystem";
  var LABELS = {
    wgs84: ["Longitude (°E)", "Latitude (°N)", "ex. 2,7785", "ex. 50,4577"],
    l93: ["X Lambert-93 (m)", "Y Lambert-93 (m)", "ex. 684250", "ex. 7040050"],
  };
  var HELP = {
    point: "Touchez la carte pour placer l'observation, ou utilisez « Ma position ».",
    line: "Touchez la carte à chaque point de la ligne (2 au moins).",
    polygon: "Touchez la carte à chaque sommet du polygone (3 au moins).",
  };
  var STYLE = { color: "#c0392b", weight: 3, fillOpacity: 0.25 };

  form.querySelectorAll("[data-js-only]").forEach(function (element) {
    element.hidden = false;
  });

  var map = CPIEMap.create(container);
  var drawn = L.layerGroup().addTo(map);
  var accuracyLayer = L.layerGroup().addTo(map);
  // A point must be placeable within 100 m: a GPS fix or a tap less precise asks first.
  var PRECISION_M = 100;
  // A finger (or a mouse click on a moving map) lands within about this many pixels.
  var TAP_PX = 10;

  // An inline question under the map (a GPS fix too coarse, a tap at a coarse zoom):
  // announced, its first button focused, Escape answers with the last one.
  var question = document.createElement("div");
  question.className = "place-question";
  question.id = "place-question";
  question.setAttribute("role", "group");
  question.setAttribute("aria-labelledby", "place-question-text");
  question.hidden = true;
  var questionText = document.createElement("p");
  questionText.id = "place-question-text";
  questionText.setAttribute("role", "alert");
  var questionActions = document.createElement("div");
  questionActions.className = "place-question__actions";
  question.appendChild(questionText);
  question.appendChild(questionActions);
  container.parentNode.insertBefore(question, container.nextSibling);

  function ask(text, actions) {
    questionText.textContent = text;
    questionActions.textContent = "";
    actions.forEach(function (action, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = index === 0 ? "button" : "button button--light";
      button.textContent = action.label;
      button.addEventListener("click", function () {
        closeQuestion();
        action.run();
      });
      questionActions.appendChild(button);
    });
    question.hidden = false;
    questionActions.firstChild.focus();
  }

  function closeQuestion() {
    question.hidden = true;
    questionText.textContent = "";
    questionActions.textContent = "";
  }

  question.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      questionActions.lastChild.click();
    }
  });

  function distanceText(metres) {
    return metres >= 1000
      ? formatNumber(metres / 1000, metres >= 10000 ? 0 : 1) + "\u00a0km"
      : Math.round(metres) + "\u00a0m";
  }

  // The zoom (in half levels, as the map snaps) at which a tap lands within PRECISION_M.
  function placingZoom(latlng) {
    var metres = (40075016.686 * Math.cos((latlng.lat * Math.PI) / 180) * TAP_PX) / 256;
    return Math.min(map.getMaxZoom(), Math.ceil(2 * Math.log2(metres / PRECISION_M)) / 2);
  }
  var mode = "point";
  var vertices = []; // L.LatLng

  function say(text) {
    status.textContent = text;
  }

  function system() {
    return systemInput ? systemInput.value : "wgs84";
  }

  function parseNumber(text) {
    var cleaned = String(text || "").replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
    if (!cleaned) return null;
    var value = Number(cleaned);
    return isFinite(value) ? value : null;
  }

  function formatNumber(value, digits) {
    return value.toFixed(digits).replace(".", ",");
  }

  function relabel() {
    var labels = LABELS[system()] || LABELS.wgs84;
    var xLabel = form.querySelector("label[for=" + xInput.id + "]");
    var yLabel = form.querySelector("label[for=" + yInput.id + "]");
    if (xLabel) xLabel.textContent = labels[0];
    if (yLabel) yLabel.textContent = labels[1];
    xInput.placeholder = labels[2];
    yInput.placeholder = labels[3];
  }

  function writeCoordinates(latlng) {
    if (!latlng) {
      xInput.value = "";
      yInput.value = "";
      return;
    }
    if (system() === "l93") {
      var xy = CPIELambert93.fromWgs84(latlng.lng, latlng.lat);
      xInput.value = String(Math.round(xy[0]));
      yInput.value = String(Math.round(xy[1]));
    } else {
      xInput.value = formatNumber(latlng.lng, 6);
      yInput.value = formatNumber(latlng.lat, 6);
    }
  }

  function readCoordinates() {
    var x = parseNumber(xInput.value);
    var y = parseNumber(yInput.value);
    if (x === null || y === null) return null;
    if (system() === "l93") {
      if (Math.abs(x) <= 180 && Math.abs(y) <= 90) return null;
      var lonlat = CPIELambert93.toWgs84(x, y);
      return L.latLng(lonlat[1], lonlat[0]);
    }
    if (Math.abs(x) > 180 || Math.abs(y) > 90) return null;
    // Latitude typed as longitude and the other way round (as the server does).
    if (x >= 47 && x <= 53 && y >= -1 && y <= 6) return L.latLng(x, y);
    return L.latLng(y, x);
  }

  function geometry() {
    var ring = vertices.map(function (v) {
      return [Number(v.lng.toFixed(7)), Number(v.lat.toFixed(7))];
    });
    if (mode === "point" && ring.length === 1) return { type: "Point", coordinates: ring[0] };
    if (mode === "line" && ring.length >= 2) return { type: "LineString", coordinates: ring };
    if (mode === "polygon" && ring.length >= 3) {
      return { type: "Polygon", coordinates: [ring.concat([ring[0]])] };
    }
    return null;
  }

  function render() {
    drawn.clearLayers();
    if (mode === "point" && vertices.length) {
      L.circleMarker(vertices[0], {
        radius: 9,
        color: "#fff",
        weight: 3,
        fillColor: STYLE.color,
        fillOpacity: 1,
        className: "entry-point",
      }).addTo(drawn);
    } else if (vertices.length) {
      if (mode === "line") L.polyline(vertices, STYLE).addTo(drawn);
      if (mode === "polygon") L.polygon(vertices, STYLE).addTo(drawn);
      vertices.forEach(function (vertex) {
        L.circleMarker(vertex, { radius: 5, color: STYLE.color, fillOpacity: 1 }).addTo(drawn);
      });
    }
    var shape = geometry();
    geometryInput.value = shape ? JSON.stringify(shape) : "";
    undoButton.disabled = vertices.length === 0;
    clearButton.disabled = vertices.length === 0;
    coords.hidden = mode !== "point";
    if (mode === "point") {
      say(vertices.length ? "Point placé. Touchez ailleurs pour le déplacer." : HELP.point);
    } else {
      var needed = mode === "line" ? 2 : 3;
      say(
        vertices.length >= needed
          ? vertices.length + " sommets. Touchez pour en ajouter."
          : HELP[mode] + " " + vertices.length + " pour l'instant."
      );
    }
  }

  function setMode(next) {
    if (next !== mode) {
      // A point becomes the first vertex of a line or polygon; a shape becomes its
      // first vertex when going back to a point.
      vertices = vertices.slice(0, next === "point" ? 1 : vertices.length);
      mode = next;
    }
    modeButtons.forEach(function (button) {
      button.setAttribute("aria-pressed", button.dataset.drawMode === mode ? "true" : "false");
    });
    if (mode === "point") writeCoordinates(vertices[0]);
    render();
  }

  function placePoint(latlng, zoom) {
    mode = "point";
    vertices = [latlng];
    setMode("point");
    if (zoom) map.setView(latlng, Math.max(map.getZoom(), zoom));
  }

  function placeTapped(latlng) {
    accuracyLayer.clearLayers();
    if (mode === "point") {
      vertices = [latlng];
      writeCoordinates(latlng);
    } else {
      vertices.push(latlng);
    }
    render();
  }

  map.on("click", function (event) {
    closeQuestion();
    var latlng = event.latlng;
    var spread = CPIEMap.metresPerPixel(map, latlng.lat) * TAP_PX;
    if (spread > PRECISION_M) {
      // Not silently 40 km off: zoom in first.
      say("Point non placé : zoomez d'abord.");
      ask(
        "À ce zoom, un toucher sur la carte tombe à " + distanceText(spread) +
          " près. Zoomez pour placer l'observation à moins de " + PRECISION_M + "\u00a0m.",
        [
          {
            label: "Zoomer ici",
            run: function () {
              map.setView(latlng, Math.max(map.getZoom(), placingZoom(latlng)));
              say("Carte zoomée : touchez l'endroit exact.");
              container.focus();
            },
          },
          {
            label: "Annuler",
            run: function () {
              render();
            },
          },
        ]
      );
      return;
    }
    placeTapped(latlng);
  });

  modeButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      setMode(button.dataset.drawMode);
    });
  });

  undoButton.addEventListener("click", function () {
    vertices.pop();
    if (mode === "point") writeCoordinates(null);
    render();
  });

  clearButton.addEventListener("click", function () {
    accuracyLayer.clearLayers();
    closeQuestion();
    vertices = [];
    if (mode === "point") writeCoordinates(null);
    render();
  });

  function onCoordinatesTyped() {
    var latlng = readCoordinates();
    if (latlng) {
      vertices = [latlng];
      mode = "point";
      setMode("point");
      map.setView(latlng, Math.max(map.getZoom(), 14));
      // Keep what the user typed: setMode rewrote it in the same system.
    } else if (!xInput.value && !yInput.value) {
      vertices = [];
      render();
    }
  }
  xInput.addEventListener("change", onCoordinatesTyped);
  yInput.addEventListener("change", onCoordinatesTyped);

  if (systemInput) {
    systemInput.addEventListener("change", function () {
      try {
        localStorage.setItem(SYSTEM_KEY, system());
      } catch (error) {
        /* private browsing: the choice is just not remembered */
      }
      relabel();
      if (mode === "point") writeCoordinates(vertices[0]);
    });
  }

  if (gpsButton) {
    if (!navigator.geolocation) {
      gpsButton.disabled = true;
      gpsButton.title = "La géolocalisation n'est pas disponible sur cet appareil.";
    }
    gpsButton.addEventListener("click", function () {
      gpsButton.disabled = true;
      say("Recherche de votre position…");
      navigator.geolocation.getCurrentPosition(
        function (position) {
          gpsButton.disabled = false;
          var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
          var accuracy = Math.round(position.coords.accuracy || 0);
          closeQuestion();
          accuracyLayer.clearLayers();
          // The fix's accuracy, drawn as the circle the device is within.
          var circle = accuracy
            ? L.circle(latlng, {
                radius: accuracy,
                color: "#1f5fa8",
                weight: 2,
                fillColor: "#1f5fa8",
                fillOpacity: 0.12,
                interactive: false,
                className: "gps-accuracy",
              }).addTo(accuracyLayer)
            : null;
          function accept() {
            if (precisionInput && accuracy) precisionInput.value = String(accuracy);
            placePoint(latlng, 16);
            if (circle && accuracy > PRECISION_M) {
              map.fitBounds(circle.getBounds(), { maxZoom: 16 });
            }
            say("Position placée, précision " + accuracy + " m.");
          }
          if (accuracy <= PRECISION_M) {
            accept();
            return;
          }
          map.fitBounds(circle.getBounds(), { padding: [16, 16], maxZoom: 16 });
          say("Position imprécise : confirmez ou annulez.");
          ask(
            "Position GPS imprécise : à " + distanceText(accuracy) + " près (plus de " +
              PRECISION_M + "\u00a0m), le cercle bleu sur la carte. Placer l'observation là quand même ?",
            [
              { label: "Placer quand même", run: accept },
              {
                label: "Ne pas placer",
                run: function () {
                  say(
                    "Point non placé. Réessayez « Ma position » à découvert, ou touchez la carte."
                  );
                  gpsButton.focus();
                },
              },
            ]
          );
        },
        function (error) {
          gpsButton.disabled = false;
          say(
            error.code === error.PERMISSION_DENIED
              ? "Position refusée : autorisez la localisation pour ce site dans le navigateur."
              : "Position introuvable. Touchez la carte ou saisissez les coordonnées."
          );
        },
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 }
      );
    });
  }

  // Absence: the counts are 0.
  var countInputs = [form.querySelector("[name=count_min]"), form.querySelector("[name=count_max]")];
  var absenceHelp = document.getElementById("absence-help");
  function onStatus() {
    var checked = form.querySelector("[name=observation_status]:checked");
    var absent = checked && checked.value === "No";
    countInputs.forEach(function (input) {
      if (!input) return;
      if (absent) {
        input.dataset.previous = input.value;
        input.value = "0";
      } else if (input.readOnly) {
        input.value = input.dataset.previous && input.dataset.previous !== "0" ? input.dataset.previous : "1";
      }
      input.readOnly = Boolean(absent);
    });
    if (absenceHelp) absenceHelp.hidden = !absent;
  }
  form.querySelectorAll("[name=observation_status]").forEach(function (radio) {
    radio.addEventListener("change", onStatus);
  });
  onStatus();

  // Start: the remembered coordinate system, then the geometry already in the form.
  try {
    var remembered = localStorage.getItem(SYSTEM_KEY);
    if (systemInput && remembered && !xInput.value && LABELS[remembered]) {
      systemInput.value = remembered;
    }
  } catch (error) {
    /* no storage */
  }
  relabel();
  var initial = null;
  try {
    initial = geometryInput.value ? JSON.parse(geometryInput.value) : null;
  } catch (error) {
    initial = null;
  }
  if (initial && initial.type === "Point") {
    vertices = [L.latLng(initial.coordinates[1], initial.coordinates[0])];
    mode = "point";
  } else if (initial && initial.type === "LineString") {
    vertices = initial.coordinates.map(function (c) { return L.latLng(c[1], c[0]); });
    mode = "line";
  } else if (initial && initial.type === "Polygon") {
    vertices = initial.coordinates[0].slice(0, -1).map(function (c) { return L.latLng(c[1], c[0]); });
    mode = "polygon";
  } else {
    var typed = readCoordinates();
    if (typed) vertices = [typed];
  }
  var keepTyped = !initial && vertices.length;
  modeButtons.forEach(function (button) {
    button.setAttribute("aria-pressed", button.dataset.drawMode === mode ? "true" : "false");
  });
  if (mode === "point" && !keepTyped) writeCoordinates(vertices[0]);
  render();
  if (vertices.length === 1) {
    map.setView(vertices[0], 15, { animate: false });
  } else if (vertices.length > 1) {
    map.fitBounds(L.latLngBounds(vertices), { padding: [24, 24], maxZoom: 16, animate: false });
  } else {
    map.outlineReady.then(function (outline) {
      // Not animated: a tap or "Zoomer ici" during the animation would be undone at its
      // end (Leaflet puts back the animation's target view).
      if (outline && !vertices.length) map.fitBounds(outline.getBounds(), { animate: false });
    });
  }
})();

/*
 * The maximum count follows the minimum: typing 3 in the minimum with an empty or smaller
 * maximum (or one the user has not typed) sets the maximum to 3. Independent of the map.
 */
(function () {
  "use strict";

  var form = document.querySelector("[data-testid=occurrence-form]");
  if (!form) return;
  var low = form.querySelector("[name=count_min]");
  var high = form.querySelector("[name=count_max]");
  if (!low || !high) return;
  var typedByUser = false;
  high.addEventListener("input", function () {
    typedByUser = high.value !== "";
  });
  low.addEventListener("input", function () {
    var min = parseInt(low.value, 10);
    if (isNaN(min) || low.readOnly) return;
    var max = parseInt(high.value, 10);
    if (!typedByUser || isNaN(max) || max < min) {
      high.value = String(min);
      typedByUser = false;
    }
  });
})();
