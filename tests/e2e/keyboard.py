"""Keyboard journeys: what a person using only Tab, Shift+Tab, Enter, Space and the
arrows meets at each stop (tests/e2e/test_keyboard_journeys.py).

At every stop ``stop()`` reads the focused element in the page and checks:
- the focus is visible (WCAG 2.4.7): an outline (or a box-shadow ring) of 2 px or more,
  whose colour has 3:1 or more against the background it is drawn on (2.4.13 / 1.4.11);
- the focus is not hidden (2.4.11): the element is in the viewport and no fixed or sticky
  element (other than one holding it) covers it, compared box to box.
"""

import re

from django.test import Client

FOCUS_JS = r"""
() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return null;
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const behind = (node) => {
    for (let n = node; n && n.nodeType === 1; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const style = getComputedStyle(e);
  const offset = parseFloat(style.outlineOffset) || 0;
  const rect = e.getBoundingClientRect();
  // The sticky or fixed boxes of the page that do not hold the focused element.
  const covers = [];
  document.querySelectorAll("body *").forEach((n) => {
    const position = getComputedStyle(n).position;
    if ((position === "fixed" || position === "sticky") && !n.contains(e) && n.offsetParent !== null) {
      const r = n.getBoundingClientRect();
      if (r.width && r.height) covers.push({
        name: n.tagName + "." + (n.getAttribute("class") || ""),
        left: r.left, top: r.top, right: r.right, bottom: r.bottom, position,
      });
    }
  });
  const label = e.getAttribute("aria-label")
    || (e.labels && e.labels.length ? e.labels[0].textContent : "")
    || e.getAttribute("title") || e.textContent || e.value || "";
  return {
    tag: e.tagName.toLowerCase(),
    id: e.id,
    type: e.getAttribute("type"),
    role: e.getAttribute("role"),
    name: label.replace(/\s+/g, " ").trim().slice(0, 80),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    outlineColor: parse(style.outlineColor),
    boxShadow: style.boxShadow,
    // The ring is drawn outside the box (offset >= 0): on what holds the element.
    background: behind(offset >= 0 ? e.parentElement : e),
    rect: { left: rect.left, top: rect.top, right: rect.right, bottom: rect.bottom },
    viewport: { width: innerWidth, height: innerHeight },
    covers,
    checked: e.checked === true,
    href: e.getAttribute("href"),
  };
}
"""


def luminance(colour) -> float:
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour["r"])
        + 0.7152 * channel(colour["g"])
        + 0.0722 * channel(colour["b"])
    )


def contrast(one, two) -> float:
    a, b = sorted((luminance(one), luminance(two)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _shadow_ring(box_shadow: str):
    """(spread px, colour) of the widest box-shadow ring, or None."""
    best = None
    for part in re.split(r",(?![^()]*\))", box_shadow or ""):
        colour = re.search(r"rgba?\(([^)]+)\)", part)
        sizes = [float(n) for n in re.findall(r"(-?[\d.]+)px", part)]
        if not colour or len(sizes) < 4:
            continue
        values = [float(v) for v in re.split(r"[ ,/]+", colour[1].strip()) if v]
        rgb = {"r": values[0], "g": values[1], "b": values[2]}
        if len(values) > 3 and values[3] < 0.5:
            continue
        if best is None or sizes[3] > best[0]:
            best = (sizes[3], rgb)
    return best


def focus_problems(info) -> list[str]:
    """What is wrong with the focus indicator and placement of ``info`` (FOCUS_JS)."""
    problems = []
    where = f"{info['tag']}#{info['id']} « {info['name']} »"
    ring = None
    if info["outlineStyle"] not in ("none", "hidden") and info["outlineWidth"] >= 2:
        ring = (info["outlineWidth"], info["outlineColor"])
    else:
        shadow = _shadow_ring(info["boxShadow"])
        if shadow and shadow[0] >= 2:
            ring = shadow
    if ring is None:
        problems.append(
            f"{where} : pas d'indicateur de focus de 2 px "
            f"(outline {info['outlineStyle']} {info['outlineWidth']} px, "
            f"box-shadow {info['boxShadow']})"
        )
    elif ring[1] is None or contrast(ring[1], info["background"]) < 3:
        problems.append(
            f"{where} : indicateur de focus peu contrasté "
            f"({ring[1]} sur {info['background']})"
        )
    rect, viewport = info["rect"], info["viewport"]
    if (
        rect["bottom"] <= 0
        or rect["top"] >= viewport["height"]
        or rect["right"] <= 0
        or rect["left"] >= viewport["width"]
    ):
        problems.append(f"{where} : hors de la fenêtre ({rect})")
    for cover in info["covers"]:
        overlap_x = min(rect["right"], cover["right"]) - max(
            rect["left"], cover["left"]
        )
        overlap_y = min(rect["bottom"], cover["bottom"]) - max(
            rect["top"], cover["top"]
        )
        if overlap_x > 1 and overlap_y > 1:
            problems.append(
                f"{where} : caché sous {cover['name']} ({cover['position']}), "
                f"{overlap_x:.0f}×{overlap_y:.0f} px"
            )
    return problems


def focused(page):
    return page.evaluate(FOCUS_JS)


def stop(page):
    """The focused element's facts, after checking its focus is visible and not hidden."""
    info = focused(page)
    assert info is not None, "le focus est sur <body>"
    problems = focus_problems(info)
    assert not problems, "\n".join(problems)
    return info


def tab(page, *, back: bool = False):
    page.keyboard.press("Shift+Tab" if back else "Tab")
    return stop(page)


def tab_to(page, predicate, *, limit: int = 250, back: bool = False):
    """Tab (or Shift+Tab) until ``predicate(info)``; every stop on the way checked.
    Returns (info, the stops passed)."""
    stops = []
    for _ in range(limit):
        info = tab(page, back=back)
        stops.append(info)
        if predicate(info):
            return info, stops
    names = [f"{s['tag']}#{s['id']} {s['name']}" for s in stops[-15:]]
    raise AssertionError(f"jamais atteint en {limit} Tab ; derniers : {names}")


def by_id(element_id: str):
    return lambda info: info["id"] == element_id


def by_name(name: str, tag: str | None = None):
    return lambda info: info["name"] == name and (tag is None or info["tag"] == tag)


SUMMARY_TARGET_JS = """(id) => {
  const t = document.getElementById(id);
  if (!t) return false;
  const fields = 'input:not([type=hidden]),select,textarea,button,[tabindex]';
  let f = t.matches(fields) ? t
    : t.querySelector('input:not([type=hidden]),select,textarea,button,[tabindex]:not([tabindex="-1"])');
  if (f && f.type === 'radio' && f.form) {
    f = f.form.querySelector(`input[type=radio][name="${f.name}"]:checked`) || f;
  }
  return !!f && document.activeElement === f;
}"""


def summary_hrefs(page) -> list[str]:
    return page.eval_on_selector_all(
        "#error-summary a", "links => links.map(a => a.getAttribute('href'))"
    )


def summary_link(page, href: str):
    """From the error summary (where the page put the focus after the refused send:
    focusing it again stands for Shift+Tab back to it), Tab to its link ``href`` and
    press Enter; the focused field's facts, checked."""
    page.focus("#error-summary")
    for _ in range(summary_hrefs(page).index(href) + 1):
        link = tab(page)
    assert link["href"] == href, (link, href)
    page.keyboard.press("Enter")
    field = stop(page)
    assert page.evaluate(SUMMARY_TARGET_JS, href[1:]), (
        f"le lien {href} mène à {field['tag']}#{field['id']} « {field['name']} », "
        "pas à son champ"
    )
    return field


def follow_summary_links(page) -> list[str]:
    """Check the focus is on the error summary, then follow each of its links: each puts
    the focus on its field (the element of its id, the first field of the block it
    names, the checked or first choice of a group). The ids of the fields reached."""
    info = focused(page)
    assert info and info["id"] == "error-summary", (
        f"le focus n'est pas sur le résumé des erreurs après l'envoi refusé : {info}"
    )
    assert focus_problems(info) == [], focus_problems(info)
    hrefs = summary_hrefs(page)
    assert all(href and href != "#" for href in hrefs), hrefs
    return [summary_link(page, href)["id"] for href in hrefs]


def log_in(page, base: str, user) -> None:
    """A session cookie for ``user`` (signing in is not the journey under test)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies(
        [{"name": "sessionid", "value": cookie.value, "url": base}]
    )
