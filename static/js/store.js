/*
 * CPIEStore: the app's IndexedDB ("cpie-naturaliste"), shared by the pages
 * (static/js/outbox.js, static/js/offline.js) and the service worker (static/js/sw.js,
 * importScripts): two object stores, "outbox" (records waiting to be sent, key "uuid")
 * and "data" (what the field needs, key "key").
 *
 *   CPIEStore.get(store, key), put(store, value), remove(store, key), all(store),
 *   clear(store): Promises.
 */
(function (global) {
  "use strict";

  var DB_NAME = "cpie-naturaliste";
  var OUTBOX = "outbox";
  var DATA = "data";
  var dbPromise = null;

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        if (!global.indexedDB) {
          reject(new Error("IndexedDB indisponible"));
          return;
        }
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          var db = request.result;
          if (!db.objectStoreNames.contains(OUTBOX)) {
            db.createObjectStore(OUTBOX, { keyPath: "uuid" });
          }
          if (!db.objectStoreNames.contains(DATA)) {
            db.createObjectStore(DATA, { keyPath: "key" });
          }
        };
        request.onsuccess = function () {
          resolve(request.result);
        };
        request.onerror = function () {
          reject(request.error);
        };
      });
    }
    return dbPromise;
  }

  function run(store, mode, action) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode);
        var request = action(tx.objectStore(store));
        tx.oncomplete = function () {
          resolve(request ? request.result : undefined);
        };
        tx.onerror = tx.onabort = function () {
          reject(tx.error);
        };
      });
    });
  }

  var Store = {
    get: function (store, key) {
      return run(store, "readonly", function (s) { return s.get(key); });
    },
    put: function (store, value) {
      return run(store, "readwrite", function (s) { return s.put(value); });
    },
    remove: function (store, key) {
      return run(store, "readwrite", function (s) { return s.delete(key); });
    },
    all: function (store) {
      return run(store, "readonly", function (s) { return s.getAll(); });
    },
    clear: function (store) {
      return run(store, "readwrite", function (s) { return s.clear(); });
    },
  };
  global.CPIEStore = Store;
})(self);
