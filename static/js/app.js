/* Site layout: the menu button of small screens (the menu stays open without JavaScript),
   the confirmation of forms marked data-confirm and the buttons marked data-print (no
   inline handlers: the CSP forbids them). */
(function () {
  "use strict";
  var toggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("navigation");
  if (!toggle || !nav) return;
  toggle.hidden = false;
  document.documentElement.classList.add("js");
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", String(!open));
    nav.classList.toggle("site-nav--open", !open);
  });
})();

(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();

/* The error summary of a refused form (templates/core/error_summary.html): the focus goes
   to it when the page opens, so that a screen reader reads it and Tab goes on to its
   links; a link moves the focus to its field (the checked or first choice of a group,
   the first field of a block), its label or legend scrolled into sight. The same for the
   summaries that scripts build (capture grid): CPIEErrorSummary.focus(element). */
(function () {
  "use strict";
  var FIELDS =
    "input:not([type=hidden]):not([disabled]), select:not([disabled]), " +
    "textarea:not([disabled]), button:not([disabled]), [tabindex]:not([tabindex='-1'])";

  function fieldOf(target) {
    var field = target.matches(FIELDS) ? target : target.querySelector(FIELDS);
    if (field && field.type === "radio" && field.name && field.form) {
      var checked = field.form.querySelector(
        "input[type=radio][name='" + field.name + "']:checked"
      );
      if (checked) field = checked;
    }
    return field;
  }

  function follow(event) {
    var link = event.target.closest("a[href^='#']");
    if (!link || link.hash.length < 2) return;
    var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) return;
    var field = fieldOf(target);
    if (!field) return;
    event.preventDefault();
    for (var fold = field.closest("details"); fold; fold = fold.parentElement.closest("details")) {
      fold.open = true;
    }
    var group = field.closest("fieldset");
    var caption =
      (group && (field.type === "radio" || field.type === "checkbox") &&
        group.querySelector("legend")) ||
      (field.id && document.querySelector("label[for='" + field.id + "']")) ||
      field;
    caption.scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
    field.scrollIntoView({ block: "nearest" });
  }

  function wire(summary) {
    if (!summary.dataset.wired) {
      summary.dataset.wired = "1";
      summary.addEventListener("click", follow);
    }
    summary.focus();
  }

  window.CPIEErrorSummary = { focus: wire };
  var summary = document.querySelector("[data-error-summary]");
  if (summary) wire(summary);
})();

/* Wide tables at 320 px (WCAG 1.4.10): every table of the page scrolls sideways inside its
   box (SCROLL_BOXES: a .table-scroll written in the template or wrapped here around a bare
   table, the indicators' sections) instead of the whole page. While a box overflows it is
   a Tab stop (the arrows scroll it) and a region named after its table, as WCAG 2.1.1
   asks (axe: scrollable-region-focusable); a box that fits is neither. Scripts that add a
   table later (chart data tables) call CPIETables.fit(); a <details> opened is refitted. */
(function () {
  "use strict";
  var SCROLL_BOXES = ".table-scroll, .indicateurs__section";
  var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])";

  function headingBefore(node) {
    for (; node && node !== document.body; node = node.parentElement) {
      for (var before = node.previousElementSibling; before; before = before.previousElementSibling) {
        if (/^H[1-6]$/.test(before.tagName)) return before.textContent.trim();
        var heading = before.querySelector && before.querySelector("h1, h2, h3, h4, h5, h6");
        if (heading && before.tagName !== "TABLE") return heading.textContent.trim();
      }
    }
    return "";
  }

  function nameOf(box) {
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var labelled = box.querySelector("table[aria-label]");
    if (labelled) return labelled.getAttribute("aria-label");
    var own = box.querySelector("h2, h3");
    return (own && own.textContent.trim()) || headingBefore(box) || "Tableau";
  }

  function needsFocus(box) {
    // A box focused by script only (tabindex=-1) is left alone while it holds controls.
    var own = box.getAttribute("tabindex");
    return box.scrollWidth > box.clientWidth + 1 && (own === null || (own === "-1" && !box.querySelector(FOCUSABLE)));
  }

  function fit() {
    document.querySelectorAll("main table").forEach(function (table) {
      if (table.closest(SCROLL_BOXES + ", .leaflet-container")) return;
      var box = document.createElement("div");
      box.className = "table-scroll";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
    document.querySelectorAll(SCROLL_BOXES).forEach(function (box) {
      if (box.hasAttribute("data-scroll-focus")) {
        if (box.scrollWidth > box.clientWidth + 1) return;
        var before = box.getAttribute("data-scroll-focus");
        if (before) box.setAttribute("tabindex", before);
        else box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        box.removeAttribute("data-scroll-focus");
      } else if (needsFocus(box)) {
        box.setAttribute("data-scroll-focus", box.getAttribute("tabindex") || "");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", nameOf(box) + " (défilement horizontal)");
      }
    });
  }

  fit();
  window.addEventListener("load", fit);
  window.addEventListener("resize", fit);
  document.addEventListener("toggle", fit, true);
  window.CPIETables = { fit: fit };
})();

/* A bar stuck to the bottom of the screen ([data-sticky-bar]: the validation queue's bulk
   actions on wide screens, the entry form's save buttons on phones): the page keeps its
   height as scroll padding, so that a field or row reached by Tab (or a link of the error
   summary) scrolls above it instead of under it (WCAG 2.4.11); a focus the browser left
   under it anyway is scrolled clear. Nothing happens while the CSS leaves it in the flow. */
(function () {
  "use strict";
  var bar = document.querySelector("[data-sticky-bar]");
  if (!bar) return;
  var root = document.documentElement;

  function sticky() {
    return window.getComputedStyle(bar).position === "sticky";
  }

  function pad() {
    root.style.scrollPaddingBottom = sticky() ? bar.offsetHeight + 16 + "px" : "";
  }

  pad();
  window.addEventListener("resize", pad);
  if (window.ResizeObserver) new ResizeObserver(pad).observe(bar);

  document.addEventListener("focusin", function (event) {
    if (!sticky() || bar.contains(event.target)) return;
    var box = event.target.getBoundingClientRect();
    var top = bar.getBoundingClientRect().top;
    if (box.bottom > top - 8) window.scrollBy(0, box.bottom - top + 16);
  });
})();
