/*
 * Offline-first entry (issue 19 point 1), on every page of a signed-in user:
 *
 * - on the pages of the field (the entry form, the outbox), registers the service worker
 *   (/sw.js, static/js/sw.js), which keeps the app shell and the entry pages;
 * - while online, at most every REFRESH_MS, fetches what the entry pages need with no
 *   network (/hors-ligne/donnees.json: taxa with their French names, the user's datasets,
 *   sites, POP aires and ponds, fences, recent records) into IndexedDB, and asks the
 *   worker to keep the user's entry pages (POP passage of each pond, fence check…);
 * - searches those taxa when the network is gone (CPIEOffline.searchTaxa, used by
 *   static/js/autocomplete.js);
 * - forgets the pages and data of a user when another signs in or at logout (the outbox
 *   stays: each record is sent only by the user who made it).
 */
(function (global) {
  "use strict";

  var REFRESH_MS = 15 * 60 * 1000;
  var PAGES_MS = 60 * 60 * 1000;
  var PAGES_CACHE = "cpie-pages";
  var Store = global.CPIEStore;
  var badge = document.querySelector("[data-outbox-badge]");
  var user = badge ? badge.getAttribute("data-user") : "";

  function forgetUser() {
    var done = [];
    if (global.caches) done.push(caches.delete(PAGES_CACHE));
    if (Store) done.push(Store.remove("data", "field").catch(function () {}));
    try {
      localStorage.removeItem("cpie-offline-user");
      localStorage.removeItem("cpie-offline-refreshed");
      localStorage.removeItem("cpie-offline-pages");
    } catch (error) { /* private mode */ }
    return Promise.all(done);
  }

  // ---- A page kept by the service worker, opened another day ----------------------------
  // The page says the day it was made (<html data-page-date>). Opened from the device's
  // copy on a later day, its "today" becomes the device's: the date a new record starts
  // with (inputs marked data-default-today, if untouched) and the date pickers' limit.
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  var now = new Date();
  var today = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  var pageDate = document.documentElement.getAttribute("data-page-date");
  if (pageDate && today > pageDate) {
    document.querySelectorAll("input[type=date]").forEach(function (input) {
      if (input.max === pageDate) input.max = today;
      if (input.hasAttribute("data-default-today") && input.value === pageDate &&
          input.defaultValue === pageDate) {
        input.defaultValue = today;
        input.value = today;
      }
    });
  }

  // Logout: the pages and data kept for this user go with the session.
  document.querySelectorAll("form[action]").forEach(function (form) {
    if (!/\/deconnexion\/$/.test(form.getAttribute("action"))) return;
    form.addEventListener("submit", function (event) {
      if (form.dataset.forgotten) return;
      event.preventDefault();
      forgetUser().then(function () {
        form.dataset.forgotten = "1";
        form.submit();
      });
    });
  });

  if (!badge) {
    // Signed out (session ended): nothing of the last user stays readable.
    if (navigator.onLine) forgetUser();
    return;
  }

  var previous = null;
  try {
    previous = localStorage.getItem("cpie-offline-user");
  } catch (error) { /* private mode */ }
  var switched = previous && previous !== user ? forgetUser() : Promise.resolve();

  function stamp(name) {
    try {
      return Number(localStorage.getItem(name) || 0);
    } catch (error) {
      return 0;
    }
  }

  function setStamp(name) {
    try {
      localStorage.setItem(name, String(Date.now()));
      localStorage.setItem("cpie-offline-user", user);
    } catch (error) { /* private mode */ }
  }

  function keepPages(urls) {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) {
        registration.active.postMessage({ type: "keep-pages", urls: urls });
        setStamp("cpie-offline-pages");
      }
    });
  }

  function refreshData(force) {
    if (!navigator.onLine || !Store) return Promise.resolve(null);
    if (!force && Date.now() - stamp("cpie-offline-refreshed") < REFRESH_MS) {
      return Promise.resolve(null);
    }
    return fetch(badge.getAttribute("data-data-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        taxaIndex = null;
        return Store.put("data", { key: "field", user: user, at: Date.now(), data: data })
          .then(function () {
            setStamp("cpie-offline-refreshed");
            if (force || Date.now() - stamp("cpie-offline-pages") > PAGES_MS) {
              keepPages(data.pages || []);
            }
            return data;
          });
      })
      .catch(function () { return null; });
  }

  // ---- The taxon search with no network ------------------------------------------------

  var taxaIndex = null;

  function normalise(text) {
    return String(text || "")
      .toLowerCase()
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9 ]+/g, " ");
  }

  function loadTaxa() {
    if (taxaIndex) return Promise.resolve(taxaIndex);
    return Store.get("data", "field").then(function (record) {
      if (!record || record.user !== user) return [];
      var columns = record.data.taxa.columns;
      var at = {};
      columns.forEach(function (name, i) { at[name] = i; });
      taxaIndex = record.data.taxa.rows.map(function (row) {
        return {
          taxon: {
            cd_nom: row[at.cd_nom],
            scientific_name: row[at.scientific_name],
            vernacular_name: row[at.vernacular_name],
            rank: row[at.rank],
            offline: true,
          },
          valid: row[at.valid],
          text: " " + normalise(row[at.scientific_name] + " " + row[at.vernacular_name]),
        };
      });
      return taxaIndex;
    });
  }

  var SPECIES = { ES: 0, SSES: 1, VAR: 1 };

  // Typos tolerated, as the online search's trigram similarity does: a typed word of 4
  // letters or more may be one edit away (two from 8 letters) from the start of a word of
  // the name ("crapau comun" finds Bufo bufo, Crapaud commun).
  function allowedEdits(word) {
    return word.length >= 8 ? 2 : word.length >= 4 ? 1 : 0;
  }

  // Levenshtein distance, or max + 1 once it is sure to be over max.
  function distance(a, b, max) {
    if (Math.abs(a.length - b.length) > max) return max + 1;
    var previous = [];
    for (var j = 0; j <= b.length; j++) previous.push(j);
    for (var i = 1; i <= a.length; i++) {
      var row = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1;
        row.push(Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost));
        if (row[j] < best) best = row[j];
      }
      if (best > max) return max + 1;
      previous = row;
    }
    return previous[b.length];
  }

  // The fewest edits that make ``word`` the start of one of ``names`` (null: too many).
  function wordEdits(word, names) {
    var max = allowedEdits(word);
    var best = null;
    for (var n = 0; n < names.length; n++) {
      var name = names[n];
      if (name.indexOf(word) === 0) return 0;
      if (!max) continue;
      for (var length = word.length - max; length <= word.length + max; length++) {
        if (length < 1 || length > name.length) continue;
        var edits = distance(word, name.slice(0, length), max);
        if (edits <= max && (best === null || edits < best)) best = edits;
      }
    }
    return best;
  }

  function typoEdits(item, words) {
    if (!item.words) item.words = item.text.trim().split(" ").filter(Boolean);
    var total = 0;
    for (var w = 0; w < words.length; w++) {
      var edits = wordEdits(words[w], item.words);
      if (edits === null) return null;
      total += edits;
    }
    return total;
  }

  function byRank(a, b) {
    var ra = a.taxon.rank in SPECIES ? SPECIES[a.taxon.rank] : 2;
    var rb = b.taxon.rank in SPECIES ? SPECIES[b.taxon.rank] : 2;
    if (ra !== rb) return ra - rb;
    if (a.valid !== b.valid) return a.valid ? -1 : 1;
    return a.taxon.scientific_name < b.taxon.scientific_name ? -1 : 1;
  }

  // Every word typed starts a word of the Latin or French name; species first, valid
  // names before synonyms, then alphabetical. Then, if there is room, the names a typo
  // away, fewest edits first.
  function searchTaxa(text, limit) {
    var words = normalise(text).split(" ").filter(Boolean);
    limit = limit || 12;
    return loadTaxa().then(function (index) {
      var found = index.filter(function (item) {
        return words.every(function (word) {
          return item.text.indexOf(" " + word) !== -1;
        });
      });
      found.sort(byRank);
      if (found.length < limit && words.some(function (w) { return allowedEdits(w); })) {
        var exact = new Set(found);
        var near = [];
        index.forEach(function (item) {
          if (exact.has(item)) return;
          var edits = typoEdits(item, words);
          if (edits !== null) near.push({ item: item, edits: edits });
        });
        near.sort(function (a, b) {
          return a.edits - b.edits || byRank(a.item, b.item);
        });
        found = found.concat(near.map(function (n) { return n.item; }));
      }
      return found.slice(0, limit).map(function (item) { return item.taxon; });
    });
  }

  // ---- What the device keeps ---------------------------------------------------------

  function usage() {
    if (!navigator.storage || !navigator.storage.estimate) return Promise.resolve(null);
    return navigator.storage.estimate();
  }

  var usageLine = document.querySelector("[data-offline-usage]");
  function showUsage() {
    if (!usageLine) return;
    usage().then(function (estimate) {
      if (!estimate) return;
      usageLine.textContent =
        "Gardé sur cet appareil pour la saisie hors connexion : " +
        (estimate.usage / 1024 / 1024).toLocaleString("fr-FR", { maximumFractionDigits: 1 }) +
        " Mo.";
    });
  }

  global.CPIEOffline = {
    searchTaxa: searchTaxa,
    refresh: refreshData,
    usage: usage,
    forget: forgetUser,
  };

  // The worker is installed, and the field's data kept, from the pages of the field (the
  // entry form, the outbox): the other pages leave the device alone.
  var fieldPage = document.querySelector("form[data-outbox], [data-outbox-list]");
  if (!fieldPage) {
    switched.then(showUsage);
    return;
  }
  if ("serviceWorker" in navigator && badge.getAttribute("data-worker-url")) {
    navigator.serviceWorker
      .register(badge.getAttribute("data-worker-url"), { scope: "/" })
      .catch(function () {});
  }
  switched.then(function () { return refreshData(false); }).then(showUsage);
  global.addEventListener("online", function () { refreshData(false); });
})(window);
