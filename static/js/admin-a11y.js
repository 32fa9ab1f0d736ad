/* The Django admin's fields without an accessible name, named after their label
   (WCAG 1.3.1, 4.1.2), and its scrolling tables made reachable by keyboard (2.1.1).
   Loaded by templates/admin/base_site.html; checked by tests/e2e/test_accessibility.py.
   - autocomplete fields (select2): the box (role=combobox) and its search field;
   - date/time pairs (AdminSplitDateTime): "Date" and "Heure" inputs with no <label>;
   - inline tables that scroll sideways: focusable, named after their heading. */
(function () {
  "use strict";

  function labelOf(field) {
    const row = field.closest(".form-row, .fieldBox, td, .form-multiline > div");
    const select = field.id ? document.querySelector(`label[for="${field.id}"]`) : null;
    if (select) return select.textContent.replace(/:\s*$/, "").trim();
    if (row) {
      const label = row.querySelector("label");
      if (label) return label.textContent.replace(/:\s*$/, "").trim();
    }
    const header = field.closest("td") && field.closest("table")
      ? field.closest("table").querySelectorAll("thead th")[field.closest("td").cellIndex]
      : null;
    return header ? header.textContent.trim() : "";
  }

  function nameAutocompletes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach((select) => {
      const name = labelOf(select);
      const container = select.nextElementSibling;
      if (!name || !container || !container.classList.contains("select2")) return;
      container.querySelectorAll('[role="combobox"], .select2-selection__rendered')
        .forEach((el) => {
          if (!el.getAttribute("aria-label")) el.setAttribute("aria-label", name);
          el.removeAttribute("aria-labelledby");
        });
      container.querySelectorAll(".select2-search__field").forEach((el) => {
        if (!el.getAttribute("aria-label")) el.setAttribute("aria-label", name);
      });
    });
    // The dropdown's search field, opened at the end of <body>.
    document.querySelectorAll(".select2-dropdown .select2-search__field").forEach((el) => {
      if (!el.getAttribute("aria-label")) el.setAttribute("aria-label", "Rechercher");
    });
  }

  function nameDateTimes(root) {
    root.querySelectorAll("p.datetime").forEach((p) => {
      const inputs = p.querySelectorAll("input");
      const field = labelOf(inputs[0] || p);
      inputs.forEach((input) => {
        if (input.labels && input.labels.length) return;
        let text = "";
        for (let node = input.previousSibling; node; node = node.previousSibling) {
          if (node.nodeType === Node.TEXT_NODE && node.textContent.trim()) {
            text = node.textContent.replace(/:\s*$/, "").trim();
            break;
          }
          if (node.nodeName === "BR") break;
        }
        const name = [field, text].filter(Boolean).join(" : ");
        if (name && !input.getAttribute("aria-label")) input.setAttribute("aria-label", name);
      });
    });
  }

  function reachScrollingTables(root) {
    root.querySelectorAll(".inline-group, .inline-group .tabular").forEach((group) => {
      if (group.scrollWidth <= group.clientWidth || group.hasAttribute("tabindex")) return;
      const heading = group.querySelector("h2");
      group.setAttribute("tabindex", "0");
      group.setAttribute("role", "region");
      if (heading) group.setAttribute("aria-label", heading.textContent.trim());
    });
  }

  function fix(root) {
    nameAutocompletes(root);
    nameDateTimes(root);
    reachScrollingTables(root);
  }

  document.addEventListener("DOMContentLoaded", () => {
    fix(document);
    // select2 builds its boxes once jQuery is ready, and inlines add rows later.
    new MutationObserver(() => fix(document)).observe(document.body, {
      childList: true,
      subtree: true,
    });
  });
})();
