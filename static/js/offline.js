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

  // Every word typed starts a word of the Latin or French name; species first, valid
  // names before synonyms, then alphabetical.
  function searchTaxa(text, limit) {
    var words = normalise(text).split(" ").filter(Boolean);
    return loadTaxa().then(function (index) {
      var found = index.filter(function (item) {
        return words.every(function (word) {
          return item.text.indexOf(" " + word) !== -1;
        });
      });
      found.sort(function (a, b) {
        var ra = a.taxon.rank in SPECIES ? SPECIES[a.taxon.rank] : 2;
        var rb = b.taxon.rank in SPECIES ? SPECIES[b.taxon.rank] : 2;
        if (ra !== rb) return ra - rb;
        if (a.valid !== b.valid) return a.valid ? -1 : 1;
        return a.taxon.scientific_name < b.taxon.scientific_name ? -1 : 1;
      });
      return found.slice(0, limit || 12).map(function (item) { return item.taxon; });
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
