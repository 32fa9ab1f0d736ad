"""The main tasks done with the keyboard alone, in headless Chromium (issue 23, WCAG 2.1.1,
2.4.3, 2.4.7, 2.4.11, 3.3.1): Tab, Shift+Tab, Enter, Space and the arrows, never a mouse
click, and text typed only into the element the keyboard focused. At every stop the focus
is measured (tests/e2e/keyboard.py): a ring of 2 px or more at 3:1, inside the window,
under no sticky or fixed bar. After a refused submit the focus is on the error summary,
and each of its links puts the focus on its field.

DJANGO_ALLOW_ASYNC_UNSAFE is set by the ``browser`` fixture (tests/e2e/conftest.py)."""

import datetime as dt
import re

import pytest
from django.contrib.gis.geos import Point

from baguage.models import Capture
from observations.models import Extract, Occurrence
from referentiel.models import AtlasGroup, Role
from sensibilisation import protection
from sensibilisation.models import Report
from tests.e2e.keyboard import (
    by_id,
    by_name,
    focused,
    follow_summary_links,
    log_in,
    stop,
    summary_link,
    tab,
    tab_to,
)
from tests.e2e.test_observation_journey import people  # noqa: F401 (fixture)
from tests.e2e.test_partner_extract import partner_and_records  # noqa: F401
from tests.e2e.test_pop_passage import pop_world  # noqa: F401 (fixture)
from tests.e2e.test_ringing_entry import (  # noqa: F401 (fixture)
    choose_species,
    ringer_world,
)
from tests.factories.baguage import CaptureFactory, SessionFactory
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    OrganisationFactory,
    TaxonFactory,
    UserFactory,
)
from tests.factories.sensibilisation import CampaignFactory, CampaignSpeciesFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def no_errors(page) -> bool:
    """No script error; a refused send answers 400, which Chromium logs: not one."""
    errors = [e for e in page.errors if "status of 400" not in e]
    assert errors == [], errors
    return True


def submit(page, info):
    """Enter on the focused submit button, then wait for the new page."""
    assert info["tag"] == "button", info
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


# ---------------------------------------------------------------- public report


@pytest.fixture
def campaign(monkeypatch, settings):
    settings.SENSIBILISATION_RATE_LIMITS = ((1000, 600),)
    monkeypatch.setattr(protection, "MIN_FILL_SECONDS", 1)
    CommuneFactory()
    campaign = CampaignFactory(organisation=OrganisationFactory())
    CampaignSpeciesFactory(campaign=campaign)
    return campaign


def test_public_report_on_a_phone_with_the_keyboard(live_server, page, campaign):
    base = live_server.url
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/sensibilisation/campagnes/{campaign.slug}/")

    # An empty send: every stop on the way to the button, then the summary.
    button, stops = tab_to(page, by_name("Envoyer le signalement", "button"))
    ids = {info["id"] for info in stops}
    assert {"id_species_0", "id_observed_on", "locate-me", "id_commune"} <= ids
    assert "id_site_web" not in ids and "id_started" not in ids  # robots' fields
    submit(page, button)
    reached = follow_summary_links(page)
    assert reached[0] == "id_species_0"
    assert "id_commune" in reached and "id_email" in reached
    summary = page.locator("#error-summary").inner_text()
    assert "Started" not in summary and "trop vite" not in summary

    # The same page, corrected by keyboard from the summary's first link.
    summary_link(page, "#id_species_0")
    page.keyboard.press("Space")
    assert page.locator("#id_species_0").is_checked()
    date = tab(page)
    assert date["id"] == "id_observed_on"
    page.keyboard.type("04042020")  # the same whatever the order of day and month
    tab_to(page, by_id("id_commune"))
    page.keyboard.type("Loos-en-Gohelle")
    tab_to(page, by_id("id_email"))
    page.keyboard.type("jardinier@example.org")
    button, _ = tab_to(page, by_name("Envoyer le signalement", "button"))
    submit(page, button)
    assert page.url.endswith("/envoye/"), page.url
    report = Report.objects.get()
    assert report.observed_on == dt.date(2020, 4, 4)
    assert no_errors(page)


# ----------------------------------------------------------------- observation entry


def test_observation_entry_with_the_keyboard(live_server, page, people):  # noqa: F811
    claire, _ = people
    base = live_server.url
    page.set_viewport_size(DESKTOP)
    log_in(page, base, claire)
    page.goto(f"{base}/observations/nouvelle/")

    button, stops = tab_to(page, by_name("Enregistrer", "button"))
    names = {info["id"] for info in stops}
    assert "id_taxon_search" in names and "id_coord_x" in names
    page.locator("#id_taxon_search").wait_for()
    submit(page, button)
    reached = follow_summary_links(page)
    assert "id_taxon_search" in reached and "id_coord_x" in reached

    # From the summary: the taxon, chosen in the combobox with the arrows.
    summary_link(page, "#field-taxon_search")
    assert focused(page)["id"] == "id_taxon_search"
    page.keyboard.type("gren")
    page.get_by_role("option", name="Rana temporaria — Grenouille rousse").wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.locator("input[name=taxon]").input_value() == "351"
    # The place, typed as coordinates (no map needed).
    tab_to(page, by_id("id_coord_x"))
    page.keyboard.type("2,7785")
    tab_to(page, by_id("id_coord_y"))
    page.keyboard.type("50,4577")
    button, _ = tab_to(page, by_name("Enregistrer", "button"))
    submit(page, button)
    assert re.search(r"/observations/[0-9a-f-]{36}/$", page.url), page.url
    occurrence = Occurrence.objects.get()
    assert occurrence.taxon_id == 351 and occurrence.created_by == claire
    assert no_errors(page)


# ------------------------------------------------------------------------ validation


@pytest.fixture
def queue():
    cpie = OrganisationFactory()
    amphibians = AtlasGroup.objects.get(code="amphibiens")
    validator = UserFactory(organisation=cpie, roles=[Role.VALIDATEUR])
    validator.validation_groups.add(amphibians)
    frog = TaxonFactory(
        cd_nom=351, scientific_name="Rana temporaria", atlas_group=amphibians
    )
    dataset = DatasetFactory(producer=cpie)
    for day in range(1, 25):
        OccurrenceFactory(
            dataset=dataset,
            taxon=frog,
            date_start=dt.date(2020, 4, day),
            geom=Point(LOOS_X + day * 10, LOOS_Y, srid=2154),
        )
    return validator


def test_validation_queue_with_the_keyboard(live_server, page, queue):
    base = live_server.url
    page.set_viewport_size(DESKTOP)  # the bulk bar sticks to the bottom from 48rem
    log_in(page, base, queue)
    page.goto(f"{base}/observations/validation/")
    assert (
        page.evaluate(
            "getComputedStyle(document.querySelector('[data-testid=bulk-bar]')).position"
        )
        == "sticky"
    )

    # Every row's box and link, down to the bar: none hides under it (tab_to checks).
    button, stops = tab_to(page, by_name("Valider la sélection", "button"))
    boxes = [info for info in stops if (info["id"] or "").startswith("check-")]
    assert len(boxes) == 24
    submit(page, button)  # nothing ticked
    reached = follow_summary_links(page)
    assert any(field.startswith("check-") for field in reached), reached

    # The first row's box (from the summary), Space, then the status and the button.
    summary_link(page, "#occurrence-rows")
    page.keyboard.press("Space")
    first = focused(page)["id"]
    assert page.locator(f"#{first}").is_checked()
    tab_to(page, by_id("id_status"))
    page.keyboard.press("ArrowDown")  # the first decision, chosen with the arrows
    assert page.locator("#id_status").input_value() != ""
    button, _ = tab_to(page, by_name("Valider la sélection", "button"))
    submit(page, button)
    assert Occurrence.objects.exclude(validation_status=0).count() == 1
    assert no_errors(page)


# ---------------------------------------------------------------------- capture grid


def test_capture_grid_with_the_keyboard(live_server, page, ringer_world):  # noqa: F811
    user = ringer_world
    base = live_server.url
    session = SessionFactory(
        station__name="Marais", dataset=DatasetFactory(producer=user.organisation)
    )
    for n in range(60):
        CaptureFactory(
            session=session,
            line=n + 1,
            ring_number=f"{7000 + n:07d}",
            created_by=user,
        )
    page.set_viewport_size(DESKTOP)
    log_in(page, base, user)
    page.goto(f"{base}/baguage/sessions/{session.pk}/")
    rows = page.locator("tbody[data-grid-body] tr[data-capture]")
    assert rows.count() == 60
    # The codes say what they mean to a screen reader.
    assert "B (baguage)" in rows.first.locator("td").first.inner_text() or (
        "(baguage)" in rows.first.locator("td").first.text_content()
    )

    # Few stops to the entry row: the 60 lines' buttons are one stop.
    entry, stops = tab_to(page, by_id("entry-action"))
    row_buttons = [s for s in stops if s["name"].startswith(("Modifier la ligne",))]
    assert (
        len(row_buttons)
        + len([s for s in stops if s["name"].startswith("Supprimer la ligne")])
        == 1
    ), [s["name"] for s in stops]
    assert len(stops) < 40, len(stops)

    # The arrows move along the saved lines; Shift+Tab gets back to them.
    line, _ = tab_to(page, lambda info: info["name"].endswith("la ligne 1"), back=True)
    page.keyboard.press("ArrowDown")
    assert stop(page)["name"] == "Modifier la ligne 2"
    page.keyboard.press("ArrowRight")
    assert stop(page)["name"] == "Supprimer la ligne 2"
    page.keyboard.press("End")
    assert stop(page)["name"] == "Supprimer la ligne 60"

    # The link to the entry row, from the top of the grid.
    page.goto(f"{base}/baguage/sessions/{session.pk}/")
    skip, _ = tab_to(page, by_name("Aller à la ligne de saisie", "a"))
    page.keyboard.press("Enter")
    assert stop(page)["id"] == "entry-action"

    # A capture entered and saved with the keyboard.
    page.keyboard.type("B")
    tab(page)
    page.keyboard.type("0001000")
    tab(page)
    choose_species(page, "rouge", "Erithacus rubecula — Rougegorge familier")
    tab(page)
    page.keyboard.type("1A")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelectorAll('tbody[data-grid-body] tr[data-capture]').length"
        " === 61"
    )
    assert Capture.objects.filter(session=session).count() == 61
    assert no_errors(page)


# ------------------------------------------------------------------------ POP passage


def test_pop_passage_with_the_keyboard(live_server, page, pop_world):  # noqa: F811
    site = pop_world
    base = live_server.url
    page.set_viewport_size(PHONE)
    log_in(page, base, site.aire.main_observer.user)
    page.goto(f"{base}/zones-humides/pop/sites/{site.pk}/passages/nouveau/")

    button, stops = tab_to(page, by_name("Enregistrer le passage", "button"))
    estimates = [s for s in stops if (s["id"] or "").endswith("_est")]
    assert estimates
    for info in estimates:
        name = page.evaluate(
            "(id) => document.querySelector(`label[for=${id}]`).textContent"
            ".replace(/\\s+/g, ' ').trim()",
            info["id"],
        )
        assert name.startswith("Effectif estimé – ") and len(name) > 18, name
    # The date is today's by default; nothing entered: refused.
    submit(page, button)
    assert follow_summary_links(page) == ["id_expertise"]
    # The expertise chosen with the arrows, sent again: no species nor "Rien trouvé".
    summary_link(page, "#id_expertise")
    page.keyboard.press("ArrowDown")
    assert page.locator("#id_expertise").input_value()
    button, _ = tab_to(page, by_name("Enregistrer le passage", "button"))
    submit(page, button)
    assert follow_summary_links(page) == ["id_nothing_found"]

    # "Rien trouvé" ticked with Space, then saved.
    summary_link(page, "#id_nothing_found")
    page.keyboard.press("Space")
    button, _ = tab_to(page, by_name("Enregistrer le passage", "button"))
    submit(page, button)
    assert f"/pop/aires/{site.aire_id}/" in page.url
    assert no_errors(page)


# -------------------------------------------------------------------- extract request


def test_extract_request_with_the_keyboard(
    live_server,
    page,
    partner_and_records,  # noqa: F811
):
    base = live_server.url
    page.set_viewport_size(DESKTOP)
    log_in(page, base, partner_and_records)
    page.goto(f"{base}/observations/extractions/")

    count, stops = tab_to(page, by_name("Compter les lignes", "button"))
    ids = {info["id"] for info in stops}
    assert {"extract-map", "id_communes", "id_year_min"} <= ids
    # Years the wrong way round: refused, the summary leads to the field.
    tab_to(page, by_id("id_year_min"), back=True)
    page.keyboard.type("2020")
    tab(page)
    page.keyboard.type("2019")
    count, _ = tab_to(page, by_name("Compter les lignes", "button"))
    submit(page, count)
    reached = follow_summary_links(page)
    assert "id_year_max" in reached

    # Corrected by keyboard, the territory typed as a commune code, then counted.
    summary_link(page, "#id_year_max")
    page.keyboard.press("Control+a")
    page.keyboard.type("2020")
    tab_to(page, by_id("id_communes"), back=True)
    page.keyboard.type("62528")
    count, _ = tab_to(page, by_name("Compter les lignes", "button"))
    submit(page, count)
    assert "3 observation(s)" in page.get_by_test_id("extract-count").inner_text()
    assert not Extract.objects.exists()
    assert no_errors(page)
