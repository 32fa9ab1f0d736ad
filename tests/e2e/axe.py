"""axe-core in Chromium, under the app's own Content Security Policy.

The engine is the npm package ``axe-core`` pinned in ``package.json``/``package-lock.json``
and installed in ``node_modules/`` by ``make test`` (target ``node``); nothing of it is in
``static/``, so the app never serves it.

How it runs despite ``script-src 'self'``: the source is handed to Chromium with
``context.add_init_script`` (DevTools' ``Page.addScriptToEvaluateOnNewDocument``), and the
audit is started with ``page.evaluate`` (DevTools' ``Runtime.callFunctionOn``). The policy
governs what the *page* may load or evaluate (``<script>`` elements, ``eval``, inline
handlers); scripts the debugger itself evaluates are not loaded by the page and the policy
does not apply to them. So the pages are audited exactly as served — same headers, same
policy — and the policy is neither bypassed (no ``bypass_csp``) nor loosened. Playwright's
``wait_for_function`` is avoided here: its predicate goes through ``new Function`` inside
the page, which the policy refuses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The WCAG levels the RGAA 4.1 asks for (WCAG 2.1 AA) and WCAG 2.2 AA (issue 23).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING = {"serious", "critical"}
# The phone size is WCAG 1.4.10's reflow width: 320 CSS pixels (a 1280 px screen at 400 %).
PHONE = {"width": 320, "height": 720}
DESKTOP = {"width": 1280, "height": 800}


def axe_source() -> str:
    if not AXE_PATH.exists():
        raise RuntimeError(
            f"{AXE_PATH} manque : lancez `make node` (npm ci, d'après package-lock.json)."
        )
    return AXE_PATH.read_text(encoding="utf-8")


def axe_version() -> str:
    package = json.loads((AXE_PATH.parent / "package.json").read_text())
    return package["version"]


@dataclass(frozen=True)
class Violation:
    page: str
    role: str
    size: str
    rule: str
    impact: str
    help: str
    nodes: tuple[str, ...]

    def __str__(self) -> str:
        shown = "\n      ".join(self.nodes[:6])
        more = f" (+{len(self.nodes) - 6})" if len(self.nodes) > 6 else ""
        return (
            f"{self.page} [{self.role}, {self.size}] {self.rule} ({self.impact}): "
            f"{self.help} — {len(self.nodes)} nœud(s){more}\n      {shown}"
        )


_RUN = """async ([tags, repeated, keep]) => {
  // Blocks a page repeats from one template (``repeated``): the first ``keep`` are audited.
  const skipped = repeated ? [...document.querySelectorAll(repeated)].slice(keep) : [];
  const context = skipped.length ? {include: [document], exclude: skipped} : document;
  const result = await axe.run(context, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  const found = result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ") + " — " + (n.failureSummary || "")
      .replace(/\\s+/g, " ").slice(0, 220)),
  }));
  // Reflow (WCAG 1.4.10, which axe does not check): the page itself never scrolls
  // sideways; what is wider scrolls inside its own box. The widest culprits are named.
  const width = document.documentElement.clientWidth;
  const scrolled = document.documentElement.scrollWidth;
  if (scrolled > width + 1) {
    const clipped = (el) => {
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        if (getComputedStyle(up).overflowX !== "visible") return true;
      }
      return false;
    };
    // An absolutely placed element (a visually hidden label) escapes a scrolling box
    // that is not its containing block: it counts even inside one.
    const wide = [document.body, ...document.body.querySelectorAll("*")].filter((el) => {
      const box = el.getBoundingClientRect();
      return box.right > width + 1 && box.width > 0 &&
        !(el.parentElement && el.parentElement !== document.documentElement &&
          el.parentElement.getBoundingClientRect().right > width + 1) &&
        (getComputedStyle(el).position === "absolute" || !clipped(el));
    });
    found.push({
      id: "reflow", impact: "serious",
      help: "La page défile horizontalement (" + scrolled +
        " px pour " + width + " px) : WCAG 1.4.10",
      // None escapes a scrolling box by the rules above: the elements that end nearest
      // the page's scroll width all the same (to name the cause in the report).
      nodes: (wide.length ? wide : [...document.body.querySelectorAll("*")]
        .filter((el) => el.getBoundingClientRect().right > width + 1)
        .sort((a, b) => Math.abs(a.getBoundingClientRect().right - scrolled) -
          Math.abs(b.getBoundingClientRect().right - scrolled)))
        .slice(0, 10).map((el) => el.tagName.toLowerCase() +
        (el.id ? "#" + el.id : "") + (el.className && el.className.baseVal === undefined
          ? "." + String(el.className).trim().split(/\\s+/).join(".") : "") +
        " — " + Math.round(el.getBoundingClientRect().right) + " px, " +
        getComputedStyle(el).position),
    });
  }
  return found;
}"""


def audit(
    page, *, label: str, role: str, size: str, repeated: str = "", keep: int = 0
) -> list[Violation]:
    """The serious and critical violations of the page as it stands; of the blocks that
    match ``repeated`` (one template repeated, as Redoc's operations), the first ``keep``."""
    found = page.evaluate(_RUN, [TAGS, repeated, keep])
    return [
        Violation(
            page=label,
            role=role,
            size=size,
            rule=item["id"],
            impact=item["impact"],
            help=item["help"],
            nodes=tuple(item["nodes"]),
        )
        for item in found
        if item["impact"] in FAILING
    ]
