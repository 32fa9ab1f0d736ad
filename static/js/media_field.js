/*
 * Photos of a record (templates/observations/includes/media_field.html): when a photo is
 * chosen, the server reads its EXIF (observations:media_exif, nothing stored) and its date
 * and GPS position are proposed: the date replaces the form's default (not one the user
 * typed), the position is placed when none is (through the typed-coordinates inputs, which
 * occurrence_form.js draws on the map). What was filled is announced.
 */
(function () {
  "use strict";

  var section = document.querySelector("[data-media-field]");
  if (!section || !window.fetch || !window.FormData) return;
  var form = section.closest("form");
  var input = section.querySelector("input[type=file]");
  var status = document.getElementById("media-proposal");
  if (!form || !input || !status) return;
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]");

  function frenchDate(iso) {
    var parts = iso.split("-");
    return parts[2] + "/" + parts[1] + "/" + parts[0];
  }

  function fill(name, value) {
    var field = form.querySelector("[name=" + name + "]");
    if (!field) return null;
    field.value = value;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
    return field;
  }

  function propose(found) {
    var said = [];
    var date = form.querySelector("[name=date_start]");
    if (found.date && date && date.value === date.defaultValue && date.value !== found.date) {
      fill("date_start", found.date);
      said.push("date " + frenchDate(found.date));
      var time = form.querySelector("[name=time_start]");
      if (found.time && time && !time.value) fill("time_start", found.time);
    }
    var geometry = form.querySelector("[name=geometry]");
    var x = form.querySelector("[name=coord_x]");
    if (found.latitude !== null && found.longitude !== null && x && !x.value &&
        !(geometry && geometry.value)) {
      fill("coord_system", "wgs84");
      fill("coord_x", String(found.longitude));
      fill("coord_y", String(found.latitude));
      said.push("position " + found.latitude.toFixed(5) + " N, " + found.longitude.toFixed(5) + " E");
    }
    if (said.length) {
      status.textContent = "D'après la photo : " + said.join(" et ") + ". Vérifiez-les avant d'enregistrer.";
    } else if (found.date || found.latitude !== null) {
      status.textContent = "La photo porte une date ou une position, mais les champs sont déjà remplis : rien n'a été changé.";
    } else {
      status.textContent = "";
    }
  }

  input.addEventListener("change", function () {
    var photo = Array.prototype.find.call(input.files || [], function (file) {
      return !file.type || file.type.indexOf("image/") === 0;
    });
    if (!photo) return;
    var body = new FormData();
    body.append("file", photo);
    status.textContent = "Lecture de la date et de la position de la photo…";
    fetch(section.dataset.exifUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (result) {
        if (result.ok) propose(result.data);
        else status.textContent = result.data.error || "";
      })
      .catch(function () {
        // Offline: nothing is proposed, the photo is still sent with the record.
        status.textContent = "";
      });
  });
})();
