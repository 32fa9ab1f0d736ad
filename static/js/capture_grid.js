/*
 * The capture grid of a ringing session (templates/baguage/session_detail.html): one line
 * per bird, entered with the keyboard only and saved without reloading the page.
 *
 * - Tab moves through the entry row; Entrée saves it through the API (POST or PATCH
 *   /api/v1/baguage/captures/); the saved line joins the table, the entry row is reset to
 *   the session defaults (the time is kept) and the focus returns to its first field.
 * - Refused lines: the errors show under each field and in an alert; a question (control
 *   ring seen on another species) is answered with Ctrl+Entrée or its button, which sends
 *   the line again with confirm=true. Warnings (biometrics) show once the line is saved.
 * - For a new ring (B), choosing the species proposes the next free ring of its usual size;
 *   for a control (C) or recovery (R), the ring's history shows under the grid.
 * - "Modifier" loads a line into the entry row (Échap cancels); "Supprimer" deletes it.
 * Configuration: the JSON of #capture-grid-config (URLs, defaults, columns).
 */
(function () {
  "use strict";

  var configElement = document.getElementById("capture-grid-config");
  var form = document.getElementById("capture-form");
  var entry = form && form.querySelector("[data-entry-row]");
  if (!configElement || !entry) return;

  var config = JSON.parse(configElement.textContent);
  var columns = config.columns;
  var body = form.querySelector("[data-grid-body]");
  var countElement = document.querySelector("[data-grid-count]");
  var entryLabel = entry.querySelector("[data-entry-label]");
  var saveButton = entry.querySelector("[data-save]");
  var cancelButton = entry.querySelector("[data-cancel]");
  var errorsBox = document.getElementById("grid-errors");
  var confirmBox = document.getElementById("grid-confirm");
  var confirmText = confirmBox.querySelector("[data-confirm-text]");
  var confirmButton = confirmBox.querySelector("[data-confirm]");
  var statusBox = document.getElementById("grid-status");
  var historyBox = document.getElementById("ring-history");
  var taxonRoot = entry.querySelector("[data-autocomplete]");
  var taxonInput = taxonRoot.querySelector("[data-autocomplete-input]");
  var taxonValue = taxonRoot.querySelector("[data-autocomplete-value]");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var STICKY = ["time"]; // kept from one bird to the next (same net round)
  var LABELS = {};
  var MEANINGS = {}; // "B" → "baguage": read after the code by screen readers
  columns.forEach(function (column) {
    LABELS[column.name] = column.label;
    if (column.choices) {
      MEANINGS[column.name] = {};
      column.choices.forEach(function (choice) {
        MEANINGS[column.name][choice[0]] = String(choice[1]).split(" – ").pop();
      });
    }
  });

  var editing = null; // id of the capture loaded in the entry row
  var pendingConfirm = false;
  var saving = false;
  var historyRequest = 0;

  // A marker of this page load: tests check that entering captures never reloads.
  document.documentElement.dataset.gridLoaded = String(Date.now()) + Math.random();

  function field(name) {
    if (name === "taxon") return taxonInput;
    return entry.querySelector("[data-field='" + name + "']");
  }

  function firstField() {
    return field(columns[0].name);
  }

  /* ---------- reading and writing the entry row ---------- */

  function normaliseTime(text) {
    var value = text.trim().replace(/h/i, ":").replace(".", ":");
    if (!value) return null;
    var digits = value.replace(":", "");
    if (/^\d{3,4}$/.test(value)) {
      digits = value.length === 3 ? "0" + value : value;
      return digits.slice(0, 2) + ":" + digits.slice(2);
    }
    var parts = value.split(":");
    if (parts.length === 2 && /^\d{1,2}$/.test(parts[0])) {
      var minutes = parts[1] || "00";
      return ("0" + parts[0]).slice(-2) + ":" + ("0" + minutes).slice(-2);
    }
    return digits ? value : null;
  }

  function readValue(column) {
    if (column.kind === "taxon") return taxonValue.value ? Number(taxonValue.value) : null;
    var value = field(column.name).value.trim();
    if (column.kind === "decimal") return value ? value.replace(",", ".") : null;
    if (column.kind === "int") return value || null;
    if (column.kind === "time") return normaliseTime(value);
    return value;
  }

  function payload() {
    var data = {};
    columns.forEach(function (column) {
      data[column.name] = readValue(column);
    });
    return data;
  }

  function setTaxon(id, label) {
    taxonInput.value = label || "";
    taxonValue.value = id ? String(id) : "";
    taxonRoot.classList.toggle("is-chosen", Boolean(id));
  }

  function fill(data, keepSticky) {
    columns.forEach(function (column) {
      if (column.kind === "taxon") {
        setTaxon(data.taxon, data.taxon_name);
        return;
      }
      if (keepSticky && STICKY.indexOf(column.name) !== -1) return;
      var value = data[column.name];
      if (column.name === "time" && value) value = value.slice(0, 5);
      field(column.name).value = value === null || value === undefined ? "" : value;
    });
    delete field("ring_number").dataset.auto;
  }

  function resetEntry() {
    fill(config.defaults, true);
    editing = null;
    entry.classList.remove("is-editing");
    entryLabel.textContent = "+";
    cancelButton.hidden = true;
    saveButton.textContent = "Enregistrer";
    clearErrors();
    hideConfirm();
    historyBox.hidden = true;
  }

  /* ---------- messages ---------- */

  function say(text) {
    statusBox.textContent = text;
  }

  function clearErrors() {
    errorsBox.textContent = "";
    entry.querySelectorAll(".grid-error").forEach(function (element) {
      element.hidden = true;
      element.textContent = "";
    });
    entry.querySelectorAll("[aria-invalid]").forEach(function (element) {
      element.removeAttribute("aria-invalid");
    });
  }

  function showErrors(errors) {
    clearErrors();
    var summary = [];
    var firstInvalid = null;
    Object.keys(errors).forEach(function (name) {
      if (name === "to_confirm") return;
      var messages = [].concat(errors[name]).map(String);
      var box = document.getElementById("err-" + name);
      if (box && LABELS[name]) {
        box.textContent = messages.join(" ");
        box.hidden = false;
        field(name).setAttribute("aria-invalid", "true");
        if (!firstInvalid) firstInvalid = field(name);
        summary.push(LABELS[name] + " : " + messages.join(" "));
      } else {
        summary.push(messages.join(" "));
      }
    });
    if (summary.length) {
      var title = document.createElement("p");
      title.textContent = "Ligne non enregistrée.";
      var list = document.createElement("ul");
      summary.forEach(function (text) {
        var item = document.createElement("li");
        item.textContent = text;
        list.appendChild(item);
      });
      errorsBox.appendChild(title);
      errorsBox.appendChild(list);
    }
    return firstInvalid;
  }

  function showConfirm(questions) {
    pendingConfirm = true;
    confirmText.textContent = questions.join(" ");
    confirmBox.hidden = false;
  }

  function hideConfirm() {
    pendingConfirm = false;
    confirmBox.hidden = true;
    confirmText.textContent = "";
  }

  /* ---------- the table of saved lines ---------- */

  function display(name, data) {
    var value = data[name];
    if (name === "taxon") return data.taxon_name || "";
    if (name === "age" && data.age_french) return value + " (" + data.age_french + ")";
    if (name === "time" && value) return value.slice(0, 5);
    return value === null || value === undefined ? "" : String(value);
  }

  function button(label, kind, line) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "button button--small " + (kind === "edit" ? "button--light" : "button--danger");
    element.textContent = kind === "edit" ? "Modifier" : "Supprimer";
    element.setAttribute("aria-label", label + " la ligne " + line);
    element.setAttribute("aria-describedby", "rows-help");
    element.setAttribute(kind === "edit" ? "data-edit" : "data-delete", "");
    return element;
  }

  function buildRow(capture) {
    var row = document.createElement("tr");
    row.dataset.capture = capture.id;
    var head = document.createElement("th");
    head.scope = "row";
    head.className = "capture-grid__line";
    head.textContent = capture.line;
    row.appendChild(head);
    columns.forEach(function (column) {
      var cell = document.createElement("td");
      var text = display(column.name, capture);
      cell.textContent = text;
      var meaning = MEANINGS[column.name] && MEANINGS[column.name][text];
      if (meaning) {
        var hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = " (" + meaning + ")";
        cell.appendChild(hidden);
      }
      row.appendChild(cell);
    });
    var actions = document.createElement("td");
    actions.className = "capture-grid__actions";
    actions.appendChild(button("Modifier", "edit", capture.line));
    actions.appendChild(document.createTextNode(" "));
    actions.appendChild(button("Supprimer", "delete", capture.line));
    row.appendChild(actions);
    if (capture.warnings && capture.warnings.length) {
      row.classList.add("has-warning");
      row.title = capture.warnings.join(" ");
    }
    return row;
  }

  function updateCount() {
    countElement.textContent = String(body.querySelectorAll("tr[data-capture]").length);
    rove();
  }

  /* ---------- the saved lines: one Tab stop (a roving tabindex) ----------
     Of all the "Modifier" / "Supprimer" buttons of the saved lines, one only is in the Tab
     order (the last one used, else the first line's "Modifier"): the entry row comes
     after a handful of Tab stops whatever the number of captures. Up/Down change line,
     Left/Right go from one button to the other, Home/End to the first/last line. */

  function rowButtons() {
    return Array.prototype.slice.call(body.querySelectorAll("[data-edit], [data-delete]"));
  }

  function rove(current) {
    var buttons = rowButtons();
    if (!buttons.length) return;
    if (!current || buttons.indexOf(current) < 0) {
      current = buttons.filter(function (b) { return b.tabIndex === 0 && b.hasAttribute("data-roving"); })[0] || buttons[0];
    }
    buttons.forEach(function (b) {
      b.tabIndex = b === current ? 0 : -1;
      b.setAttribute("data-roving", "");
    });
  }

  function moveTo(target) {
    if (!target) return;
    rove(target);
    target.focus();
  }

  body.addEventListener("keydown", function (event) {
    var current = event.target.closest("[data-edit], [data-delete]");
    if (!current || event.altKey || event.ctrlKey || event.metaKey) return;
    var row = current.closest("tr");
    var kind = current.hasAttribute("data-edit") ? "[data-edit]" : "[data-delete]";
    var rows = Array.prototype.slice.call(body.querySelectorAll("tr[data-capture]")).filter(function (r) {
      return r.querySelector(kind);
    });
    var index = rows.indexOf(row);
    var target = null;
    if (event.key === "ArrowDown") target = rows[index + 1] && rows[index + 1].querySelector(kind);
    else if (event.key === "ArrowUp") target = rows[index - 1] && rows[index - 1].querySelector(kind);
    else if (event.key === "Home") target = rows[0] && rows[0].querySelector(kind);
    else if (event.key === "End") target = rows.length && rows[rows.length - 1].querySelector(kind);
    else if (event.key === "ArrowRight") target = row.querySelector("[data-delete]");
    else if (event.key === "ArrowLeft") target = row.querySelector("[data-edit]");
    else return;
    event.preventDefault();
    moveTo(target);
  });
  body.addEventListener("focusin", function (event) {
    var current = event.target.closest("[data-edit], [data-delete]");
    if (current) rove(current);
  });

  /* The way to the entry row from the top of the grid (its link). */
  function toEntry(event) {
    if (event) event.preventDefault();
    entry.scrollIntoView({ block: "nearest" });
    firstField().focus();
  }
  var skip = document.querySelector("[data-skip-to-entry]");
  if (skip) skip.addEventListener("click", toEntry);
  rove();

  /* ---------- API calls ---------- */

  function request(method, url, data) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf },
    };
    if (data !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(data);
    }
    return fetch(url, options).then(function (response) {
      if (response.status === 204) return { status: 204, data: null };
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (json) {
          return { status: response.status, data: json };
        });
    });
  }

  function captureUrl(id) {
    return config.capturesUrl + id + "/";
  }

  function save(confirm) {
    if (saving) return;
    saving = true;
    saveButton.disabled = true;
    var data = payload();
    data.confirm = Boolean(confirm);
    var method = "POST";
    var url = config.capturesUrl;
    if (editing) {
      method = "PATCH";
      url = captureUrl(editing);
    } else {
      data.session = config.session;
    }
    request(method, url, data)
      .then(function (result) {
        if (result.status === 200 || result.status === 201) {
          saved(result.data, method === "PATCH");
        } else if (result.status === 400) {
          var invalid = showErrors(result.data || {});
          if (result.data && result.data.to_confirm) {
            showConfirm(result.data.to_confirm);
            say("Question avant d'enregistrer : " + result.data.to_confirm.join(" "));
          } else {
            hideConfirm();
            say("");
            if (invalid) invalid.focus();
          }
        } else {
          showErrors({
            __all__: [
              "Enregistrement impossible (erreur " + result.status + ") : " +
                ((result.data && result.data.detail) || "réessayez."),
            ],
          });
        }
      })
      .catch(function () {
        showErrors({ __all__: ["Le serveur ne répond pas : la ligne n'est pas enregistrée, réessayez."] });
      })
      .then(function () {
        saving = false;
        saveButton.disabled = false;
      });
  }

  function saved(capture, changed) {
    var row = buildRow(capture);
    if (changed) {
      var old = body.querySelector("tr[data-capture='" + capture.id + "']");
      if (old) old.replaceWith(row);
      else body.appendChild(row);
    } else {
      body.appendChild(row);
    }
    updateCount();
    refreshProblems();
    var text = (changed ? "Ligne " + capture.line + " modifiée" : "Ligne " + capture.line + " enregistrée") +
      " : " + capture.action + " " + capture.ring_number + " " + (capture.taxon_name || "") + ".";
    if (capture.warnings && capture.warnings.length) {
      text += " Attention : " + capture.warnings.join(" ");
    }
    say(text);
    statusBox.classList.toggle("grid-status--warning", Boolean(capture.warnings && capture.warnings.length));
    resetEntry();
    row.scrollIntoView({ block: "nearest" });
    if (!changed && capture.action === "B" && capture.ring_size) {
      proposeRing({ taille: capture.ring_size }, false);
    }
    firstField().focus();
  }

  // The STOC checks count the captures: ask the session again after each change.
  var problemsBox = document.querySelector("[data-problems]");
  function refreshProblems() {
    if (!problemsBox || !config.sessionUrl) return;
    request("GET", config.sessionUrl).then(function (result) {
      if (result.status !== 200) return;
      var list = problemsBox.querySelector("[data-problems-list]");
      var problems = result.data.protocol_problems || [];
      list.textContent = "";
      problems.forEach(function (text) {
        var item = document.createElement("li");
        item.textContent = text;
        list.appendChild(item);
      });
      problemsBox.hidden = problems.length === 0;
    });
  }

  /* ---------- ring proposals and history ---------- */

  function query(url, params) {
    var parts = Object.keys(params).map(function (key) {
      return encodeURIComponent(key) + "=" + encodeURIComponent(params[key]);
    });
    return url + "?" + parts.join("&");
  }

  // Only the latest proposal counts: an earlier one (the previous bird's size, asked after
  // a save) may answer after the one for the species just chosen.
  var proposalSeq = 0;
  function proposeRing(params, announce) {
    var ring = field("ring_number");
    var seq = ++proposalSeq;
    fetch(query(config.nextRingUrl, params), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (seq !== proposalSeq) return;
        if (!data || editing || field("action").value !== "B") return;
        if (ring.value && !ring.dataset.auto) return; // typed by the ringer: keep it
        if (data.ring) {
          ring.value = data.ring;
          ring.dataset.auto = "1";
          // Already in the field: keep the proposal selected, so typing replaces it.
          if (document.activeElement === ring) ring.select();
          // After a save the status keeps the saved line and its warnings.
          if (announce) say("Bague proposée : " + data.ring + " (taille " + data.size + ").");
        } else if (ring.dataset.auto) {
          ring.value = "";
          delete ring.dataset.auto;
        }
      })
      .catch(function () {});
  }

  function showHistory() {
    var action = field("action").value;
    var number = field("ring_number").value.trim();
    if (action === "B" || !number) {
      historyBox.hidden = true;
      return;
    }
    var scheme = field("ring_scheme").value.trim() || "FRP";
    var token = ++historyRequest;
    fetch(query(config.historyUrl, { bague: number, centre: scheme }), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data || token !== historyRequest) return;
        historyBox.textContent = "";
        var title = document.createElement("p");
        var strong = document.createElement("strong");
        strong.textContent = "Bague " + data.scheme + " " + data.ring + " : ";
        title.appendChild(strong);
        if (!data.known) {
          title.appendChild(document.createTextNode(
            "inconnue dans la base. Elle sera enregistrée telle quelle ; pour une bague " +
              "étrangère, indiquez son centre (colonne « Centre », ex. BLB, NLA)."
          ));
          historyBox.appendChild(title);
        } else {
          title.appendChild(document.createTextNode("historique des captures."));
          historyBox.appendChild(title);
          var list = document.createElement("ul");
          data.captures.forEach(function (capture) {
            var item = document.createElement("li");
            var date = capture.date.split("-").reverse().join("/");
            item.textContent = date + " · " + capture.action + " · " + capture.taxon_name +
              " · âge " + capture.age + " · sexe " + capture.sex + " · " + capture.station;
            list.appendChild(item);
          });
          if (data.hidden) {
            var more = document.createElement("li");
            more.textContent = data.hidden + " capture(s) dans les données d'autres organismes.";
            list.appendChild(more);
          }
          historyBox.appendChild(list);
        }
        historyBox.hidden = false;
      })
      .catch(function () {});
  }

  /* ---------- editing and deleting saved lines ---------- */

  function startEdit(row) {
    var id = row.dataset.capture;
    request("GET", captureUrl(id)).then(function (result) {
      if (result.status !== 200) {
        say("Impossible de charger la ligne (erreur " + result.status + ").");
        return;
      }
      clearErrors();
      hideConfirm();
      fill(result.data, false);
      editing = id;
      entry.classList.add("is-editing");
      entryLabel.textContent = String(result.data.line);
      cancelButton.hidden = false;
      saveButton.textContent = "Enregistrer la modification";
      say("Modification de la ligne " + result.data.line + " : Entrée enregistre, Échap annule.");
      entry.scrollIntoView({ block: "nearest" });
      firstField().focus();
    });
  }

  function remove(row) {
    var line = row.querySelector("th").textContent;
    if (!window.confirm("Supprimer la ligne " + line + " et son observation publiée ?")) return;
    request("DELETE", captureUrl(row.dataset.capture)).then(function (result) {
      if (result.status !== 204) {
        say("Suppression impossible (erreur " + result.status + ").");
        return;
      }
      var next = row.nextElementSibling || row.previousElementSibling;
      if (editing === row.dataset.capture) resetEntry();
      row.remove();
      updateCount();
      refreshProblems();
      say("Ligne " + line + " supprimée.");
      var focusTarget = next && next.querySelector("[data-delete]");
      if (focusTarget) moveTo(focusTarget);
      else firstField().focus();
    });
  }

  /* ---------- events ---------- */

  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.defaultPrevented) {
      var target = event.target;
      if (target.tagName === "BUTTON" || !entry.contains(target)) return;
      event.preventDefault();
      save(event.ctrlKey || event.metaKey ? pendingConfirm : false);
    } else if (event.key === "Escape" && entry.contains(event.target) && !event.defaultPrevented) {
      if (editing) {
        event.preventDefault();
        resetEntry();
        say("Modification annulée.");
        firstField().focus();
      }
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    save(false);
  });

  confirmButton.addEventListener("click", function () {
    save(true);
    firstField().focus();
  });

  cancelButton.addEventListener("click", function () {
    resetEntry();
    firstField().focus();
  });

  body.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target) return;
    var row = target.closest("tr[data-capture]");
    if (target.hasAttribute("data-edit")) startEdit(row);
    else if (target.hasAttribute("data-delete")) remove(row);
  });

  taxonRoot.addEventListener("autocomplete:change", function (event) {
    var ring = field("ring_number");
    if (!event.detail || editing || field("action").value !== "B") return;
    if (!ring.value || ring.dataset.auto) proposeRing({ taxon: event.detail.value }, true);
  });

  field("ring_number").addEventListener("input", function () {
    delete field("ring_number").dataset.auto;
  });
  field("ring_number").addEventListener("focus", function () {
    field("ring_number").select();
  });
  field("ring_number").addEventListener("change", showHistory);
  field("ring_scheme").addEventListener("change", showHistory);
  field("action").addEventListener("change", showHistory);

  // The species list opens below the last row: out of the scrolling table, fixed on screen.
  var list = taxonRoot.querySelector("[role=listbox]");
  function placeList() {
    if (list.hidden) return;
    var box = taxonInput.getBoundingClientRect();
    list.style.position = "fixed";
    list.style.left = box.left + "px";
    list.style.width = Math.max(box.width, 280) + "px";
    var below = window.innerHeight - box.bottom;
    if (below < 200 && box.top > below) {
      list.style.top = "";
      list.style.bottom = window.innerHeight - box.top + "px";
    } else {
      list.style.bottom = "";
      list.style.top = box.bottom + "px";
    }
  }
  new MutationObserver(placeList).observe(list, { attributes: true, attributeFilter: ["hidden"] });
  window.addEventListener("resize", placeList);
  window.addEventListener("scroll", placeList, true);

  resetEntry();
  window.CPIECaptureGrid = { save: save, reset: resetEntry };
})();
