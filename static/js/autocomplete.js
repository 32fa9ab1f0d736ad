/*
 * Autocomplete comboboxes (ARIA 1.2 combobox + listbox pattern), started on every
 * [data-autocomplete] element of the page (markup: templates/observations/includes/
 * autocomplete.html):
 *
 *   data-autocomplete="taxon"    GET data-autocomplete-url?search=… (/api/v1/taxa/, 3 letters
 *                                at least; species first, typos tolerated), shows "Nom latin —
 *                                nom français", fills the hidden input with the cd_nom;
 *   data-autocomplete="commune"  same on /api/v1/communes/ (2 letters), fills the INSEE code;
 *   data-autocomplete="person"   same on /api/v1/persons/ (2 letters of a first or last
 *                                name), shows "NOM Prénom — organisme" (the observers'
 *                                field, templates/observations/includes/people_field.html).
 *
 * Keyboard: ↓/↑ move through the proposals, Entrée chooses, Échap closes. Typing again
 * empties the hidden input, so a half-typed name never passes for a choice. The element gets
 * the class "is-chosen" and fires "autocomplete:change" ({detail: item or null}).
 *
 * With data-autocomplete-multiple the field only proposes: a choice fires
 * "autocomplete:change" and the field empties for the next one (static/js/chips.js keeps
 * the chosen items as chips).
 *
 * When nothing matches, "Aucun taxon ne correspond à « … »" is shown under the field
 * (and said).
 *
 * With no network, the taxon search looks in the taxa kept on the device
 * (CPIEOffline.searchTaxa, static/js/offline.js).
 */
(function (global) {
  "use strict";

  var DELAY_MS = 200;
  var PAGE_SIZE = 12;

  var KINDS = {
    taxon: {
      minLength: 3,
      item: function (taxon) {
        var french = (taxon.vernacular_name || "").split(",")[0].trim();
        var details = [];
        if (taxon.valid_name) details.push("synonyme de " + taxon.valid_name);
        if (taxon.atlas_group && taxon.atlas_group.name) details.push(taxon.atlas_group.name);
        return {
          value: String(taxon.cd_nom),
          label: taxon.scientific_name + (french ? " — " + french : ""),
          detail: details.join(" · "),
          data: taxon,
        };
      },
      none: "Aucun taxon ne correspond à « %s ».",
      tooShort: "Tapez au moins 3 lettres du nom latin ou français.",
      // A pasted list of codes is looked up with ?cd_nom=a,b,c (static/js/chips.js).
      codeParameter: "cd_nom",
      codePattern: /^\d{1,8}$/,
      noun: ["taxon", "taxons"],
      offline: function (text, limit) {
        return global.CPIEOffline.searchTaxa(text, limit);
      },
    },
    commune: {
      minLength: 2,
      item: function (commune) {
        return {
          value: commune.insee,
          label: commune.name + " (" + commune.insee + ")",
          detail: commune.departement ? commune.departement.name : "",
          data: commune,
        };
      },
      none: "Aucune commune ne correspond à « %s ».",
      tooShort: "Tapez au moins 2 lettres du nom ou le code INSEE.",
      codeParameter: "insee",
      codePattern: /^(\d{5}|2[AB]\d{3})$/i,
      noun: ["commune", "communes"],
    },
    person: {
      minLength: 2,
      item: function (person) {
        return {
          value: String(person.id),
          label: person.name,
          detail: person.organisation || "",
          data: person,
        };
      },
      none: "Aucune personne ne correspond à « %s ».",
      tooShort: "Tapez au moins 2 lettres du prénom ou du nom.",
      // No codes: people are only chosen by name.
      noun: ["personne", "personnes"],
    },
  };

  function longestWord(text) {
    return text.split(/[\s,.'’()-]+/).reduce(function (longest, word) {
      return Math.max(longest, word.length);
    }, 0);
  }

  function attach(root) {
    var kind = KINDS[root.dataset.autocomplete];
    var input = root.querySelector("[data-autocomplete-input]");
    var hidden = root.querySelector("[data-autocomplete-value]");
    var list = root.querySelector("[role=listbox]");
    var status = root.querySelector("[data-autocomplete-status]");
    var notFound = root.querySelector("[data-autocomplete-none]");
    if (!kind || !input || !hidden || !list) return;
    var url = root.dataset.autocompleteUrl;
    var items = [];
    var active = -1;
    var timer = null;
    var controller = null;
    var requested = "";

    function say(text) {
      if (status) status.textContent = text;
    }

    // "Nothing matches" is shown, not only announced: a sighted user would otherwise
    // wait for proposals that never come.
    function showNotFound(text) {
      if (!notFound) return;
      notFound.textContent = text || "";
      notFound.hidden = !text;
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var item = items[index];
      if (!item) return;
      close();
      // A search still waiting (the last keystroke's) would open the list again over the
      // choice, with the results of the chosen label.
      clearTimeout(timer);
      if (controller) controller.abort();
      if (root.hasAttribute("data-autocomplete-multiple")) {
        input.value = "";
        items = [];
        requested = "";
        root.dispatchEvent(new CustomEvent("autocomplete:change", { detail: item }));
        return;
      }
      input.value = item.label;
      hidden.value = item.value;
      root.classList.add("is-chosen");
      say(item.label + " choisi.");
      root.dispatchEvent(new CustomEvent("autocomplete:change", { detail: item }));
    }

    function render(results) {
      items = results.map(kind.item);
      showNotFound("");
      list.innerHTML = "";
      items.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = input.id + "-option-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.className = "autocomplete__option";
        var main = document.createElement("span");
        main.className = "autocomplete__label";
        main.textContent = item.label;
        option.appendChild(main);
        if (item.detail) {
          var detail = document.createElement("span");
          detail.className = "autocomplete__detail";
          detail.textContent = item.detail;
          option.appendChild(detail);
        }
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the input
        });
        option.addEventListener("click", function () {
          choose(i);
        });
        list.appendChild(option);
      });
      if (items.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        highlight(-1);
        say(
          items.length +
            (items.length > 1 ? " propositions" : " proposition") +
            " : flèches haut et bas pour choisir, Entrée pour valider."
        );
      } else {
        close();
        var none = kind.none.replace("%s", input.value.trim());
        showNotFound(none);
        say(none);
      }
    }

    function search() {
      var text = input.value.trim();
      if (longestWord(text) < kind.minLength) {
        items = [];
        close();
        if (text) say(kind.tooShort);
        return;
      }
      if (text === requested && items.length) {
        render(items.map(function (item) { return item.data; }));
        return;
      }
      requested = text;
      if (controller) controller.abort();
      // No network: the taxa kept on the device (static/js/offline.js).
      var local = kind.offline && global.CPIEOffline ? kind.offline : null;
      function searchLocally() {
        return local(text, PAGE_SIZE).then(function (results) {
          if (input.value.trim() === text) render(results);
        });
      }
      if (local && !navigator.onLine) {
        searchLocally();
        return;
      }
      controller = new AbortController();
      var query = url + (url.indexOf("?") === -1 ? "?" : "&") +
        "search=" + encodeURIComponent(text) + "&page_size=" + PAGE_SIZE;
      fetch(query, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller.signal,
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (input.value.trim() === text) render(data.results || []);
        })
        .catch(function (error) {
          if (error.name === "AbortError") return;
          if (local) {
            searchLocally();
          } else {
            say("La recherche n'a pas abouti. Réessayez.");
          }
        });
    }

    input.addEventListener("input", function () {
      showNotFound("");
      if (hidden.value) {
        hidden.value = "";
        root.classList.remove("is-chosen");
        root.dispatchEvent(new CustomEvent("autocomplete:change", { detail: null }));
      }
      clearTimeout(timer);
      timer = setTimeout(search, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && items.length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) {
          search();
          return;
        }
        highlight(active < items.length - 1 ? active + 1 : 0);
      } else if (event.key === "ArrowUp") {
        if (!open) return;
        event.preventDefault();
        highlight(active > 0 ? active - 1 : items.length - 1);
      } else if (event.key === "Enter") {
        if (open) {
          event.preventDefault(); // choose, do not submit the form
          choose(active >= 0 ? active : 0);
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        }
      }
    });

    input.addEventListener("blur", function () {
      setTimeout(close, 150);
    });

    input.addEventListener("focus", function () {
      // The results shown again are those of the text in the field, not of an earlier one
      // (the entry row of a grid is emptied after each save, its last results kept).
      if (!hidden.value && items.length && input.value.trim() === requested) {
        render(items.map(function (item) { return item.data; }));
      }
    });
  }

  function start() {
    document.querySelectorAll("[data-autocomplete]").forEach(attach);
  }

  global.CPIEAutocomplete = { attach: attach, kinds: KINDS };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})(window);
