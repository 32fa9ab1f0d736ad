"""The winter bat count programme in headless Chromium: from the programme's trend summary
to a species page whose TRIM index chart (Chart.js, vendored) is drawn with its band."""

import pytest

from referentiel.models import Role
from tests.factories.counts import (
    CountProgrammeFactory,
    CountSiteFactory,
    bat_taxa,
    seasons_create,
)
from tests.factories.referentiel import DatasetFactory, OrganisationFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "motdepasse-de-test"


@pytest.fixture
def bat_programme():
    """A demo-like CHIRO-HIVER: five hibernacula counted each January 2009–2021."""
    cpie = OrganisationFactory(name="CPIE Chaîne des Terrils", short_name="CPIE CdT")
    user = UserFactory(username="camille", organisation=cpie, roles=[Role.COORDINATEUR])
    programme = CountProgrammeFactory(dataset=DatasetFactory(producer=cpie))
    programme.taxa.set(bat_taxa())
    sites = [
        CountSiteFactory(programme=programme, site__name=f"Gîte {name}")
        for name in ("de Bailleul", "de Denain", "de Vimy", "de Douai", "de Ruitz")
    ]
    seasons_create(programme=programme, sites=sites, user=user, first=2009, last=2021)
    return programme


def test_species_trend_chart_is_drawn(live_server, page, bat_programme):
    base = live_server.url
    path = "/observations/comptages/CHIRO-HIVER/tendances/"
    page.goto(f"{base}/connexion/?next={path}")
    page.get_by_label("Identifiant").fill("camille")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}{path}")

    summary = page.get_by_test_id("trend-summary")
    assert "Myotis emarginatus" in summary.inner_text()
    assert summary.locator("[data-class]").count() == 2

    page.get_by_role("link", name="Myotis emarginatus").click()
    page.wait_for_selector("#trend-chart[data-drawn='true']")
    text = page.get_by_test_id("trend-summary").inner_text()
    assert "Tendance 2009–2021" in text and "augmentation" in text
    assert "5 site(s)" in text
    drawn = page.evaluate(
        """() => {
            const chart = window.trendChart;
            const canvas = document.getElementById("trend-chart");
            const pixels = canvas.getContext("2d")
                .getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
            return {
                points: chart.data.datasets[2].data.length,
                band: chart.data.datasets[1].fill,
                painted: painted,
                width: canvas.width,
            };
        }"""
    )
    assert drawn["points"] == 13 and drawn["band"] == "-1"
    assert drawn["width"] > 300 and drawn["painted"] > 2000
    matrix = page.get_by_test_id("species-matrix")
    assert matrix.locator("tbody tr").count() == 5
    assert page.errors == [] and page.failed_requests == []


def test_a_season_entered_in_the_grid_reaches_the_tables(
    live_server, page, bat_programme
):
    base = live_server.url
    path = "/observations/comptages/CHIRO-HIVER/saisie/2022/"
    page.goto(f"{base}/connexion/?next={path}")
    page.get_by_label("Identifiant").fill("camille")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}{path}")

    site = "Gîte de Bailleul"
    page.get_by_label(f"{site} – date").fill("2022-01-21")
    page.get_by_label(f"{site} – Myotis emarginatus").fill("37")
    page.get_by_label(f"{site} – Myotis daubentonii").fill("0")
    page.get_by_role("button", name="Enregistrer la saison").click()
    page.wait_for_url(f"{base}/observations/comptages/CHIRO-HIVER/saison/2022/")

    table = page.get_by_test_id("season-table")
    row = table.locator("tbody tr", has_text=site)
    assert row.locator("td").all_inner_texts()[-2:] == ["0", "37"]
    other = table.locator("tbody tr", has_text="Gîte de Vimy")
    assert "non visité" in other.inner_text()

    page.goto(f"{base}/observations/?source=comptage&year=2022")
    listing = page.locator("main").inner_text()
    assert "Myotis emarginatus" in listing and "Myotis daubentonii" in listing
    assert page.errors == [] and page.failed_requests == []
