/*
 * Service worker of the installable app (served at /sw.js by cpie_naturaliste/pwa.py,
 * which puts self.CPIE_SW = {version, precache, pages, offline} before this file).
 *
 * - Static files (/static/…): cache first; the app shell of CPIE_SW.precache is stored at
 *   install, any other static file the first time a page asks for it.
 * - The entry pages used outdoors (CPIE_SW.pages: regular expressions of paths): network
 *   first, the answer kept in the pages cache; with no network, the kept copy (whatever its
 *   query string). Only a 200 that was not redirected is kept: never the login page.
 * - An entry page never seen with no network: a short French page that says so.
 * - A form with an outbox (CPIE_SW.outbox: new observation, POP passage, fence round,
 *   count season grid) posted while the browser believed it was online, whose POST
 *   fails (no network after all): its fields are kept in IndexedDB (CPIEStore, "data" store, key
 *   "pending-…") and the page is opened again with ?en-attente=<key>, where
 *   static/js/outbox.js moves them to the outbox. Nothing typed is lost.
 * - Background map tiles stored by "Préparer la sortie" (cache "cpie-tiles", filled here
 *   on the page's request, static/js/outing.js): served from the cache.
 * Nothing else is touched: the API, the other pages, POSTs go to the network as before.
 *
 * The pages cache holds what one signed-in user saw: static/js/offline.js deletes it at
 * logout and when another user signs in on the device.
 */
/* global CPIE_SW, CPIEStore */
"use strict";

importScripts(CPIE_SW.store);

var SHELL = "cpie-shell-" + CPIE_SW.version;
var PAGES = "cpie-pages";
var TILES = "cpie-tiles";
// Background map tiles stored by "Préparer la sortie" (static/js/outing.js): the worker
// answers the map's requests for other hosts only once there are some.
var hasTiles = false;
caches.has(TILES).then(function (has) {
  hasTiles = has;
});
var PAGE_PATTERNS = CPIE_SW.pages.map(function (source) {
  return new RegExp(source);
});
var OUTBOX_PATTERNS = CPIE_SW.outbox.map(function (source) {
  return new RegExp(source);
});

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches
      .open(SHELL)
      .then(function (cache) {
        return cache.addAll(CPIE_SW.precache);
      })
      .then(function () {
        return self.skipWaiting();
      })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf("cpie-shell-") === 0 && name !== SHELL;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

function matches(patterns, url) {
  return patterns.some(function (pattern) {
    return pattern.test(url.pathname);
  });
}

function isEntryPage(url) {
  return matches(PAGE_PATTERNS, url);
}

function offlinePage() {
  return new Response(CPIE_SW.offline, {
    status: 503,
    headers: { "Content-Type": "text/html; charset=utf-8" },
  });
}

function keepPage(request, response) {
  if (response.ok && !response.redirected && response.type === "basic") {
    var copy = response.clone();
    caches.open(PAGES).then(function (cache) {
      cache.put(request.url, copy);
    });
  }
  return response;
}

function cachedPage(request) {
  return caches.open(PAGES).then(function (cache) {
    return cache.match(request.url).then(function (exact) {
      return exact || cache.match(request.url, { ignoreSearch: true });
    });
  });
}

// A hashed name (the manifest storage of production) never changes: cache first. An
// unhashed one (development, tests) is served from the cache and refreshed behind.
var HASHED = /\.[0-9a-f]{12}\.\w+$/;

function fetchStatic(request) {
  return fetch(request).then(function (response) {
    if (response.ok && response.type === "basic") {
      var copy = response.clone();
      caches.open(SHELL).then(function (cache) {
        cache.put(request, copy);
      });
    }
    return response;
  });
}

function staticFile(request) {
  return caches.match(request, { ignoreSearch: true }).then(function (cached) {
    if (!cached) return fetchStatic(request);
    if (!HASHED.test(new URL(request.url).pathname)) {
      fetchStatic(request).catch(function () {});
    }
    return cached;
  });
}

function keepPosted(request, url) {
  return request.formData().then(function (data) {
    var fields = [];
    data.forEach(function (value, name) {
      fields.push([name, value]);
    });
    var key = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    return CPIEStore.put("data", { key: "pending-" + key, fields: fields }).then(
      function () {
        var back = new URL(url.pathname, self.location.origin);
        back.searchParams.set("en-attente", key);
        return Response.redirect(back.href, 303);
      }
    );
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    if (hasTiles && request.method === "GET" && request.destination === "image") {
      event.respondWith(
        caches.match(request.url, { cacheName: TILES }).then(function (tile) {
          return tile || fetch(request);
        })
      );
    }
    return;
  }
  if (
    request.method === "POST" &&
    request.mode === "navigate" &&
    matches(OUTBOX_PATTERNS, url)
  ) {
    // The body is read once and sent from a copy: a navigation's own body, teed by
    // clone(), reached the server cut short.
    event.respondWith(
      request.arrayBuffer().then(function (body) {
        function copy(redirect) {
          return new Request(request.url, {
            method: "POST",
            body: body,
            headers: request.headers,
            credentials: "same-origin",
            redirect: redirect,
          });
        }
        return fetch(copy("manual")).catch(function () {
          return keepPosted(copy("follow"), url);
        });
      })
    );
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.indexOf(CPIE_SW.static) === 0) {
    event.respondWith(staticFile(request));
    return;
  }
  if (request.mode !== "navigate") return;
  if (isEntryPage(url)) {
    event.respondWith(
      fetch(request)
        .then(function (response) {
          return keepPage(request, response);
        })
        .catch(function () {
          return cachedPage(request).then(function (page) {
            return page || offlinePage();
          });
        })
    );
  }
});

// The page asks to keep its entry pages (the user's POP sites, fences…) while online.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "keep-tiles" && Array.isArray(data.urls)) {
    event.waitUntil(keepTiles(data.urls.slice(0, CPIE_SW.maxTiles), event.source));
  }
  if (data.type === "keep-pages" && Array.isArray(data.urls)) {
    event.waitUntil(
      caches.open(PAGES).then(function (cache) {
        return Promise.all(
          data.urls.map(function (path) {
            return fetch(path, { credentials: "same-origin" })
              .then(function (response) {
                var url = new URL(path, self.location.origin);
                if (isEntryPage(url)) keepPage(new Request(url.href), response);
              })
              .catch(function () {});
          })
        );
      })
    );
  }
});

// "Préparer la sortie": the tiles of a view, four at a time; the page shows the progress.
function keepTiles(urls, client) {
  var total = urls.length;
  var done = 0;
  var failed = 0;
  var queue = urls.slice();
  return caches.open(TILES).then(function (cache) {
    hasTiles = true;
    function next() {
      var url = queue.shift();
      if (!url) return Promise.resolve();
      return fetch(url, { mode: "cors", credentials: "omit" })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return cache.put(url, response);
        })
        .then(function () {
          done++;
        })
        .catch(function () {
          failed++;
        })
        .then(function () {
          if (client) {
            client.postMessage({ type: "tiles-kept", done: done, failed: failed, total: total });
          }
          return next();
        });
    }
    return Promise.all([next(), next(), next(), next()]);
  });
}

// Background Sync: the pages send the outbox themselves (static/js/outbox.js); the worker
// only wakes one of them, or opens none (a closed tab sends at its next opening).
self.addEventListener("sync", function (event) {
  if (event.tag !== "cpie-outbox") return;
  event.waitUntil(
    self.clients.matchAll({ type: "window" }).then(function (clients) {
      clients.forEach(function (client) {
        client.postMessage({ type: "send-outbox" });
      });
    })
  );
});
