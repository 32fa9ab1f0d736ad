"""Every page is served with a Content Security Policy that forbids inline scripts, and no
template relies on one (an inline script or handler would be blocked in the browser)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=|javascript:", re.IGNORECASE)


@pytest.mark.django_db
def test_pages_carry_a_policy_without_inline_scripts(client):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy


def test_no_template_has_an_inline_script_or_handler():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)}")
    assert not offenders, "\n".join(offenders)


@pytest.mark.django_db
def test_images_come_from_this_site_and_exactly_the_tile_hosts(client, settings):
    from cpie_naturaliste.settings.maps import tile_hosts

    response = client.get(reverse("home"))
    img_src = next(
        part.split()[1:]
        for part in response["Content-Security-Policy"].split(";")
        if part.split() and part.split()[0] == "img-src"
    )
    hosts = tile_hosts(settings.LEAFLET_CONFIG["TILES"])
    assert hosts == ["https://data.geopf.fr", "https://tile.openstreetmap.org"]
    assert sorted(img_src) == sorted(["'self'", "data:", "blob:", *hosts])
