"""Issue 19 "a shorter way", on a 390×844 phone in headless Chromium: the dataset the form
starts in, shown first; the taxon search that ranks species first, tolerates typos and says
visibly when nothing matches; the maximum count that follows the minimum."""

import pytest

from referentiel.models import Role
from tests.e2e.test_observation_journey import PHONE, log_in
from tests.factories.referentiel import (
    CommuneFactory,
    DatasetFactory,
    OrganisationFactory,
    PersonFactory,
    TaxonFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
CREATE = "/observations/nouvelle/"


@pytest.fixture
def claire():
    cpie = OrganisationFactory(name="CPIE Chaîne des Terrils", short_name="CPIE CdT")
    user = UserFactory(
        username="claire", organisation=cpie, roles=[Role.SAISIE], first_name="Claire"
    )
    PersonFactory(user=user, first_name="Claire", last_name="Dumont", organisation=cpie)
    DatasetFactory(producer=cpie, title="Baguage couleur du Faucon pèlerin")
    cpie.default_dataset = DatasetFactory(producer=cpie, title="Inventaires CPIE")
    cpie.save()
    TaxonFactory(
        cd_nom=191,
        rank="GN",
        scientific_name="Bufo",
        vernacular_name="Crapaud",
    )
    TaxonFactory(
        cd_nom=259,
        scientific_name="Bufo bufo",
        vernacular_name="Crapaud commun",
    )
    CommuneFactory()
    return user


def test_dataset_search_and_counts_on_a_phone(live_server, page, claire):
    base = live_server.url
    page.set_viewport_size(PHONE)
    log_in(page, base, "claire", CREATE)

    # The organisation's default dataset, not the first alphabetically, in sight at once.
    dataset = page.get_by_label("Jeu de données")
    assert dataset.locator("option:checked").inner_text() == "Inventaires CPIE"
    box = dataset.bounding_box()
    assert box["y"] + box["height"] < PHONE["height"], (
        "le jeu de données est hors écran"
    )
    assert page.get_by_text(
        "Le jeu de données par défaut de votre organisme."
    ).is_visible()

    # "crapaud": the species before the genus; "crapau comun" still finds it.
    taxon = page.get_by_role("combobox", name="Taxon")
    taxon.fill("crapaud")
    options = page.get_by_role("listbox", name="Taxons proposés").get_by_role("option")
    options.first.wait_for()
    assert options.all_inner_texts()[:2] == [
        "Bufo bufo — Crapaud commun",
        "Bufo — Crapaud",
    ]
    taxon.fill("crapau comun")
    page.get_by_role("option", name="Bufo bufo — Crapaud commun").click()
    assert page.locator("input[name=taxon]").input_value() == "259"

    # Nothing found is said on screen, not only to screen readers.
    taxon.fill("zzyzx")
    none = page.locator("#field-taxon_search [data-autocomplete-none]")
    none.wait_for()
    assert none.inner_text() == "Aucun taxon ne correspond à « zzyzx »."
    taxon.fill("crapaud")
    options.first.wait_for()
    assert not none.is_visible()

    # The maximum follows the minimum, up and down, until the user types it.
    low = page.get_by_label("Dénombrement min")
    high = page.get_by_label("Dénombrement max")
    low.fill("3")
    assert high.input_value() == "3"
    low.fill("2")
    assert high.input_value() == "2"
    high.fill("10")
    low.fill("4")
    assert high.input_value() == "10"
    low.fill("12")
    assert high.input_value() == "12"

    assert page.errors == []
    assert page.failed_requests == []


FOCUS_STATE = """() => {
    const element = document.activeElement;
    const bar = document.querySelector("[data-sticky-bar]");
    if (bar.contains(element)) return {inBar: true};
    const box = element.getBoundingClientRect();
    const top = bar.getBoundingClientRect().top;
    return {
        inBar: false,
        name: element.id || element.name || element.tagName,
        covered: box.bottom > top || box.bottom > window.innerHeight,
    };
}"""


def test_save_bar_stays_in_reach_without_covering_the_focus(live_server, page, claire):
    base = live_server.url
    page.set_viewport_size(PHONE)
    log_in(page, base, "claire", CREATE)
    save = page.get_by_role("button", name="Enregistrer", exact=True)
    another = page.get_by_role("button", name="Enregistrer et saisir une autre")

    # The form is several screens long; the save buttons are in sight from the top.
    assert page.evaluate("document.documentElement.scrollHeight") > 2 * PHONE["height"]
    for button in (save, another):
        box = button.bounding_box()
        assert 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"]
    padding = page.evaluate("document.documentElement.style.scrollPaddingBottom")
    bar_height = page.locator("[data-sticky-bar]").bounding_box()["height"]
    assert abs(float(padding.removesuffix("px")) - bar_height - 16) < 1

    # Tab from the taxon to the end of the form: no focused field hides under the bar.
    page.get_by_role("combobox", name="Taxon").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state["inBar"]:
            break
        assert not state["covered"], f"{state['name']} est masqué par la barre"
    else:
        pytest.fail("la barre d'enregistrement n'est pas atteinte au clavier")

    # Mid-page, a tap on the save button submits (here: the French errors come back).
    page.locator("#id_comment").scroll_into_view_if_needed()
    save.click()
    page.wait_for_load_state()
    assert "L'observation n'a pas été enregistrée" in page.content()

    # On a wide screen the buttons stay in the flow at the end of the form.
    page.set_viewport_size({"width": 1280, "height": 800})
    position = page.evaluate(
        "getComputedStyle(document.querySelector('[data-sticky-bar]')).position"
    )
    assert position == "static"
    assert page.errors == []
