/*
 * Chips of a list of codes chosen by name (markup: templates/observations/includes/
 * chips_field.html). The search field (static/js/autocomplete.js, multiple mode) proposes
 * communes or taxa by name or code; each choice becomes a chip with its name and a button
 * that removes it; the codes go to a hidden input under the field's name, which the form
 * submits. A list of codes pasted, or typed then Entrée, is looked up in one request
 * (?insee=… or ?cd_nom=…); codes that match nothing are said and left in the field, and
 * sent with the form (which then names them as unknown).
 * Without JavaScript the text field itself is submitted (codes). Fires "chips:change"
 * (bubbling) when the list changes.
 *
 * With data-chips-boxes="<id>" (people: templates/observations/includes/people_field.html)
 * the form's field is a list of checkboxes, the element of that id, which the form submits
 * as it would without JavaScript: the chips start from the boxes checked, choosing one
 * checks its box (a person found by the search with no box gets a hidden input of the same
 * name), removing one unchecks it; the boxes are hidden once the search is shown.
 */
(function () {
  "use strict";

  var LOOKUP_PAGE = 100;

  function attach(root) {
    var kinds = window.CPIEAutocomplete && window.CPIEAutocomplete.kinds;
    var kind = kinds && kinds[root.dataset.autocomplete];
    var input = root.querySelector("[data-autocomplete-input]");
    var list = root.querySelector("[data-chips-list]");
    var note = root.querySelector("[data-chips-note]");
    var status = root.querySelector("[data-autocomplete-status]");
    var initial = root.querySelector("script[type='application/json']");
    if (!kind || !input || !list) return;
    var url = root.dataset.autocompleteUrl;
    var boxes = root.dataset.chipsBoxes && document.getElementById(root.dataset.chipsBoxes);
    var field = null;
    if (!boxes) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = input.getAttribute("name");
      root.appendChild(field);
      input.removeAttribute("name");
    }
    var chosen = [];

    function say(text) {
      if (status) status.textContent = text;
    }

    function tell(text) {
      if (note) note.textContent = text;
    }

    function tokens(text) {
      return text.split(/[\s,;]+/).filter(Boolean);
    }

    function isCodeList(words) {
      return Boolean(kind.codePattern) && words.length > 0 && words.every(function (word) {
        return kind.codePattern.test(word);
      });
    }

    function counted(n) {
      return n + " " + kind.noun[n > 1 ? 1 : 0] + (n > 1 ? " choisis" : " choisi");
    }

    function checkboxes() {
      return Array.prototype.slice.call(boxes.querySelectorAll("input[type=checkbox]"));
    }

    function syncBoxes(values) {
      var name = root.dataset.chipsName;
      checkboxes().forEach(function (box) {
        box.checked = values.indexOf(box.value) !== -1;
      });
      boxes.querySelectorAll("[data-chips-added]").forEach(function (extra) {
        extra.remove();
      });
      var boxed = checkboxes().map(function (box) { return box.value; });
      values.forEach(function (value) {
        if (boxed.indexOf(value) !== -1) return;
        var extra = document.createElement("input");
        extra.type = "hidden";
        extra.name = name;
        extra.value = value;
        extra.setAttribute("data-chips-added", "");
        boxes.appendChild(extra);
      });
    }

    function sync() {
      var values = chosen.map(function (item) { return item.value; });
      if (boxes) {
        syncBoxes(values);
      } else {
        field.value = values.join(" ");
      }
      list.hidden = chosen.length === 0;
      root.dispatchEvent(new CustomEvent("chips:change", { bubbles: true }));
    }

    function render(focusIndex) {
      list.innerHTML = "";
      chosen.forEach(function (item, i) {
        var chip = document.createElement("li");
        chip.className = "chip";
        chip.dataset.value = item.value;
        var label = document.createElement("span");
        label.className = "chip__label";
        label.textContent = item.label;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "chip__remove";
        remove.setAttribute("aria-label", "Retirer " + item.label);
        remove.innerHTML = '<span aria-hidden="true">×</span>';
        remove.addEventListener("click", function () {
          removeAt(i);
        });
        chip.appendChild(label);
        chip.appendChild(remove);
        list.appendChild(chip);
      });
      if (focusIndex !== undefined) {
        var buttons = list.querySelectorAll(".chip__remove");
        var target = buttons[Math.min(focusIndex, buttons.length - 1)];
        (target || input).focus();
      }
      sync();
    }

    function has(value) {
      return chosen.some(function (item) {
        return item.value.toUpperCase() === String(value).toUpperCase();
      });
    }

    function add(items) {
      var added = items.filter(function (item) {
        if (has(item.value)) return false;
        chosen.push({ value: item.value, label: item.label });
        return true;
      });
      render();
      return added;
    }

    function removeAt(index) {
      var item = chosen.splice(index, 1)[0];
      render(index);
      say(item.label + " retiré. " + counted(chosen.length) + ".");
    }

    function lookup(words) {
      var unique = [];
      words.forEach(function (word) {
        if (unique.indexOf(word.toUpperCase()) === -1) unique.push(word.toUpperCase());
      });
      var chunks = [];
      for (var i = 0; i < unique.length; i += LOOKUP_PAGE) {
        chunks.push(unique.slice(i, i + LOOKUP_PAGE));
      }
      say("Recherche de " + unique.length + " code(s)…");
      return Promise.all(chunks.map(function (chunk) {
        var query = url + (url.indexOf("?") === -1 ? "?" : "&") + kind.codeParameter + "=" +
          encodeURIComponent(chunk.join(",")) + "&page_size=" + LOOKUP_PAGE;
        return fetch(query, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        }).then(function (response) {
          return response.ok ? response.json() : { results: [] };
        });
      })).then(function (pages) {
        var found = [];
        pages.forEach(function (page) {
          (page.results || []).forEach(function (result) {
            found.push(kind.item(result));
          });
        });
        var known = found.map(function (item) { return item.value.toUpperCase(); });
        var unknown = unique.filter(function (code) { return known.indexOf(code) === -1; });
        var added = add(found);
        input.value = unknown.join(" ");
        var text = added.length + " ajouté(s). " + counted(chosen.length) + ".";
        if (unknown.length) {
          var message = "Code(s) inconnu(s), laissé(s) dans le champ : " + unknown.join(", ") + ".";
          tell(message);
          text += " " + message;
        } else {
          tell("");
        }
        say(text);
      }).catch(function () {
        say("La recherche des codes n'a pas abouti. Réessayez.");
      });
    }

    root.addEventListener("autocomplete:change", function (event) {
      if (!event.detail) return;
      if (add([event.detail]).length) {
        say(event.detail.label + " ajouté. " + counted(chosen.length) + ".");
      } else {
        say(event.detail.label + " est déjà choisi.");
      }
      tell("");
    });

    input.addEventListener("paste", function (event) {
      var text = (event.clipboardData || window.clipboardData).getData("text");
      var words = tokens(text);
      if (!isCodeList(words)) return;
      event.preventDefault();
      lookup(words);
    });

    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.defaultPrevented) return;
      var words = tokens(input.value);
      if (!words.length) return;
      event.preventDefault(); // a half-typed name must not submit the form
      if (isCodeList(words)) {
        lookup(words);
      } else {
        say(kind.codePattern
          ? "Choisissez dans la liste proposée (flèche bas), ou saisissez des codes."
          : "Choisissez dans la liste proposée (flèche bas).");
      }
    });

    if (boxes) {
      chosen = checkboxes().filter(function (box) { return box.checked; }).map(function (box) {
        var label = box.closest("label") || document.querySelector("label[for='" + box.id + "']");
        return { value: box.value, label: label ? label.textContent.trim() : box.value };
      });
      render();
      boxes.hidden = true;
      root.hidden = false;
      return;
    }

    // What the server knew (names of the codes submitted); codes it did not know stay
    // in the field, to be corrected.
    var items = [];
    try {
      items = JSON.parse(initial ? initial.textContent : "[]");
    } catch (error) {
      items = [];
    }
    var leftover = tokens(input.value).filter(function (code) {
      return !items.some(function (item) { return item.value.toUpperCase() === code.toUpperCase(); });
    });
    input.value = leftover.join(" ");
    chosen = items.map(function (item) { return { value: item.value, label: item.label }; });
    render();
    // Text left in the field (unknown codes, a name not chosen) is sent with the codes,
    // so that the form says what it does not know rather than drop it silently.
    var form = root.closest("form");
    if (form) {
      form.addEventListener("submit", function () {
        var rest = tokens(input.value);
        if (rest.length) field.value = (field.value + " " + rest.join(" ")).trim();
      });
    }
  }

  function start() {
    document.querySelectorAll("[data-chips]").forEach(attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
