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

/* Tables wider than the screen scroll inside their box (SCROLL_BOXES): while a box scrolls,
   it takes the keyboard focus (arrow keys scroll it) and is named after its table, as WCAG
   2.1.1 asks (axe: scrollable-region-focusable); a box that fits is no tab stop. */
(function () {
  "use strict";
  function nameOf(box) {
    var caption = box.querySelector("caption");
    if (caption) return caption.textContent.trim();
    var labelled = box.querySelector("table[aria-label]");
    if (labelled) return labelled.getAttribute("aria-label");
    var heading = box.closest("section, .card, article");
    heading = heading && heading.querySelector("h2, h3");
    return heading ? heading.textContent.trim() : "Tableau";
  }
  // Boxes that scroll sideways: the tables' wrappers, the indicators' sections.
  var SCROLL_BOXES = ".table-scroll, .indicateurs__section";
  var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])";
  function needsFocus(box) {
    // A box focused by script only (tabindex=-1) is left alone while it holds controls.
    var own = box.getAttribute("tabindex");
    return box.scrollWidth > box.clientWidth && (own === null || (own === "-1" && !box.querySelector(FOCUSABLE)));
  }
  function update() {
    document.querySelectorAll(SCROLL_BOXES).forEach(function (box) {
      if (box.hasAttribute("data-scroll-focus")) {
        if (box.scrollWidth > box.clientWidth) return;
        var before = box.getAttribute("data-scroll-focus");
        if (before) box.setAttribute("tabindex", before); else box.removeAttribute("tabindex");
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
  update();
  window.addEventListener("load", update);
  window.addEventListener("resize", update);
})();
