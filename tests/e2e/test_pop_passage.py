"""A POP Amphibien evening on a phone, in headless Chromium: an observer opens the
passage sheet of a water point, enters the species found, saves, enters the next passage
with "nothing found", finds both in the aire page, the season's results and the national
export (the empty passage as an absence); the site sheet prints without the navigation.

DJANGO_ALLOW_ASYNC_UNSAFE is set by the ``browser`` fixture (tests/e2e/conftest.py)."""

import datetime as dt

import pytest

from observations.models import Occurrence, Source
from referentiel.models import Role, Taxon
from tests.factories.referentiel import (
    DatasetFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)
from tests.factories.zones_humides import (
    AMPHIBIANS,
    DriftFenceFactory,
    PopAireFactory,
    PopSiteFactory,
    WaterLevelReadingFactory,
    WetlandProfileFactory,
    amphibian,
)
from zones_humides.models import PopPassage
from zones_humides.services import fence_check_save

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "motdepasse-de-test"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def pop_world():
    cpie = OrganisationFactory(name="CPIE Chaîne des Terrils", short_name="CPIE CdT")
    user = UserFactory(
        username="lea", first_name="Léa", last_name="Caron", organisation=cpie,
        roles=[Role.SAISIE],
    )  # fmt: skip
    person = PersonFactory(
        user=user, first_name="Léa", last_name="Caron", organisation=cpie
    )
    for cd_nom in AMPHIBIANS:
        amphibian(cd_nom)
    aire = PopAireFactory(
        number=5,
        name="Terrils du 11/19",
        dataset=DatasetFactory(producer=cpie, title="POP Amphibien"),
        main_observer=person,
    )
    wetland = WetlandProfileFactory(site__name="Roselière des terrils du 11/19").site
    for level in (30, 25, 12):
        WaterLevelReadingFactory(site=wetland, level_cm=level)
    site = PopSiteFactory(aire=aire, code="A5-01", name="Roselière", site=wetland)
    fence = DriftFenceFactory(site=wetland, dataset=aire.dataset)
    toad = Taxon.objects.get(cd_nom=259)
    for year, day, n in ((2019, 8, 12), (2020, 3, 20), (2020, 4, 7)):
        fence_check_save(
            user=user,
            fence=fence,
            fields={"date": dt.date(year, 3, day), "temperature_c": 7},
            counts=[{"taxon": toad, "sex": "male", "alive": True, "count": n}],
        )
    return site


def log_in(page, base: str, path: str) -> None:
    page.goto(f"{base}/connexion/?next={path}")
    page.get_by_label("Identifiant").fill("lea")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}{path}")


def test_an_observer_enters_two_passages_on_a_phone(live_server, page, pop_world):
    base = live_server.url
    site = pop_world
    page.set_viewport_size(PHONE)
    path = f"/zones-humides/pop/sites/{site.pk}/passages/nouveau/"
    log_in(page, base, path)
    assert "A5-01 Roselière" in page.get_by_test_id("passage-site").inner_text()

    # Passage 1: toads and palmate newts, one count estimated.
    page.get_by_label("Numéro de passage").select_option("1")
    page.get_by_label("Date", exact=True).fill("2020-03-10")
    page.get_by_label("Heure de début").fill("20:30")
    page.get_by_label("Heure de fin").fill("22:00")
    assert page.get_by_label("CARON Léa", exact=True).is_checked()
    page.get_by_label("Expertise").select_option("chevronne")
    page.get_by_label("Prospection nocturne à la lampe").check()
    page.get_by_label("Écoute des chants").check()
    page.get_by_role("spinbutton", name="Crapaud commun").fill("35")
    page.locator("#id_sp_259_est").check()
    page.get_by_role("spinbutton", name="Triton palmé").fill("4")
    with page.expect_navigation():
        page.get_by_role(
            "button", name="Enregistrer et saisir un autre passage"
        ).click()
    assert page.url == f"{base}{path}"
    assert (
        "Passage 1 du 10/03/2020 enregistré" in page.locator(".messages").inner_text()
    )

    # Passage 2 (proposed by the page): nothing found.
    assert page.get_by_label("Numéro de passage").input_value() == "2"
    page.get_by_label("Date", exact=True).fill("2020-04-14")
    page.get_by_label("Expertise").select_option("chevronne")
    page.get_by_role("button", name="Enregistrer le passage").click()
    page.get_by_role("alert").wait_for()
    assert "cochez « Rien trouvé »" in page.get_by_role("alert").inner_text()
    page.get_by_label("Rien trouvé").check()
    page.get_by_role("button", name="Enregistrer le passage").click()
    page.wait_for_url(f"{base}/zones-humides/pop/aires/{site.aire_id}/?year=2020*")
    card = page.locator('[data-site="A5-01"]')
    assert "2 / 3 passages en 2020" in card.inner_text()
    assert "Bufo bufo (35)" in card.inner_text() and "Rien trouvé" in card.inner_text()
    # The pond on the aire's map, labelled with its code; its popup links to its card.
    label = page.locator("#aire-map .pop-map__code")
    label.wait_for()
    assert label.inner_text() == "A5-01"
    page.locator("#aire-map path.pop-map__pond").click()
    popup = page.locator("#aire-map .leaflet-popup-content")
    assert "A5-01 · Roselière" in popup.inner_text()
    assert (
        popup.get_by_role("link", name="Voir ses passages").get_attribute("href")
        == f"#site-{site.pk}"
    )
    row = page.get_by_test_id("pop-map-table").get_by_role("row", name="A5-01")
    assert "Roselière" in row.inner_text() and "2 / 3" in row.inner_text()

    passages = PopPassage.objects.filter(pop_site=site).order_by("number")
    assert [p.date for p in passages] == [dt.date(2020, 3, 10), dt.date(2020, 4, 14)]
    assert passages[0].methods == ["4", "5"]
    toad = passages[0].observations.get(taxon_id=259)
    assert (toad.count_max, toad.count_type) == (35, "Es")
    absence = passages[1].observations.get()
    assert absence.taxon_id == 914450 and not absence.present
    statuses = sorted(
        Occurrence.objects.filter(
            source=Source.ZONES_HUMIDES, pop_observation__isnull=False
        ).values_list("observation_status", flat=True)
    )
    assert statuses == ["No", "Pr", "Pr"]

    # The season's results, computed from the two visits, and the export.
    page.goto(f"{base}/zones-humides/pop/2020/")
    figures = page.get_by_test_id("pop-figures")
    assert figures.locator('[data-figure="sites-visited"]').inner_text() == "1"
    assert figures.locator('[data-figure="records"]').inner_text() == "3"
    assert figures.locator('[data-figure="positive"]').inner_text() == "2"
    with page.expect_download() as download:
        page.get_by_test_id("pop-export").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    rows = text.strip().splitlines()
    assert len(rows) == 4
    assert any(";914450;Amphibia;" in row and ";Non;" in row for row in rows)

    # The site sheet of the wetland prints without the site's navigation.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{base}/zones-humides/sites/{site.site_id}/")
    page.wait_for_function(
        "document.getElementById('water-level-chart').dataset.drawn === 'true'"
    )
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.get_by_role("button", name="Imprimer la fiche").is_visible()
    assert page.get_by_test_id("site-sheet").is_visible()
    assert page.pdf(format="A4")[:4] == b"%PDF"
    # The wetlands map and the fence's charts.
    page.emulate_media(media="screen")
    page.goto(f"{base}/zones-humides/")
    page.get_by_text("1 sites sur la carte.").wait_for()
    page.get_by_role("link", name="Barrière-piège").click()
    for chart in ("chart-chronology", "chart-arrivals", "chart-totals"):
        page.wait_for_function(
            f"document.getElementById('{chart}').dataset.drawn === 'true'"
        )
    totals = page.get_by_test_id("fence-totals").inner_text()
    assert "2019" in totals and "2020" in totals and "27" in totals
    assert page.errors == []
    # A download ends its navigation as "aborted": that is not a failure.
    assert [r for r in page.failed_requests if ".csv (net::ERR_ABORTED)" not in r] == []


def test_a_newt_photo_is_tagged_to_a_known_individual(
    live_server, page, pop_world, tmp_path
):
    """At the fence's morning round, a Great crested newt is photographed; the page shows
    its belly next to the individuals known nearby, and the person picks TC-2013-001."""
    from tests.factories.zones_humides import belly_upload
    from zones_humides.models import FenceCheck, NewtCapture
    from zones_humides.services import newt_capture_create, newt_capture_tag

    base = live_server.url
    user = UserFactory._meta.model.objects.get(username="lea")
    check = FenceCheck.objects.get(date=dt.date(2020, 3, 4))
    fence = check.fence
    known = {}
    for pattern, year in (("A", 2013), ("B", 2019)):
        capture = newt_capture_create(
            user=user,
            date=dt.date(year, 4, 1),
            site=fence.site,
            dataset=fence.dataset,
            photo=belly_upload(pattern, str(year)),
        )
        known[pattern] = newt_capture_tag(user=user, capture=capture, individual=None)
    photo = tmp_path / "ventre.jpg"
    photo.write_bytes(belly_upload("A", "2020").read())

    path = f"/zones-humides/tritons/captures/nouvelle/?releve={check.pk}"
    log_in(page, base, path)
    assert "04/03/2020" in page.get_by_test_id("capture-context").inner_text()
    page.get_by_label("Sexe").select_option("female")
    page.get_by_label("Photo du ventre").set_input_files(str(photo))
    page.get_by_role("button", name="Envoyer la photo et identifier").click()
    page.wait_for_url(f"{base}/zones-humides/tritons/captures/*/identifier/")

    # The new photo and the two candidates, the most recently seen first.
    new_photo = page.get_by_test_id("newt-new-photo").locator("img")
    new_photo.wait_for()
    assert new_photo.evaluate("img => img.naturalWidth") > 0
    candidates = page.get_by_test_id("newt-candidates")
    codes = candidates.locator("strong").all_inner_texts()
    assert codes == [known["B"].code, known["A"].code, "Nouvel individu"]
    # Each candidate's photo shows (lazy images: brought into view, then decoded; on a
    # loaded machine one was still loading when this was asked at once).
    for img in candidates.locator("img").all():
        img.scroll_into_view_if_needed()
        width = img.evaluate(
            "img => img.decode().then(() => img.naturalWidth, () => 0)"
        )
        assert width > 0, img.get_attribute("src")
    page.get_by_label(f"{known['A'].code} · vu le 01/04/2013", exact=False).check()
    page.get_by_role("button", name="Confirmer l'identification").click()
    page.wait_for_url(f"{base}/zones-humides/tritons/individus/{known['A'].pk}/")
    history = page.get_by_test_id("newt-history").inner_text()
    assert "01/04/2013" in history and "04/03/2020" in history
    assert "Relevé de" in history
    capture = NewtCapture.objects.get(fence_check=check)
    assert capture.individual == known["A"] and capture.sex == "female"
