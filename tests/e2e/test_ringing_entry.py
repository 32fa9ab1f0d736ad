"""A ringing morning in headless Chromium: a ringer creates a STOC session, enters 10
captures with the keyboard only (Tab between fields, Entrée saves the line) without the
page ever reloading, is stopped on a ring already used, and finds the 10 captures and
their published occurrences in the database.

DJANGO_ALLOW_ASYNC_UNSAFE is set by the ``browser`` fixture (tests/e2e/conftest.py)."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from baguage.models import Capture, Session
from observations.models import Occurrence, Source
from referentiel.models import Role
from tests.factories.baguage import (
    BirdTaxonFactory,
    EuringSpeciesFactory,
    NetPositionFactory,
    RingerFactory,
    RingingProgrammeFactory,
    RingSeriesFactory,
    StationFactory,
)
from tests.factories.referentiel import (
    DatasetFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "motdepasse-de-test"
PHONE = {"width": 390, "height": 844}
# (ring, species to type, option chosen, age, wing): 9 new rings and a control.
CAPTURES = [
    ("0001000", "rouge", "Erithacus rubecula — Rougegorge familier", "1A", "71"),
    ("0001001", "rouge", "Erithacus rubecula — Rougegorge familier", "+1A", "72"),
    ("0001002", "mignon", "Troglodytes troglodytes — Troglodyte mignon", "3", "48"),
    ("0001003", "rouge", "Erithacus rubecula — Rougegorge familier", "1A", "70"),
    ("0001004", "rouge", "Erithacus rubecula — Rougegorge familier", "1A", "90"),
    ("0001005", "mignon", "Troglodytes troglodytes — Troglodyte mignon", "4", "47"),
    ("0001006", "rouge", "Erithacus rubecula — Rougegorge familier", "2A", "73"),
    ("0001007", "rouge", "Erithacus rubecula — Rougegorge familier", "1A", "69"),
    ("0001008", "mignon", "Troglodytes troglodytes — Troglodyte mignon", "PUL", ""),
]


@pytest.fixture
def ringer_world():
    cpie = OrganisationFactory(name="CPIE Chaîne des Terrils", short_name="CPIE CdT")
    user = UserFactory(
        username="claire",
        first_name="Claire",
        last_name="Dumont",
        organisation=cpie,
        roles=[Role.SAISIE],
    )
    person = PersonFactory(
        user=user, first_name="Claire", last_name="Dumont", organisation=cpie
    )
    RingerFactory(person=person)
    # A colleague who rings, a colleague who does not, a ringer of another structure.
    RingerFactory(
        person=PersonFactory(first_name="Paul", last_name="Lenoir", organisation=cpie)
    )
    PersonFactory(first_name="Paula", last_name="Martin", organisation=cpie)
    RingerFactory(
        person=PersonFactory(
            first_name="Pascal",
            last_name="Vasseur",
            organisation=OrganisationFactory(name="Eden 62"),
        )
    )
    DatasetFactory(producer=cpie, title="Baguage du CPIE")
    station = StationFactory(name="Marais de la Glissoire", site__name="Glissoire")
    for number in range(1, 11):
        NetPositionFactory(station=station, number=number, length_m=Decimal("12"))
    RingingProgrammeFactory()
    robin = BirdTaxonFactory(
        cd_nom=4001,
        scientific_name="Erithacus rubecula",
        vernacular_name="Rougegorge familier",
    )
    wren = BirdTaxonFactory(
        cd_nom=4002,
        scientific_name="Troglodytes troglodytes",
        vernacular_name="Troglodyte mignon",
    )
    EuringSpeciesFactory(taxon=robin, code="10990")
    EuringSpeciesFactory(
        taxon=wren,
        code="10660",
        wing_min=Decimal("44"),
        wing_max=Decimal("52"),
        mass_min=Decimal("7"),
        mass_max=Decimal("12"),
    )
    RingSeriesFactory(size="A", first=1000, last=1099)
    return user


def log_in(page, base: str, path: str) -> None:
    page.goto(f"{base}/connexion/?next={path}")
    page.get_by_label("Identifiant").fill("claire")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}{path}")


def fill_session(page) -> None:
    """A STOC reference date, 6 hours, at the station."""
    page.get_by_label("Station", exact=True).select_option(
        label="Marais de la Glissoire"
    )
    page.get_by_label("Programme", exact=True).select_option(
        label="STOC-CAPTURE – STOC-Capture"
    )
    page.get_by_label("Date", exact=True).fill("2020-06-14")
    page.get_by_label("Heure de début").fill("06:00")
    page.get_by_label("Heure de fin").fill("12:00")


def choose_species(page, text: str, option: str) -> None:
    page.keyboard.type(text)
    # The first proposal is the wanted species once the whole text's results are shown
    # (on a loaded machine those of a shorter prefix may show first, in another order).
    expect(page.get_by_role("listbox").get_by_role("option").first).to_contain_text(
        option
    )
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")


def enter_capture(page, ring, species, option, age, wing, action="B"):
    """From the first field of the entry row: action, ring, species, age, sex, sexing
    method, wing, then Entrée."""
    page.keyboard.type(action)
    page.keyboard.press("Tab")
    page.keyboard.type(ring)
    page.keyboard.press("Tab")
    choose_species(page, species, option)
    page.keyboard.press("Tab")
    page.keyboard.type(age)
    page.keyboard.press("Tab")  # sex: kept "U"
    page.keyboard.press("Tab")  # sexing method
    page.keyboard.press("Tab")
    page.keyboard.type(wing)
    page.keyboard.press("Enter")


def test_a_ringer_enters_a_stoc_session_with_the_keyboard(
    live_server, page, ringer_world
):
    base = live_server.url
    log_in(page, base, "/baguage/sessions/nouvelle/")

    # The session: a STOC reference date, 6 hours, the station's 10 nets.
    fill_session(page)
    assert page.get_by_label("Nombre de filets").input_value() == "10"
    # The user is the session's ringer already (a chip over the hidden checkboxes).
    chips = page.get_by_test_id("ringers-chips").get_by_role("listitem")
    assert chips.all_inner_texts() == ["DUMONT Claire\n×"]
    page.get_by_role("button", name="Créer la session et saisir les captures").click()
    page.wait_for_url(f"{base}/baguage/sessions/*/")
    session = Session.objects.get()
    assert page.url == f"{base}/baguage/sessions/{session.pk}/"
    assert "720 m·h" in page.get_by_test_id("session-context").inner_text()

    marker = page.evaluate("document.documentElement.dataset.gridLoaded")
    assert marker
    rows = page.locator("[data-grid-body] tr")
    entry_action = page.locator("#entry-action")
    entry_action.focus()

    for index, capture in enumerate(CAPTURES, start=1):
        enter_capture(page, *capture)
        try:
            rows.nth(index - 1).wait_for()
        except PlaywrightTimeoutError:
            errors = page.get_by_test_id("grid-errors").inner_text()
            pytest.fail(f"ligne {index} non enregistrée : {errors}")
        assert rows.count() == index
        assert page.evaluate("document.activeElement.id") == "entry-action"
        status = page.get_by_test_id("grid-status").inner_text()
        # A wing out of the robin's range: a warning, the line is saved all the same.
        assert ("Attention : Aile de 90 mm" in status) == (capture[0] == "0001004")
    assert "Ligne 9 enregistrée : B 0001008 Troglodytes troglodytes." in status

    # The ring of line 1 again: refused, the line stays in the entry row.
    enter_capture(page, *CAPTURES[0])
    error = page.locator("#err-ring_number")
    error.wait_for()
    assert "La bague 0001000 a déjà été posée le 14/06/2020" in error.inner_text()
    assert "Ligne non enregistrée" in page.get_by_test_id("grid-errors").inner_text()
    assert rows.count() == 9
    assert page.locator("#entry-ring_number").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "entry-ring_number"

    # Made a control of that robin: the ring's history shows, the line is saved.
    page.keyboard.press("Shift+Tab")
    page.keyboard.type("C")
    history = page.get_by_test_id("ring-history")
    history.get_by_text("14/06/2020 · B · Erithacus rubecula").wait_for()
    page.keyboard.press("Enter")
    rows.nth(9).wait_for()
    assert rows.count() == 10
    assert page.get_by_test_id("grid-errors").inner_text() == ""
    # 10 captures on a reference date over 6 hours: the STOC warning goes away.
    page.get_by_test_id("protocol-problems").wait_for(state="hidden")

    # Ten captures entered without leaving the page.
    assert page.url == f"{base}/baguage/sessions/{session.pk}/"
    assert page.evaluate("document.documentElement.dataset.gridLoaded") == marker
    assert page.locator("[data-grid-count]").inner_text() == "10"
    captures = Capture.objects.filter(session=session).order_by("line")
    assert captures.count() == 10
    assert [c.action for c in captures] == ["B"] * 9 + ["C"]
    assert captures[0].age == "3" and captures[8].age == "1"
    assert captures.get(ring_number="0001004").wing_mm == Decimal("90")
    assert Occurrence.objects.filter(source=Source.BAGUAGE).count() == 10
    assert all(c.occurrence.date_start == dt.date(2020, 6, 14) for c in captures)

    # Line 9 corrected from the keyboard: Entrée on "Modifier", the sex, Entrée.
    page.get_by_role("button", name="Modifier la ligne 9").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.getElementById('entry-ring_number').value === '0001008'"
    )
    assert page.evaluate("document.activeElement.id") == "entry-action"
    for _field in range(4):  # ring, species, age, sex
        page.keyboard.press("Tab")
    page.keyboard.type("F")
    page.keyboard.press("Enter")
    page.get_by_text("Ligne 9 modifiée").wait_for()
    # The code, and its meaning for screen readers (visually hidden).
    assert rows.nth(8).locator("td").nth(4).text_content() == "F (femelle)"
    assert captures.get(line=9).occurrence.sex == "2"

    # Line 10 deleted, with its occurrence.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Supprimer la ligne 10").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Ligne 10 supprimée.").wait_for()
    assert rows.count() == 9
    assert Capture.objects.filter(session=session).count() == 9
    assert Occurrence.objects.filter(source=Source.BAGUAGE).count() == 9
    assert page.evaluate("document.documentElement.dataset.gridLoaded") == marker

    # On a phone the grid scrolls inside its box, the page does not.
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The only failed request is the refused ring (HTTP 400, which Chromium logs).
    assert [error for error in page.errors if "status of 400" not in error] == []
    assert len(page.failed_requests) == 1
    assert "/api/v1/baguage/captures/ (HTTP 400)" in page.failed_requests[0]


def test_ringers_chosen_by_name_on_a_phone(live_server, page, ringer_world):
    """The session's ringers: a search among the ringers the user may name (not the
    colleague who does not ring, not another structure's ringer), chosen by keyboard
    as chips, at phone size, with axe-core's audit."""
    from tests.e2e.axe import audit, axe_source

    base = live_server.url
    page.set_viewport_size(PHONE)
    page.context.add_init_script(script=axe_source())
    log_in(page, base, "/baguage/sessions/nouvelle/")
    assert not page.get_by_role("checkbox", name="LENOIR Paul").is_visible()
    combobox = page.get_by_role("combobox", name="Ajouter un bagueur")
    combobox.press_sequentially("pa")
    options = page.get_by_role("listbox", name="Personnes proposées").get_by_role(
        "option"
    )
    options.first.wait_for()
    assert options.all_inner_texts() == ["LENOIR Paul\nCPIE Chaîne des Terrils"]
    combobox.press("ArrowDown")
    assert audit(page, label=page.url, role="saisie", size="phone") == []
    combobox.press("Enter")
    chips = page.get_by_test_id("ringers-chips").get_by_role("listitem")
    assert chips.all_inner_texts() == ["DUMONT Claire\n×", "LENOIR Paul\n×"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    fill_session(page)
    page.get_by_role("button", name="Créer la session et saisir les captures").click()
    page.wait_for_url(f"{base}/baguage/sessions/*/")
    session = Session.objects.get()
    assert sorted(str(r.person) for r in session.ringers.all()) == [
        "DUMONT Claire",
        "LENOIR Paul",
    ]
    assert page.errors == []
