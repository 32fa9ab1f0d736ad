/* Extract page: the territory drawn as a polygon (click to add a vertex), kept as GeoJSON
   (WGS84) in the hidden "area" field; "Retirer le dernier sommet" and "Effacer". The count
   of rows, and of those that come blurred for the chosen organisation, follows the filters
   as they change (GET data-estimate-url with the form's fields, answered by one COUNT). */
(function () {
  "use strict";

  var DELAY_MS = 400;
  var form = document.querySelector("[data-estimate-url]");
  var output = document.querySelector("[data-estimate]");
  var timer = null;
  var controller = null;
  var last = "";

  function query() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "action") params.append(name, value);
    });
    return params.toString();
  }

  function show(text, failed) {
    output.hidden = false;
    output.classList.toggle("message--error", Boolean(failed));
    output.textContent = text;
  }

  function estimate() {
    var current = query();
    if (current === last) return;
    last = current;
    if (controller) controller.abort();
    controller = new AbortController();
    output.setAttribute("aria-busy", "true");
    fetch(form.dataset.estimateUrl + "?" + current, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: controller.signal,
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (answer) {
        output.removeAttribute("aria-busy");
        var text = answer.data.text || "";
        if (!answer.ok && answer.data.errors) {
          var fields = Object.keys(answer.data.errors).map(function (name) {
            var element = form.querySelector("#field-" + name + " label, #field-" + name + " legend");
            var label = element ? element.textContent.trim() : name;
            return label + " : " + answer.data.errors[name].join(" ");
          });
          text += " " + fields.join(" ; ");
        }
        show(text, !answer.ok);
      })
      .catch(function (error) {
        if (error.name === "AbortError") return;
        output.removeAttribute("aria-busy");
        last = "";
        show("Le comptage n'a pas abouti. Réessayez.", true);
      });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(estimate, DELAY_MS);
  }

  if (form && output && window.fetch && window.URLSearchParams) {
    form.addEventListener("change", later);
    form.addEventListener("chips:change", later);
    form.addEventListener("input", function (event) {
      // Years and the purpose as they are typed; the search fields only propose.
      if (event.target.name && event.target.type !== "hidden") later();
    });
  }

  var element = document.getElementById("extract-map");
  var input = document.querySelector("input[name=area]");
  if (!element || !input || !window.CPIEMap) {
    if (form && output) later();
    return;
  }

  CPIEMap.drawOutline(CPIEMap.create(element, { zoom: 8 }), {
    input: input,
    state: document.getElementById("area-state"),
    undo: document.getElementById("area-undo"),
    clear: document.getElementById("area-clear"),
    describe: function (count) {
      if (form && output) later();
      if (!count) return "Aucun territoire dessiné.";
      return count + " sommet(s)" + (count < 3 ? " : encore " + (3 - count) + " au moins" : "");
    },
  });
})();
