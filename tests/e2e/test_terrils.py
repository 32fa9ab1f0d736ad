"""Terrils in headless Chromium: the 2020 ranking page (table and map coloured by score
class) and a terril's sheet with the chart of its score over time drawn on the canvas."""

import pytest
from django.core.management import call_command

from referentiel.models import Role
from terrils.models import Campaign
from terrils.services import scores_recompute
from tests.factories.referentiel import UserFactory
from tests.factories.terrils import CampaignFactory
from tests.terrils.conftest import evaluation  # noqa: F401 (shared fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "motdepasse-de-test"


@pytest.fixture
def scored(evaluation):  # noqa: F811
    CampaignFactory(
        terril=evaluation.terril,
        kind=Campaign.Kind.STATE_ZERO,
        year=2008,
    )
    scores_recompute()
    return evaluation


def _login(page, live_server, user, path):
    page.goto(f"{live_server.url}/connexion/?next={path}")
    page.get_by_label("Identifiant").fill(user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}{path}")


def _canvas_drawn(page, selector) -> bool:
    return page.evaluate(
        """(selector) => {
            const canvas = document.querySelector(selector);
            if (!canvas || !canvas.width) return false;
            const data = canvas.getContext('2d')
                .getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) return true; }
            return false;
        }""",
        selector,
    )


def test_ranking_and_evolution_chart(page, live_server, scored, organisation):
    user = UserFactory(
        username="claire", organisation=organisation, roles=[Role.COORDINATEUR]
    )
    _login(page, live_server, user, "/terrils/classement/?annee=2020")
    row = page.locator('#ranking tr[data-terril="94-94a"]')
    row.wait_for()
    assert "21" in row.inner_text()
    page.locator("#terril-map path.leaflet-interactive").first.wait_for()

    page.goto(f"{live_server.url}/terrils/94-94a/")
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById("
        "'terril-history-chart'))"
    )
    assert _canvas_drawn(page, "#terril-history-chart")
    labels = page.evaluate(
        "() => Chart.getChart(document.getElementById('terril-history-chart'))"
        ".data.labels"
    )
    assert labels == ["État zéro (2008)", "2020"]
    assert not page.errors, page.errors
    assert not [r for r in page.failed_requests if "tile" not in r], (
        page.failed_requests
    )


def test_recompute_command_runs(scored):
    call_command("terrils_recompute", "--version", "v1")
