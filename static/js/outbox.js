/*
 * The outbox: records saved on this device with no network (issue 19 point 1).
 *
 * - A form marked data-outbox="<send URL>" (the new observation's, the new POP
 *   passage's; data-outbox-label names a protocol sheet in the list) is kept in IndexedDB
 *   instead of posted when the browser is offline: every field the form has, files
 *   included (File blobs), plus a UUID made here, which becomes the record's SINP
 *   identifier. The page then stays on the form for the next record (place, date and
 *   observers kept), as "Enregistrer et saisir une autre" does.
 * - The header shows "À envoyer (n)" (data-outbox-badge); the page /observations/a-envoyer/
 *   lists them ([data-outbox-list]), and "Mes saisies" puts them at the top of the
 *   user's records ([data-outbox-rows], with their state: à envoyer, or refusée and why).
 * - They are sent by themselves, one by one, as multipart to the send URL
 *   (POST /api/v1/occurrences/saisie/): at each page load, when the network comes back
 *   ("online"), when the service worker's Background Sync wakes the page. The API answers
 *   the record already made for a known UUID, so a record sent twice is saved once.
 * - A record the server refuses (400) stays, with its French reasons, until it is
 *   corrected ("Corriger" reopens it in the form: ?brouillon=<uuid>) or deleted.
 *
 * - A form posted while the browser believed it was online, whose POST then failed
 *   (no network after all), was kept by the service worker (static/js/sw.js) under
 *   ?en-attente=<key>: it joins the outbox here.
 */
(function (global) {
  "use strict";

  var OUTBOX = "outbox";
  var DATA = "data";
  var Store = global.CPIEStore;

  var badge = document.querySelector("[data-outbox-badge]");
  if (!badge) return; // signed out: nothing to send as anyone
  var user = badge.getAttribute("data-user");
  var sendUrl = badge.getAttribute("data-send-url");
  var outboxUrl = badge.getAttribute("href");

  function mine() {
    return Store.all(OUTBOX).then(function (entries) {
      return entries
        .filter(function (entry) { return entry.user === user; })
        .sort(function (a, b) { return a.created < b.created ? -1 : 1; });
    });
  }

  // ---- The count in the header (and the outbox page's list) ------------------------

  function refresh() {
    return mine().then(function (entries) {
      badge.querySelector("[data-outbox-count]").textContent = String(entries.length);
      badge.hidden = entries.length === 0;
      renderList(entries);
      renderRows(entries);
      return entries;
    });
  }

  function csrfToken() {
    var input = document.querySelector("[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function fieldValue(entry, name) {
    for (var i = 0; i < entry.fields.length; i++) {
      if (entry.fields[i][0] === name) return entry.fields[i][1];
    }
    return "";
  }

  function describe(entry) {
    var what = entry.label
      ? entry.label + (fieldValue(entry, "number") ? ", passage " + fieldValue(entry, "number") : "")
      : fieldValue(entry, "taxon_search") || "Taxon non choisi";
    var date = fieldValue(entry, "date_start") || fieldValue(entry, "date");
    var parts = date ? date.split("-") : [];
    var when = parts.length === 3 ? parts[2] + "/" + parts[1] + "/" + parts[0] : date;
    return what + (when ? " — " + when : "");
  }

  // ---- Keeping a form ---------------------------------------------------------------

  function serialise(form, submitter) {
    var data;
    try {
      data = new FormData(form, submitter || undefined);
    } catch (error) {
      data = new FormData(form); // a browser without the submitter argument
    }
    var fields = [];
    data.forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "uuid") return;
      if (value instanceof File && !value.name && !value.size) return; // no file chosen
      fields.push([name, value]);
    });
    return fields;
  }

  function newUuid() {
    if (global.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
      hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function askBackgroundSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready
      .then(function (registration) {
        if (registration.sync) return registration.sync.register("cpie-outbox");
      })
      .catch(function () {});
  }

  function say(form, text) {
    var status = document.querySelector("[data-outbox-saved]");
    if (!status) {
      status = document.createElement("p");
      status.className = "notice outbox-saved";
      status.setAttribute("role", "status");
      status.setAttribute("data-outbox-saved", "");
      status.setAttribute("data-testid", "outbox-saved");
      form.parentNode.insertBefore(status, form);
    }
    status.textContent = text;
  }

  // The next record starts from this one's place, date and observers; what is proper to
  // one record (the taxon, its counts, the comment) goes back to the page's defaults.
  var PER_RECORD = ["taxon_search", "taxon", "count_min", "count_max", "comment"];

  function resetForNext(form) {
    if (!form.elements.taxon_search) {
      form.reset(); // a protocol sheet (POP passage): the next one starts blank
      return;
    }
    PER_RECORD.forEach(function (name) {
      var input = form.elements[name];
      if (input && "defaultValue" in input) input.value = input.defaultValue;
    });
    var chosen = form.querySelector("[data-autocomplete].is-chosen");
    if (chosen) chosen.classList.remove("is-chosen");
    var taxon = form.elements.taxon_search;
    if (taxon) {
      taxon.value = "";
      taxon.focus();
    }
  }

  function newEntry(form, fields, draft) {
    return {
      uuid: draft ? draft.uuid : newUuid(),
      user: user,
      url: form.getAttribute("data-outbox"),
      label: form.getAttribute("data-outbox-label") || "",
      page: location.pathname,
      fields: fields,
      created: draft ? draft.created : new Date().toISOString(),
      status: "waiting",
      errors: null,
    };
  }

  function savedText(entry, count) {
    return (entry.label ? "" : "Observation de ") + describe(entry) +
      " gardée sur l'appareil : elle partira dès le retour du réseau " +
      "(à envoyer : " + count + ").";
  }

  function keep(form, submitter, draft) {
    var entry = newEntry(form, serialise(form, submitter), draft);
    return Store.put(OUTBOX, entry).then(function () {
      askBackgroundSync();
      return refresh().then(function (entries) {
        return { entry: entry, count: entries.length };
      });
    });
  }

  function draftUuid() {
    var match = location.search.match(/[?&]brouillon=([0-9a-f-]{36})/);
    return match ? match[1] : null;
  }

  // A form the service worker kept when its POST failed (?en-attente=<key>).
  function adoptPending(form) {
    var match = location.search.match(/[?&]en-attente=([a-z0-9]+)/);
    if (!match) return;
    var key = "pending-" + match[1];
    history.replaceState(null, "", location.pathname);
    Store.get(DATA, key).then(function (pending) {
      if (!pending) return;
      var fields = pending.fields.filter(function (pair) {
        return pair[0] !== "csrfmiddlewaretoken";
      });
      var entry = newEntry(form, fields, null);
      return Store.put(OUTBOX, entry)
        .then(function () { return Store.remove(DATA, key); })
        .then(function () {
          askBackgroundSync();
          return refresh();
        })
        .then(function (entries) {
          say(form, savedText(entry, entries.length));
        });
    });
  }

  function attachForm(form) {
    adoptPending(form);
    var draft = null;
    var uuid = draftUuid();
    if (uuid) {
      Store.get(OUTBOX, uuid).then(function (entry) {
        if (entry && entry.user === user) {
          draft = entry;
          fill(form, entry);
        }
      });
    }
    form.addEventListener("submit", function (event) {
      // Online, a new record goes the usual way (the page checks it and answers);
      // a reopened draft always goes back to the outbox, under its own UUID.
      if (navigator.onLine && !draft) return;
      event.preventDefault();
      var wasDraft = draft;
      keep(form, event.submitter, draft)
        .then(function (kept) {
          if (wasDraft) {
            if (navigator.onLine) {
              send().then(function () { location.href = outboxUrl; });
            } else {
              location.href = outboxUrl;
            }
            return;
          }
          say(form, savedText(kept.entry, kept.count));
          resetForNext(form);
          var notice = document.querySelector("[data-outbox-saved]");
          if (notice && !form.elements.taxon_search) notice.scrollIntoView();
        })
        .catch(function () {
          say(form, "L'observation n'a pas pu être gardée sur l'appareil.");
        });
    });
  }

  // ---- Reopening a refused record in its form ---------------------------------------

  function setField(form, name, value) {
    var elements = form.querySelectorAll('[name="' + name + '"]');
    elements.forEach(function (element) {
      if (element.type === "radio" || element.type === "checkbox") {
        if (String(element.value) === String(value)) element.checked = true;
      } else if (element.type === "file") {
        if (value instanceof Blob && global.DataTransfer) {
          var transfer = new DataTransfer();
          Array.prototype.forEach.call(element.files || [], function (file) {
            transfer.items.add(file);
          });
          transfer.items.add(value);
          element.files = transfer.files;
        }
      } else if (element.tagName === "SELECT" && element.multiple) {
        Array.prototype.forEach.call(element.options, function (option) {
          if (option.value === String(value)) option.selected = true;
        });
      } else {
        element.value = value;
      }
    });
  }

  function fill(form, entry) {
    // Checkboxes and multiple selects hold only what the record had.
    form.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      box.checked = false;
    });
    form.querySelectorAll("select[multiple] option").forEach(function (option) {
      option.selected = false;
    });
    entry.fields.forEach(function (pair) {
      setField(form, pair[0], pair[1]);
    });
    var root = form.querySelector("[data-autocomplete]");
    if (root && form.elements.taxon && form.elements.taxon.value) {
      root.classList.add("is-chosen");
    }
    var x = form.elements.coord_x;
    if (x && x.value) x.dispatchEvent(new Event("change"));
    say(
      form,
      "Saisie reprise de la liste « à envoyer » : corrigez-la puis enregistrez-la." +
        (entry.errors ? " Refusée : " + reasons(entry).join(" ; ") : "")
    );
  }

  // ---- Sending ----------------------------------------------------------------------

  var sending = null;

  function reasons(entry) {
    var errors = entry.errors || {};
    var labels = errors.labels || {};
    var list = [];
    Object.keys(errors).forEach(function (field) {
      if (field === "labels") return;
      var messages = errors[field];
      if (!Array.isArray(messages)) messages = [String(messages)];
      messages.forEach(function (message) {
        var label = labels[field];
        list.push(label ? label + " : " + message : message);
      });
    });
    return list;
  }

  // The server's French reasons for refusing a record, as a list.
  function reasonsList(entry) {
    var why = document.createElement("ul");
    why.className = "field-error outbox__reasons";
    why.setAttribute("data-testid", "outbox-reasons");
    reasons(entry).forEach(function (text) {
      var line = document.createElement("li");
      line.textContent = text;
      why.appendChild(line);
    });
    return why;
  }

  function sendOne(entry) {
    var body = new FormData();
    entry.fields.forEach(function (pair) {
      body.append(pair[0], pair[1]);
    });
    body.append("uuid", entry.uuid);
    return fetch(entry.url || sendUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      if (response.ok) return Store.remove(OUTBOX, entry.uuid).then(function () { return true; });
      if (response.status === 400 || response.status === 409) {
        return response.json().catch(function () { return {}; }).then(function (errors) {
          entry.status = "refused";
          entry.errors = errors;
          return Store.put(OUTBOX, entry).then(function () { return true; });
        });
      }
      // Signed out, server busy…: it stays and is tried again later.
      entry.lastProblem = response.status === 403 || response.status === 401
        ? "Connectez-vous pour l'envoyer."
        : "Le serveur n'a pas pu l'enregistrer (erreur " + response.status + ").";
      return Store.put(OUTBOX, entry).then(function () { return false; });
    });
  }

  function send() {
    if (sending) return sending;
    sending = mine()
      .then(function (entries) {
        var waiting = entries.filter(function (entry) { return entry.status !== "refused"; });
        var sent = 0;
        return waiting.reduce(function (chain, entry) {
          return chain.then(function (go) {
            if (!go) return false;
            return sendOne(entry).then(function (ok) {
              if (ok) sent++;
              return ok;
            });
          });
        }, Promise.resolve(true)).then(function () { return sent; });
      })
      .catch(function () { return 0; }) // no network after all: next time
      .then(function (sent) {
        sending = null;
        return refresh().then(function (entries) {
          retryLater(entries);
          return sent;
        });
      });
    return sending;
  }

  // The "online" event can come before the network carries anything (or the server was
  // busy): what still waits is tried again, less and less often, while the page is open.
  var retryTimer = null;
  var retryDelay = 5000;

  function retryLater(entries) {
    clearTimeout(retryTimer);
    var waiting = entries.some(function (entry) { return entry.status !== "refused"; });
    if (!waiting) {
      retryDelay = 5000;
      return;
    }
    retryTimer = setTimeout(function () {
      if (navigator.onLine) send();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 120000);
  }

  // ---- The outbox page ---------------------------------------------------------------

  var list = document.querySelector("[data-outbox-list]");
  var status = document.querySelector("[data-outbox-status]");
  var sendButton = document.querySelector("[data-outbox-send]");

  function renderList(entries) {
    if (!list) return;
    list.innerHTML = "";
    if (status) {
      status.textContent = entries.length
        ? entries.length + (entries.length > 1 ? " saisies à envoyer." : " saisie à envoyer.")
        : "Aucune saisie à envoyer : tout est parti.";
    }
    if (sendButton) sendButton.hidden = !entries.length;
    entries.forEach(function (entry) {
      var item = document.createElement("li");
      item.className = "outbox__item card" + (entry.status === "refused" ? " outbox__item--refused" : "");
      item.setAttribute("data-testid", "outbox-item");
      var title = document.createElement("p");
      title.className = "outbox__title";
      title.textContent = describe(entry);
      item.appendChild(title);
      var state = document.createElement("p");
      state.className = "outbox__state";
      state.textContent = entry.status === "refused"
        ? "Refusée par le serveur :"
        : "En attente du réseau." + (entry.lastProblem ? " " + entry.lastProblem : "");
      item.appendChild(state);
      if (entry.status === "refused") item.appendChild(reasonsList(entry));
      var actions = document.createElement("p");
      actions.className = "outbox__actions";
      var edit = document.createElement("a");
      edit.className = "button button--light";
      edit.href = (entry.page || "/observations/nouvelle/") + "?brouillon=" + entry.uuid;
      edit.textContent = "Corriger";
      edit.setAttribute("aria-label", "Corriger " + describe(entry));
      actions.appendChild(edit);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button button--light";
      remove.textContent = "Supprimer";
      remove.setAttribute("aria-label", "Supprimer " + describe(entry));
      remove.addEventListener("click", function () {
        if (!global.confirm("Supprimer définitivement cette saisie de l'appareil ?")) return;
        Store.remove(OUTBOX, entry.uuid).then(refresh);
      });
      actions.appendChild(remove);
      item.appendChild(actions);
      list.appendChild(item);
    });
  }

  // ---- "Mes saisies": what still waits on this device, at the top of the records ------

  var rows = document.querySelector("[data-outbox-rows]");

  function frenchDate(iso) {
    var parts = String(iso || "").split("-");
    return parts.length === 3 ? parts[2] + "/" + parts[1] + "/" + parts[0] : iso || "—";
  }

  function cell(row, label, content) {
    var td = document.createElement("td");
    if (label) td.setAttribute("data-label", label);
    if (content instanceof Node) td.appendChild(content);
    else td.textContent = content;
    row.appendChild(td);
    return td;
  }

  function renderRows(entries) {
    if (!rows) return;
    rows.innerHTML = "";
    var table = rows.closest("table");
    var count = document.querySelector("[data-outbox-rows-status]");
    var empty = document.querySelector("[data-outbox-rows-empty]");
    if (count) {
      var refused = entries.filter(function (entry) { return entry.status === "refused"; }).length;
      count.textContent = entries.length
        ? entries.length + (entries.length > 1 ? " saisies attendent" : " saisie attend") +
          " sur cet appareil, en tête de liste" +
          (refused ? " (dont " + refused + " refusée" + (refused > 1 ? "s" : "") + " à corriger)." : ".")
        : "";
    }
    if (entries.length) {
      if (table) table.hidden = false;
      if (empty) empty.hidden = true;
    }
    entries.slice().reverse().forEach(function (entry) {
      var row = document.createElement("tr");
      row.className = "outbox-row" + (entry.status === "refused" ? " outbox-row--refused" : "");
      row.setAttribute("data-testid", "outbox-row");
      var created = new Date(entry.created);
      var time = document.createElement("time");
      time.dateTime = entry.created;
      time.textContent = isNaN(created) ? "" : created.toLocaleString("fr-FR", {
        day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
      }).replace(",", "");
      cell(row, "Saisie le", time);
      var what = document.createElement("span");
      what.textContent = entry.label || fieldValue(entry, "taxon_search") || "Taxon non choisi";
      cell(row, "", what).className = "occ-table__taxon";
      cell(row, "Observée le", frenchDate(fieldValue(entry, "date_start") || fieldValue(entry, "date")));
      var low = fieldValue(entry, "count_min");
      var high = fieldValue(entry, "count_max");
      cell(row, "Nombre", low && high && low !== high ? low + "–" + high : low || high || "—");
      cell(row, "Commune", "—");
      cell(row, "Jeu de données", "—");
      var state = document.createElement("div");
      var badgeText = document.createElement("span");
      badgeText.className = "badge " + (entry.status === "refused" ? "badge--v4" : "badge--v0");
      badgeText.textContent = entry.status === "refused" ? "Refusée" : "À envoyer";
      state.appendChild(badgeText);
      if (entry.status === "refused") {
        state.appendChild(reasonsList(entry));
      } else if (entry.lastProblem) {
        var problem = document.createElement("p");
        problem.className = "muted outbox__state";
        problem.textContent = entry.lastProblem;
        state.appendChild(problem);
      }
      var edit = document.createElement("a");
      edit.href = (entry.page || "/observations/nouvelle/") + "?brouillon=" + entry.uuid;
      edit.textContent = entry.status === "refused" ? "Corriger" : "Modifier";
      edit.setAttribute("aria-label", edit.textContent + " " + describe(entry));
      var actions = document.createElement("p");
      actions.className = "outbox__state";
      actions.appendChild(edit);
      state.appendChild(actions);
      cell(row, "Validation", state);
      rows.appendChild(row);
    });
  }

  if (sendButton) {
    sendButton.addEventListener("click", function () {
      if (status) status.textContent = "Envoi en cours…";
      send().then(function (sent) {
        if (status && sent) status.textContent += " " + sent + " envoyée" + (sent > 1 ? "s." : ".");
      });
    });
  }

  // ---- Start --------------------------------------------------------------------------

  document.querySelectorAll("form[data-outbox]").forEach(attachForm);
  refresh().then(function () {
    if (navigator.onLine) send();
  }).catch(function () {});
  global.addEventListener("online", function () { send(); });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      // Woken by Background Sync (which may fire while the phone has no network): a page
      // that knows it is offline sends nothing, as at its opening.
      if (event.data && event.data.type === "send-outbox" && navigator.onLine) send();
    });
  }

  global.CPIEOutbox = { send: send, refresh: refresh, keep: keep };
})(window);
