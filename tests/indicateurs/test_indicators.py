"""The annual indicators: figures equal to what each source app computes, the comparison
with the year before, a changed record changing a figure, permissions, page and API."""

import datetime as dt

import pytest
from django.urls import reverse

from baguage.reports import annual_table
from indicateurs.figures import SECTIONS
from indicateurs.services import indicators_for_year
from observations.atlas import atlas_contributions
from observations.models import Occurrence
from referentiel.models import Role
from sensibilisation.permissions import actions_visible_to
from sensibilisation.selectors import figures_for_year
from terrils.models import Score
from terrils.selectors import ranking
from tests.factories.referentiel import (
    OrganisationFactory,
    UserFactory,
)
from zones_humides.models import PopAire
from zones_humides.selectors.pop import pop_results

pytestmark = pytest.mark.django_db
API = "/api/v1/indicateurs/{}/"
PAGE = "/indicateurs/{}/"


def figures(indicators) -> dict:
    return {f["key"]: f for s in indicators["sections"] for f in s["figures"]}


def test_figures_equal_what_the_source_apps_compute(data, coordinateur_user):
    user = coordinateur_user
    indicators = indicators_for_year(2020, user)
    details = indicators["details"]
    atlas = atlas_contributions(year=2020, queryset=Occurrence.objects.visible_to(user))
    # 4 records entered and the POP toad, published by zones_humides.
    assert details["atlas"]["total"]["records"] == atlas.total.records == 5
    kingdoms = {k.code: k for k in atlas.kingdoms}
    by_key = figures(indicators)
    assert by_key["records_fauna"]["value"] == kingdoms["faune"].records
    assert by_key["records_flora"]["value"] == kingdoms["flore"].records == 2
    assert by_key["species"]["value"] == atlas.total.species
    ringing = annual_table(year=2020, user=user).total
    assert (by_key["ringing_rings"]["value"], by_key["ringing_controls"]["value"]) == (
        ringing.rings,
        ringing.controls,
    )
    assert (ringing.rings, ringing.controls) == (2, 1)
    pop = pop_results(year=2020, aires=PopAire.objects.all(), user=None)
    assert by_key["pop_sites_visited"]["value"] == pop.sites_visited == 1
    assert by_key["pop_positive"]["value"] == pop.positive
    assert by_key["pop_species"]["value"] == len(pop.species)
    outreach = figures_for_year(actions=actions_visible_to(user), year=2020)
    assert by_key["a1_trained"]["value"] == outreach["lines"][0]["trained"] == 12
    assert by_key["a2_aware"]["value"] == outreach["lines"][1]["aware"] == 30
    assert by_key["economic_actions"]["value"] == 1
    version = Score.objects.get().version
    assert by_key["terrils_evaluated"]["value"] == len(
        ranking(year=2020, version=version)
    )
    assert by_key["terrils_evaluated"]["value"] == 1
    assert by_key["exchanges"]["value"] == 1
    assert by_key["exchanged_rows"]["value"] == 120
    assert by_key["programmes"]["value"] == 1
    assert by_key["operations"]["value"] == 1
    assert by_key["operations_for_companies"]["value"] == 1
    partners = details["partners"]["names"]
    assert {"ONF", "SUEZ", "Eden 62"} <= set(partners)
    assert "CPIE CdT" not in partners  # the user's own organisation is no partner
    assert sum(indicators["charts"]["months"]["datasets"][0]["data"]) == 5


def test_each_figure_compares_with_the_previous_year(data, coordinateur_user):
    by_key = figures(indicators_for_year(2020, coordinateur_user))
    records = by_key["records"]
    assert (records["value"], records["previous"], records["difference"]) == (5, 1, 4)
    assert by_key["a1_actions"]["previous"] == 1
    assert by_key["ringing_rings"]["difference"] == 2
    assert records["url"] == "/observations/?year=2020&presence=Pr"


def test_every_declared_figure_is_shown_once_with_its_definition(
    data, coordinateur_user
):
    """The tables are the declarations (indicateurs.figures): same figures, same order,
    each with its French definition; a key declared twice would be read as one."""
    declared = [(s.action, [f.key for f in s.figures]) for s in SECTIONS]
    sections = indicators_for_year(2020, coordinateur_user)["sections"]
    assert [(s["action"], [f["key"] for f in s["figures"]]) for s in sections] == (
        declared
    )
    keys = [key for _, keys in declared for key in keys]
    assert len(keys) == len(set(keys))
    lines = [f for s in sections for f in s["figures"]]
    assert all(f["definition"].endswith(".") for f in lines)
    returns = next(f for f in lines if f["key"] == "finds_returns")
    assert returns["label"] == "Retours après plus de 10 ans d'absence"


def test_a_changed_record_changes_the_figure(data, coordinateur_user):
    before = figures(indicators_for_year(2020, coordinateur_user))
    occurrence = Occurrence.objects.filter(taxon=data["plant"]).first()
    Occurrence.objects.filter(pk=occurrence.pk).update(date_start=dt.date(2019, 5, 5))
    after = figures(indicators_for_year(2020, coordinateur_user))
    assert after["records_flora"]["value"] == before["records_flora"]["value"] - 1
    assert after["records"]["previous"] == before["records"]["previous"] + 1


def test_the_page_is_for_coordinators(client, data, coordinateur_user, saisie_user):
    client.force_login(saisie_user)
    assert client.get(PAGE.format(2020)).status_code == 403
    client.force_login(coordinateur_user)
    response = client.get(PAGE.format(2020))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="indicateurs-charts"' in html
    assert "js/indicateurs.js" in html
    assert "<script>" not in html  # data through json_script only (CSP)
    assert 'data-figure="records"' in html
    # Each figure's definition under its label, open on demand (issue 22).
    assert (
        '<details class="indicateurs__definition"><summary>Définition</summary>'
        "<p>Données de présence (non les absences) dont la date" in html
    )
    assert reverse("baguage:bilan", args=[2020]) in html


def test_anonymous_is_sent_to_login(client):
    response = client.get(PAGE.format(2020))
    assert response.status_code == 302
    assert "/login" in response["Location"] or "connexion" in response["Location"]


def test_index_redirects_to_last_year(client, coordinateur_user):
    client.force_login(coordinateur_user)
    response = client.get("/indicateurs/")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "indicateurs:dashboard", args=[dt.date.today().year - 1]
    )


def test_superuser_reads_the_page(client, organisation):
    admin = UserFactory(username="chef", organisation=organisation, is_superuser=True)
    client.force_login(admin)
    assert client.get(PAGE.format(2020)).status_code == 200


def test_api_gives_the_same_indicators(api_client, data, coordinateur_user):
    api_client.force_authenticate(coordinateur_user)
    response = api_client.get(API.format(2020))
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2020
    assert figures(body) == figures(indicators_for_year(2020, coordinateur_user))


def test_api_permissions(api_client, saisie_user, partenaire_user):
    assert api_client.get(API.format(2020)).status_code in (401, 403)
    for user in (saisie_user, partenaire_user):
        api_client.force_authenticate(user)
        assert api_client.get(API.format(2020)).status_code == 403


def test_regional_observatory_account_reads_the_api(api_client, data, organisation):
    observatory = OrganisationFactory(name="Observatoire régional", kind="etat")
    user = UserFactory(
        username="orb",
        organisation=observatory,
        roles=[Role.COORDINATEUR],
        is_regional=True,
    )
    api_client.force_authenticate(user)
    response = api_client.get(API.format(2020))
    assert response.status_code == 200
    assert figures(response.json())["records"]["value"] == 5


def test_api_rejects_a_year_out_of_range(api_client, coordinateur_user):
    api_client.force_authenticate(coordinateur_user)
    assert api_client.get(API.format(3000)).status_code == 404
