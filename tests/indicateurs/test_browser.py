"""The dashboard in headless Chromium: both charts are drawn and the map shows the year's
10 km cells, with no script error."""

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.gis.geos import Point

from referentiel.models import AtlasGroup, Role
from tests.e2e.conftest import TileRoute
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    DatasetFactory,
    OrganisationFactory,
    TaxonFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "motdepasse-de-test"


@pytest.fixture
def year_of_records():
    cpie = OrganisationFactory(name="CPIE Chaîne des Terrils", short_name="CPIE CdT")
    UserFactory(username="camille", organisation=cpie, roles=[Role.COORDINATEUR])
    dataset = DatasetFactory(producer=cpie)
    bird = TaxonFactory(atlas_group=AtlasGroup.objects.get(code="oiseaux"))
    for n, (year, month) in enumerate(((2020, 4), (2020, 5), (2020, 5), (2019, 6))):
        OccurrenceFactory(
            taxon=bird,
            dataset=dataset,
            date_start=dt.date(year, month, 10),
            # Two 10 km cells: three records near Loos, one 20 km east.
            geom=Point(LOOS_X + 100 + (20000 if n == 1 else 0), LOOS_Y + 100),
        )


def log_in(page, base: str, path: str) -> None:
    """Camille, coordinator, logs in and lands on ``path``."""
    page.goto(f"{base}/connexion/?next={path}")
    page.get_by_label("Identifiant").fill("camille")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}{path}")


def test_dashboard_draws_its_charts_and_map(live_server, page, year_of_records):
    base = live_server.url
    path = "/indicateurs/2020/"
    log_in(page, base, path)
    page.wait_for_selector("#indicateurs-months[data-drawn='true']")
    page.wait_for_selector("#indicateurs-groups[data-drawn='true']")
    page.wait_for_selector("#indicateurs-map[data-cells]")
    assert page.get_attribute("#indicateurs-map", "data-cells") == "2"
    painted = page.evaluate(
        """() => {
            const canvas = document.getElementById("indicateurs-months");
            const data = canvas.getContext("2d")
                .getImageData(0, 0, canvas.width, canvas.height).data;
            let n = 0;
            for (let i = 3; i < data.length; i += 4) { if (data[i]) n++; }
            return n;
        }"""
    )
    assert painted > 100
    records = page.locator("tr[data-figure='records'] [data-value]").inner_text()
    assert records.strip() == "3"
    # Each chart saves as an image: PNG, or SVG drawn from its data (text stays text).
    name = "Données par groupe d'atlas : 2020 et 2019"
    with page.expect_download() as download:
        page.get_by_role("button", name=f"Télécharger l'image (SVG) : {name}").click()
    assert (
        download.value.suggested_filename
        == "donnees-par-groupe-d-atlas-2020-et-2019.svg"
    )
    svg = Path(download.value.path()).read_text()
    assert svg.startswith("<?xml")
    assert "<title>Données par groupe d&apos;atlas : 2020 et 2019</title>" in svg
    assert "Oiseaux" in svg and "<rect" in svg
    with page.expect_download() as download:
        page.get_by_role("button", name=f"Télécharger l'image (PNG) : {name}").click()
    assert Path(download.value.path()).read_bytes().startswith(b"\x89PNG")
    # The printable version: same figures, both charts drawn, no navigation on paper.
    page.get_by_test_id("printable-link").click()
    page.wait_for_url(f"{base}/indicateurs/2020/imprimer/")
    page.wait_for_selector("#indicateurs-months[data-drawn='true']")
    page.wait_for_selector("#indicateurs-groups[data-drawn='true']")
    assert page.locator("tr[data-figure='records'] td").first.inner_text() == "3"
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.get_by_role(
        "button", name="Imprimer ou enregistrer en PDF"
    ).is_visible()
    assert page.locator("[data-testid=printable-report] h1").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    assert page.errors == []
    assert page.failed_requests == []


def test_dashboard_runs_under_the_content_security_policy(
    browser, live_server, year_of_records
):
    """The real policy (the ``page`` fixture bypasses it): no blocked script, no error."""
    context = browser.new_context(locale="fr-FR")
    TileRoute(context)  # the background map's tiles, answered locally (no internet)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"erreur : {error}"))
    page.on(
        "console",
        lambda message: message.type == "error" and problems.append(message.text),
    )
    page.goto(f"{live_server.url}/connexion/?next=/indicateurs/2020/")
    page.fill("input[name=username]", "camille")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/indicateurs/2020/")
    page.wait_for_selector("#indicateurs-groups[data-drawn='true']")
    page.wait_for_selector("#indicateurs-map[data-cells]")
    context.close()
    assert problems == []


def test_the_dashboard_updates_itself_once_its_figures_are_recomputed(
    settings, live_server, page, year_of_records
):
    """After a change, the page shows its last figures and says so; once the refresh
    (here run by the test, as the Celery task does) is done, it reloads itself."""
    from cpie_naturaliste.celery import app as celery_app
    from indicateurs.snapshots import snapshots_refresh
    from observations.models import Occurrence

    settings.INDICATEURS_AUTO_REFRESH = True
    settings.INDICATEURS_REFRESH_DELAY = 600  # no worker here: the test refreshes
    base = live_server.url
    path = "/indicateurs/2020/"
    log_in(page, base, path)
    records = page.locator("tr[data-figure='records'] [data-value]")
    assert records.inner_text().strip() == "3"
    try:
        existing = Occurrence.objects.filter(date_start__year=2020).first()
        OccurrenceFactory(
            taxon=existing.taxon,
            dataset=existing.dataset,
            date_start=dt.date(2020, 9, 1),
            geom=existing.geom,
        )
        page.reload()
        freshness = page.get_by_test_id("freshness")
        assert "Des données ont changé depuis" in freshness.inner_text()
        assert records.inner_text().strip() == "3"  # the last figures, said to be
        # 2020's figures, and last and this year's, computed ahead for a coordinator
        # who logs in.
        assert snapshots_refresh()["computed"] == 3
        page.wait_for_function(
            """() => !document.querySelector("[data-testid=freshness]")
                .classList.contains("is-stale")""",
            timeout=20_000,
        )
        assert records.inner_text().strip() == "4"
        assert "Aucune donnée n'a changé depuis" in freshness.inner_text()
    finally:
        celery_app.control.purge()
    assert page.errors == []
    assert page.failed_requests == []


def test_a_coordinator_writes_a_narrative_reads_five_years_and_shares_the_report(
    browser, live_server, year_of_records
):
    """Under the real policy: the narrative written in the form shows under action 1;
    the five-year chart is drawn with its data table; the share link opens the print
    page in a context with no session; the new pages pass axe."""
    from indicateurs.snapshots import snapshot_compute
    from referentiel.models import User
    from tests.e2e.axe import DESKTOP, audit, axe_source

    camille = User.objects.get(username="camille")
    for year in (2018, 2016):  # kept figures of 2016–2018 (2019, 2020: the page's)
        snapshot_compute(year, camille)
    context = browser.new_context(locale="fr-FR", viewport=DESKTOP)
    context.add_init_script(axe_source())
    TileRoute(context)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"erreur : {error}"))
    base = live_server.url
    page.goto(f"{base}/connexion/?next=/indicateurs/2020/recit/")
    page.fill("input[name=username]", "camille")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/indicateurs/2020/recit/")
    violations = audit(page, label="récits", role="coordinateur", size="bureau")
    page.get_by_label("Récit de l'action 1", exact=False).fill(
        "Une année **riche**.\n\n- 3 stages"
    )
    page.get_by_role("button", name="Enregistrer les récits").click()
    page.wait_for_url(f"{base}/indicateurs/2020/")
    narrative = page.get_by_test_id("narrative-1")
    assert narrative.locator("strong").inner_text() == "riche"
    page.wait_for_selector("#indicateurs-series[data-drawn='true']")
    # The chart's own data table (chart_table.js) says what it draws: records per year.
    page.select_option("#series-figure", "records")
    assert page.locator("#series-caption").text_content() == "Données saisies"
    chart_rows = page.locator("#series [data-chart-table] tbody tr")
    assert chart_rows.first.locator("th").text_content() == "2016"
    assert chart_rows.last.locator("td").text_content() == "3"
    years = page.locator("[data-testid=series-table] thead th").all_text_contents()
    assert years[1:] == ["2016", "2017", "2018", "2019", "2020"]
    # Another figure chosen: the chart and its table follow.
    page.select_option("#series-figure", "records_fauna")
    assert page.locator("#series-caption").text_content() == "Données faune"
    violations += audit(
        page, label="tableau de bord", role="coordinateur", size="bureau"
    )

    page.get_by_test_id("share-link").click()
    page.get_by_label("Destinataire").fill("Région Hauts-de-France")
    page.get_by_role("button", name="Créer le lien").click()
    url = page.locator(".indicateurs__share-url").first.input_value()
    violations += audit(page, label="partage", role="coordinateur", size="bureau")

    officer = browser.new_context(locale="fr-FR", viewport=DESKTOP)
    officer.add_init_script(axe_source())
    shared = officer.new_page()
    shared.on("pageerror", lambda error: problems.append(f"erreur : {error}"))
    shared.goto(url)
    assert (
        shared.get_by_test_id("narrative-1").locator("strong").inner_text() == "riche"
    )
    shared.wait_for_selector("#indicateurs-months[data-drawn='true']")
    violations += audit(shared, label="bilan partagé", role="anonyme", size="bureau")
    # Revoked: a French page, no figure.
    page.get_by_role("button", name="Révoquer ce lien").click()
    shared.goto(url)
    assert shared.locator("h1").inner_text() == "Ce lien a été révoqué"
    assert shared.locator("[data-figure]").count() == 0
    violations += audit(shared, label="lien révoqué", role="anonyme", size="bureau")
    officer.close()
    # The regional coordination's side by side (Camille made regional).
    User.objects.filter(pk=camille.pk).update(is_regional=True)
    other = OrganisationFactory(name="CPIE Val d'Authie", is_network_member=True)
    camille.organisation.__class__.objects.filter(pk=camille.organisation_id).update(
        is_network_member=True
    )
    page.goto(
        f"{base}/indicateurs/2020/comparer/?a={camille.organisation_id}&b={other.pk}"
    )
    assert page.get_by_test_id("comparison").locator("thead th").all_inner_texts() == [
        "Indicateur",
        "CPIE Chaîne des Terrils",
        "CPIE Val d'Authie",
    ]
    violations += audit(page, label="comparaison", role="régional", size="bureau")
    context.close()
    assert problems == []
    assert violations == [], violations
