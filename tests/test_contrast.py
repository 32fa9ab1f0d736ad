"""Colour contrast of the house colours, read from the stylesheet itself (WCAG 2.2: 4.5:1
for text, 3:1 for the borders of form fields and the focus ring, 1.4.3 and 1.4.11).

The browser audit (axe-core) sees the pages one by one; this test holds the palette, so a
colour changed in ``static/css/app.css`` is checked wherever it is used."""

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parent.parent / "static" / "css"


def _variables() -> dict[str, str]:
    root = re.search(r":root\s*{(.*?)}", (CSS / "app.css").read_text(), re.S).group(1)
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", root))


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def blend(background: str, alpha: float, top: str = "#ffffff") -> str:
    mixed = [
        round(
            (1 - alpha) * int(background[i : i + 2], 16)
            + alpha * int(top[i : i + 2], 16)
        )
        for i in (1, 3, 5)
    ]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def test_the_contrast_formula():
    assert round(contrast("#ffffff", "#000000"), 1) == 21.0
    assert round(contrast("#9aa59e", "#ffffff"), 2) == 2.55  # the old field border


@pytest.mark.parametrize(
    ("front", "back", "minimum"),
    [
        ("field-border", "paper", 3),
        ("field-border", "background", 3),
        ("focus-ring", "paper", 3),
        ("focus-ring", "background", 3),
        ("ink", "paper", 4.5),
        ("muted", "paper", 4.5),
        ("muted", "background", 4.5),
        ("error", "paper", 4.5),
        ("green-dark", "green-light", 4.5),
    ],
)
def test_house_colours_meet_wcag(front, back, minimum):
    colours = _variables()
    assert contrast(colours[front], colours[back]) >= minimum, (front, back)


def test_the_header_badges_keep_their_text_readable():
    """Organisation and role badges: white text on a translucent white over the header
    green (it measured 4.23:1 with an 18 % veil)."""
    css = (CSS / "app.css").read_text()
    rule = re.search(r"\.user-badge__role\s*{(.*?)}", css, re.S).group(1)
    alpha = float(re.search(r"rgba\(255,\s*255,\s*255,\s*([\d.]+)\)", rule).group(1))
    assert contrast("#ffffff", blend(_variables()["green"], alpha)) >= 4.5


def test_no_stylesheet_keeps_the_old_field_and_focus_colours():
    """Fields and focus rings take the palette's variables, not their own copies."""
    for path in CSS.glob("*.css"):
        text = path.read_text().lower()
        assert "#9aa59e" not in text and "#8cc49a" not in text, path.name
