"""Background maps in Chromium, without internet: every tile host is answered by the
fixture tile (tests/e2e/conftest.py TileRoute), or fails as offline."""

import pytest

from tests.e2e.test_home_map import OUTLINE_PATHS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TILES = "#site-map .leaflet-tile-pane img.leaflet-tile"
LOADED_TILES = TILES + ".leaflet-tile-loaded"


def wait_for_outline(page):
    page.wait_for_function(
        "selector => document.querySelectorAll(selector).length === 5",
        arg=OUTLINE_PATHS,
    )


def wait_for_tiles(page, needle: str):
    """Until the map shows more than 3 loaded tiles, all from URLs containing needle."""
    page.wait_for_function(
        """([selector, needle]) => {
          const tiles = [...document.querySelectorAll(selector)];
          return tiles.length > 3 && tiles.every(
            (img) => img.classList.contains("leaflet-tile-loaded") && img.src.includes(needle)
          );
        }""",
        arg=[TILES, needle],
    )


def open_switcher(page):
    """By keyboard: the switcher's button, Enter."""
    page.get_by_role("button", name="Choisir le fond de carte").focus()
    page.keyboard.press("Enter")


def choose(page, name: str):
    """By keyboard: focus the background's radio in the open switcher, Space."""
    page.get_by_role("radio", name=name).focus()
    page.keyboard.press("Space")
    assert page.get_by_role("radio", name=name).is_checked()


def outline_fill(page) -> str:
    return page.locator(OUTLINE_PATHS).first.get_attribute("fill-opacity")


def test_plan_ign_by_default_and_a_french_layer_switcher(live_server, page):
    page.goto(f"{live_server.url}/")
    wait_for_outline(page)
    page.wait_for_function(
        "s => document.querySelectorAll(s).length > 3", arg=LOADED_TILES
    )
    # Plan IGN v2 from the Géoplateforme's WMTS, Web Mercator tiles.
    assert page.tiles.requested
    assert all(
        url.startswith("https://data.geopf.fr/wmts?")
        and "LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2" in url
        and "TILEMATRIXSET=PM" in url
        for url in page.tiles.requested
    )
    attribution = page.locator("#site-map .leaflet-control-attribution")
    assert (
        "IGN" in attribution.inner_text()
        and "Géoplateforme" in attribution.inner_text()
    )
    # Over a background map the outline is drawn unfilled (borders only).
    assert outline_fill(page) == "0"

    toggle = page.get_by_role("button", name="Choisir le fond de carte")
    assert toggle.count() == 1
    open_switcher(page)
    choices = page.locator("#site-map .leaflet-control-layers-base label")
    assert [text.strip() for text in choices.all_inner_texts()] == [
        "Plan IGN",
        "Photographies aériennes (IGN)",
        "OpenStreetMap",
        "Contour seul (hors ligne)",
    ]
    assert page.get_by_role("radio", name="Plan IGN").is_checked()

    choose(page, "Photographies aériennes (IGN)")
    wait_for_tiles(page, "LAYER=ORTHOIMAGERY.ORTHOPHOTOS&STYLE=normal&TILEMATRIXSET=PM")
    assert any("FORMAT=image/jpeg" in url for url in page.tiles.requested)

    choose(page, "OpenStreetMap")
    wait_for_tiles(page, "https://tile.openstreetmap.org/")
    assert "OpenStreetMap" in attribution.inner_text()
    assert "IGN" not in attribution.inner_text()

    # The outline alone: no tile, the départements filled again.
    choose(page, "Contour seul (hors ligne)")
    page.wait_for_function("s => document.querySelectorAll(s).length === 0", arg=TILES)
    assert outline_fill(page) == "1"
    assert page.errors == [] and page.failed_requests == []


def test_tiles_that_fail_give_way_to_the_outline_with_a_message(live_server, page):
    page.tiles.fail = True  # offline: every tile request fails
    page.goto(f"{live_server.url}/")
    wait_for_outline(page)
    notice = page.locator("#site-map .map-notice")
    notice.wait_for(state="visible")
    assert notice.get_attribute("role") == "status"
    assert "« Plan IGN » indisponible" in notice.inner_text()
    assert "contour seul affiché" in notice.inner_text()
    page.wait_for_function("s => document.querySelectorAll(s).length === 0", arg=TILES)
    assert outline_fill(page) == "1"
    open_switcher(page)
    assert page.get_by_role("radio", name="Contour seul (hors ligne)").is_checked()

    # Back online, the user tries Plan IGN again: tiles, and the message goes away.
    page.tiles.fail = False
    choose(page, "Plan IGN")
    page.wait_for_function(
        "s => document.querySelectorAll(s).length > 3", arg=LOADED_TILES
    )
    assert notice.is_hidden()
    assert outline_fill(page) == "0"
    # The network lost again while zooming: the new tiles fail in a row, same fallback.
    page.tiles.fail = True
    page.get_by_role("button", name="Zoom avant").click()
    notice.wait_for(state="visible")
    assert "« Plan IGN » indisponible" in notice.inner_text()
    page.wait_for_function("s => document.querySelectorAll(s).length === 0", arg=TILES)

    # Only the failed tiles were reported (Chromium logs each one).
    assert all("ERR_INTERNET_DISCONNECTED" in error for error in page.errors)
    assert all("data.geopf.fr" in failure for failure in page.failed_requests)
