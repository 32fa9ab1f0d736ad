"""The entry map on a phone: the GPS accuracy drawn as a circle, a fix worse than 100 m
and a tap at too coarse a zoom both ask before placing the point (by keyboard here)."""

import json

import pytest

from tests.e2e.test_observation_journey import (
    PHONE,
    log_in,
    people,  # noqa: F401  (fixture)
    wait_for_map,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ARTIFACTS_DIR = "test-artifacts"


def geometry(page):
    value = page.locator("input[name=geometry]").input_value()
    return json.loads(value) if value else None


def focused_text(page) -> str:
    return page.evaluate("document.activeElement.textContent")


def test_a_coarse_gps_fix_is_circled_and_asks_first(live_server, page, people):  # noqa: F811
    page.set_viewport_size(PHONE)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(
        {"latitude": 50.4577, "longitude": 2.7785, "accuracy": 2500}
    )
    log_in(page, live_server.url, "claire", "/observations/nouvelle/")
    wait_for_map(page, "#entry-map")
    page.get_by_role("button", name="Ma position").click()

    question = page.locator("#place-question")
    question.wait_for(state="visible")
    assert (
        "Position GPS imprécise : à 2,5\xa0km près (plus de 100\xa0m)"
        in question.inner_text()
    )
    assert page.get_by_role("alert").filter(has_text="2,5\xa0km").count() == 1
    # The circle of the fix is on the map, the point not yet.
    page.wait_for_selector("#entry-map path.gps-accuracy")
    assert geometry(page) is None
    assert focused_text(page) == "Placer quand même"
    page.screenshot(path=f"{ARTIFACTS_DIR}/entry-map-gps-question-390.png")

    # Escape: not placed, back to the GPS button.
    page.keyboard.press("Escape")
    assert question.is_hidden() and geometry(page) is None
    assert focused_text(page) == "Ma position"
    assert "Point non placé" in page.locator("#place-status").inner_text()

    # Asked again and confirmed with Enter: placed, with its precision.
    page.keyboard.press("Enter")
    question.wait_for(state="visible")
    page.keyboard.press("Enter")
    assert question.is_hidden()
    assert geometry(page)["type"] == "Point"
    assert page.locator("input[name=precision_m]").input_value() == "2500"
    assert page.locator("#entry-map path.gps-accuracy").count() == 1

    # A precise fix is placed at once, its small circle replacing the large one.
    page.context.set_geolocation({"latitude": 50.46, "longitude": 2.78, "accuracy": 8})
    page.get_by_role("button", name="Ma position").click()
    page.wait_for_function(
        "document.querySelector('input[name=precision_m]').value === '8'"
    )
    assert question.is_hidden()
    assert geometry(page)["coordinates"] == [2.78, 50.46]
    assert page.locator("#entry-map path.gps-accuracy").count() == 1
    assert page.errors == [] and page.failed_requests == []


def test_a_tap_at_a_coarse_zoom_asks_to_zoom_in(live_server, page, people):  # noqa: F811
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "claire", "/observations/nouvelle/")
    wait_for_map(page, "#entry-map")
    entry_map = page.locator("#entry-map")
    entry_map.click()
    question = page.locator("#place-question")
    question.wait_for(state="visible")
    text = question.inner_text()
    # The whole region on a phone: a tap is kilometres off.
    assert (
        "À ce zoom, un toucher sur la carte tombe à" in text and "\xa0km près" in text
    )
    assert "Zoomez pour placer l'observation à moins de 100\xa0m" in text
    assert geometry(page) is None
    assert focused_text(page) == "Zoomer ici"
    page.screenshot(path=f"{ARTIFACTS_DIR}/entry-map-zoom-question-390.png")

    # "Zoomer ici" (focused: Enter presses it) zooms on the tapped place; a tap there
    # now places the point.
    page.keyboard.press("Enter")
    assert question.is_hidden()
    # 50.5° N: 12 m a pixel at zoom 13 (the tiles of a half level), 6 m at 14.
    page.wait_for_function(
        "() => [...document.querySelectorAll('#entry-map img.leaflet-tile-loaded')]"
        ".some((img) => Number(new URL(img.src).searchParams.get('TILEMATRIX')) >= 13)"
    )
    # The zoom animation over (on a slow machine the tiles come before its end).
    wait_for_map(page, "#entry-map")
    entry_map.click()
    assert geometry(page)["type"] == "Point"
    assert question.is_hidden()
    page.screenshot(path=f"{ARTIFACTS_DIR}/entry-map-placed-390.png")
    assert page.errors == [] and page.failed_requests == []
