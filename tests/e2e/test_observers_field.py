"""Issue 19 "a shorter way", on a 390×844 phone: observers chosen by name from a search
(the user already chosen) instead of twenty checkboxes, by keyboard; the drift-fence
morning check that fits the phone's width with its species column in view, and whose
observer is a person."""

import pytest

from observations.models import Occurrence
from referentiel.models import Role
from tests.e2e.axe import audit, axe_source
from tests.e2e.test_observation_journey import PHONE, log_in, wait_for_map
from tests.factories.referentiel import (
    DatasetFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)
from tests.factories.zones_humides import (
    DriftFenceFactory,
    WetlandProfileFactory,
    amphibian,
)
from zones_humides.models import FenceCheck

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def team():
    """Claire and nineteen colleagues (twenty observer boxes, as in the demo), a
    volunteer of another structure nobody may see, a frog and a fence."""
    cpie = OrganisationFactory(name="CPIE Chaîne des Terrils", short_name="CPIE CdT")
    claire = UserFactory(username="claire", organisation=cpie, roles=[Role.SAISIE])
    PersonFactory(
        user=claire, first_name="Claire", last_name="Dumont", organisation=cpie
    )
    PersonFactory(first_name="Marie", last_name="Fontaine", organisation=cpie)
    for i in range(18):
        PersonFactory(
            first_name=f"Prénom{i}", last_name=f"Collègue{i}", organisation=cpie
        )
    PersonFactory(
        first_name="Marius", last_name="Ailleurs", organisation=OrganisationFactory()
    )
    cpie.default_dataset = DatasetFactory(producer=cpie, title="Inventaires CPIE")
    cpie.save()
    for cd_nom in (351, 259, 139):
        amphibian(cd_nom)
    fence = DriftFenceFactory(
        site=WetlandProfileFactory(site__name="Mare de Vimy").site,
        dataset=DatasetFactory(producer=cpie, title="Barrière de Vimy"),
    )
    return claire, fence


def choose_observer_by_keyboard(page, combobox):
    """Two letters, ↓, Entrée; axe-core audits the page with the proposals open and
    again with the chips (the page's own audit, tests/e2e/test_accessibility.py, sees
    the field closed)."""
    combobox.press_sequentially("ma")
    options = page.get_by_role("listbox", name="Personnes proposées").get_by_role(
        "option"
    )
    options.first.wait_for()
    assert options.all_inner_texts() == ["FONTAINE Marie\nCPIE Chaîne des Terrils"]
    combobox.press("ArrowDown")
    assert combobox.get_attribute("aria-activedescendant") == (
        options.first.get_attribute("id")
    )
    assert audit(page, label=page.url, role="saisie", size="phone") == []
    combobox.press("Enter")
    assert audit(page, label=page.url, role="saisie", size="phone") == []


def test_observer_chosen_by_keyboard_on_a_phone(live_server, page, team):
    base = live_server.url
    page.set_viewport_size(PHONE)
    page.context.add_init_script(script=axe_source())
    log_in(page, base, "claire", "/observations/nouvelle/")

    # The user is already an observer; the twenty boxes are folded into a search.
    chips = page.get_by_test_id("observers-chips")
    assert chips.get_by_role("listitem").all_inner_texts() == ["DUMONT Claire\n×"]
    assert not page.get_by_role("checkbox", name="FONTAINE Marie").is_visible()
    observers = page.get_by_role("group", name="Observateurs")
    assert observers.bounding_box()["height"] < 200

    combobox = page.get_by_role("combobox", name="Ajouter un observateur")
    choose_observer_by_keyboard(page, combobox)
    assert chips.get_by_role("listitem").count() == 2
    assert combobox.input_value() == ""
    expect_status = page.locator("[data-autocomplete-status]").last
    assert "FONTAINE Marie ajouté" in expect_status.inner_text()

    taxon = page.get_by_role("combobox", name="Taxon")
    taxon.fill("gren")
    page.get_by_role("option", name="Rana temporaria — Grenouille rousse").click()
    wait_for_map(page, "#entry-map")
    page.locator("#entry-map").click()
    page.get_by_role("button", name="Zoomer ici").click()
    wait_for_map(page, "#entry-map")
    page.locator("#entry-map").click()
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_url(f"{base}/observations/*/")
    occurrence = Occurrence.objects.get()
    assert sorted(str(p) for p in occurrence.observers.all()) == [
        "DUMONT Claire",
        "FONTAINE Marie",
    ]
    assert page.errors == []
    assert page.failed_requests == []


def test_fence_check_fits_a_phone_with_its_species_in_view(live_server, page, team):
    base = live_server.url
    _claire, fence = team
    page.set_viewport_size(PHONE)
    page.context.add_init_script(script=axe_source())
    log_in(page, base, "claire", f"/zones-humides/barrieres/{fence.pk}/releve/")

    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"la page fait {width} px de large"

    grid = page.get_by_role(
        "region", name="Animaux dans les seaux (défilement horizontal)"
    )
    species = page.get_by_role("rowheader", name="Crapaud commun Bufo bufo")
    before = species.bounding_box()
    grid.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    page.wait_for_function(
        "() => document.querySelector('.fence-grid__scroll').scrollLeft > 100"
    )
    after = species.bounding_box()
    assert after["x"] == pytest.approx(before["x"], abs=1), "l'espèce défile"
    last = page.get_by_label("Bufo bufo, Indéterminé, mort")
    assert last.bounding_box()["x"] > after["x"] + after["width"] - 1
    last.fill("2")

    combobox = page.get_by_role("combobox", name="Ajouter un observateur")
    choose_observer_by_keyboard(page, combobox)
    page.get_by_role("button", name="Enregistrer le relevé").click()
    page.wait_for_url(f"{base}/zones-humides/barrieres/{fence.pk}/*")
    check = FenceCheck.objects.get()
    assert sorted(str(p) for p in check.observers.all()) == [
        "DUMONT Claire",
        "FONTAINE Marie",
    ]
    occurrence = Occurrence.objects.get()
    assert set(occurrence.observers.all()) == set(check.observers.all())
    assert page.errors == []
    assert page.failed_requests == []
