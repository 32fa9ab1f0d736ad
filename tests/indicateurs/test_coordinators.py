"""Issue 22 point 5, the coordinators' needs: a narrative per action carried into the
dashboard, the print page and the workbook; a regional coordinator's view of one
structure and side-by-side of two (a structure's coordinator is refused another
structure); five-year series read from the kept snapshots; a read-only share link for
the Region (signed, expiring, revocable, logged) that shows figures and retained finds
only; a light JSON.

Measured on the demo (CPIE Chaîne des Terrils' coordinator, 2020, /api/v1/indicateurs/):
1,953,671 bytes before (1.8 MB of it the year before's facts, 330 KB the finds), 49,585
after; the regional coordinator's 1,307,237 → 48,316."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone
from openpyxl import load_workbook

from indicateurs.jobs import report_run
from indicateurs.models import (
    AnnualReport,
    IndicatorSnapshot,
    ShareLink,
    ShareLinkEvent,
)
from indicateurs.services import find_decide, indicators_for_year
from indicateurs.sharing import share_token
from indicateurs.snapshots import snapshot_compute
from indicateurs.summary import presence_summary_refresh
from indicateurs.tasks import series_compute_task
from observations.models import Occurrence
from referentiel.models import Role
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    DatasetFactory,
    OrganisationFactory,
    TaxonFactory,
    UserFactory,
)
from tests.indicateurs.conftest import IN_62
from tests.security.test_crawler import world  # noqa: F401 (the canaries' fixture)

pytestmark = pytest.mark.django_db

NARRATIVE = (
    "Une année **exceptionnelle** pour les orthoptères.\n\n"
    "- 12 sorties\n- 3 stages\n\n<script>alert('x')</script> [lien](https://exemple.org)"
)


def figures(sections) -> dict:
    return {f["key"]: f["value"] for s in sections for f in s["figures"]}


@pytest.fixture
def regional_user(db):
    return UserFactory(
        username="coordination-regionale",
        organisation=OrganisationFactory(name="URCPIE Hauts-de-France"),
        is_regional=True,
        roles=[Role.COORDINATEUR],
    )


@pytest.fixture
def network(organisation, other_organisation):
    """Two structures of the network, the second with one record of 2020."""
    for structure in (organisation, other_organisation):
        structure.is_network_member = True
        structure.save()
    OccurrenceFactory(
        dataset=DatasetFactory(producer=other_organisation),
        date_start=dt.date(2020, 6, 1),
        observation_status="Pr",
    )
    return organisation, other_organisation


def test_the_narrative_goes_from_the_form_to_the_dashboard_print_page_and_workbook(
    client, data, coordinateur_user, saisie_user
):
    client.force_login(saisie_user)
    assert client.get("/indicateurs/2020/recit/").status_code == 403
    client.force_login(coordinateur_user)
    form = client.get("/indicateurs/2020/recit/").content.decode()
    assert '<label for="id_action_1">Récit de l&#x27;action 1 – ' in form
    too_long = client.post("/indicateurs/2020/recit/", {"action_2": "x" * 20001})
    assert too_long.status_code == 400
    assert 'id="id_action_2_error"' in too_long.content.decode()
    response = client.post("/indicateurs/2020/recit/", {"action_1": NARRATIVE})
    assert response.status_code == 302

    for url in ("/indicateurs/2020/", "/indicateurs/2020/imprimer/"):
        html = client.get(url).content.decode()
        shown = html[html.index('data-testid="narrative-1"') :]
        shown = shown[: shown.index("</div>")]
        assert "<strong>exceptionnelle</strong>" in shown
        assert "<li>12 sorties</li>" in shown
        assert "&lt;script&gt;" in shown and "<script>" not in shown
        assert "<a " not in shown  # no links in a narrative
        assert 'data-testid="narrative-2"' not in html

    report = AnnualReport.objects.create(year=2020, requested_by=coordinateur_user)
    report_run(report.pk)
    report.refresh_from_db()
    sheet = load_workbook(report.file.path)["Récits"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert rows[0][0] == "Action 1" and rows[0][2] == NARRATIVE.strip()

    # Emptied, it is gone.
    client.post("/indicateurs/2020/recit/", {"action_1": ""})
    assert (
        'data-testid="narrative-1"'
        not in client.get("/indicateurs/2020/").content.decode()
    )


def test_a_regional_coordinator_reads_one_structure_and_compares_two(
    client, data, network, regional_user, coordinateur_user
):
    cdt, eden = network
    own = figures(indicators_for_year(2020, coordinateur_user)["sections"])
    client.force_login(regional_user)
    html = client.get(f"/indicateurs/2020/?organisme={cdt.pk}").content.decode()
    assert "Structure : <strong>CPIE Chaîne des Terrils</strong>" in html
    assert f'<option value="{cdt.pk}" selected>' in html
    shown = client.get(f"/api/v1/indicateurs/2020/?organisme={cdt.pk}").json()
    assert figures(shown["sections"]) == own
    assert shown["structure"] == "CPIE Chaîne des Terrils"
    assert IndicatorSnapshot.objects.filter(user=regional_user, structure=cdt).exists()
    network_wide = client.get("/api/v1/indicateurs/2020/").json()
    assert network_wide["structure"] is None
    assert figures(network_wide["sections"])["records"] == own["records"] + 1

    compared = client.get(f"/indicateurs/2020/comparer/?a={cdt.pk}&b={eden.pk}")
    table = compared.content.decode()
    assert '<th scope="col" class="num">CPIE Chaîne des Terrils</th>' in table
    assert '<th scope="col" class="num">Eden 62</th>' in table
    row = table[table.index("Données saisies") :]
    row = row[: row.index("</tr>")]
    assert f'<td class="num">{own["records"]}</td><td class="num">1</td>' in row

    # The structure's workbook, asked from its view.
    client.post(f"/indicateurs/2020/rapport/?organisme={cdt.pk}")
    report = AnnualReport.objects.get(requested_by=regional_user)
    assert report.structure == cdt
    report_run(report.pk)
    report.refresh_from_db()
    rows = load_workbook(report.file.path)["Action 1"].iter_rows(values_only=True)
    records = next(row for row in rows if row[0] == "Données saisies")
    assert records[1] == own["records"]

    # A structure's coordinator: their own structure only.
    client.force_login(coordinateur_user)
    assert client.get(f"/indicateurs/2020/?organisme={cdt.pk}").status_code == 200
    assert client.get(f"/indicateurs/2020/?organisme={eden.pk}").status_code == 403
    assert (
        client.get(f"/api/v1/indicateurs/2020/?organisme={eden.pk}").status_code == 403
    )
    assert (
        client.get(f"/indicateurs/2020/imprimer/?organisme={eden.pk}").status_code
        == 403
    )
    assert (
        client.get(f"/indicateurs/2020/comparer/?a={cdt.pk}&b={eden.pk}").status_code
        == 403
    )


def test_five_years_of_every_figure_are_read_from_the_kept_snapshots(
    client, data, coordinateur_user
):
    for year in (2020, 2018, 2016):  # each also keeps the year before's figures
        snapshot_compute(year, coordinateur_user)
    client.force_login(coordinateur_user)
    kept = IndicatorSnapshot.objects.count()
    html = client.get("/indicateurs/2020/").content.decode()
    assert IndicatorSnapshot.objects.count() == kept  # nothing recomputed
    assert "Évolution sur cinq ans (2016–2020)" in html
    assert "series-missing" not in html
    row = html[html.index('<tr data-series="records">') :]
    row = row[: row.index("</tr>")]
    line = next(
        f
        for s in indicators_for_year(2020, coordinateur_user)["sections"]
        for f in s["figures"]
        if f["key"] == "records"
    )
    now, before = line["value"], line["previous"]
    assert (now, before) == (5, 1)
    # 2016–2018: none; 2019: one record; 2020: five.
    assert row.count('<td class="num">0</td>') == 3
    assert row.endswith(f'<td class="num">{before}</td><td class="num">{now}</td>')
    series = client.get("/api/v1/indicateurs/2020/").json()["series"]
    assert series["years"] == [2016, 2017, 2018, 2019, 2020]
    records = next(
        f for s in series["sections"] for f in s["figures"] if f["key"] == "records"
    )
    assert records["values"] == [0, 0, 0, before, now]

    IndicatorSnapshot.objects.filter(year=2016).delete()
    html = client.get("/indicateurs/2020/").content.decode()
    assert "Années pas encore calculées : 2016." in html
    # The worker's task computes the missing years (here called as Celery would).
    series_compute_task(coordinateur_user.pk, None, [2016])
    html = client.get("/indicateurs/2020/").content.decode()
    assert "series-missing" not in html


def _record(taxon, dataset, *, sensitivity=0):
    record = OccurrenceFactory(
        taxon=taxon,
        dataset=dataset,
        date_start=dt.date(2020, 7, 7),
        geom=Point(*IN_62, srid=2154),
        validation_status=1,
        observation_status="Pr",
    )
    # Sensitive (blurred to its 10 km cell for the public).
    Occurrence.objects.filter(pk=record.pk).update(sensitivity_level=sensitivity)
    return record


def test_the_share_link_opens_the_report_without_an_account_until_revoked_or_expired(
    client, departements, organisation, coordinateur_user, regional_user
):
    public = DatasetFactory(producer=organisation, is_public=True)
    shown = _record(TaxonFactory(scientific_name="Calliptamus italicus"), public)
    hidden_place = _record(
        TaxonFactory(scientific_name="Bufo calamita"), public, sensitivity=2
    )
    _record(TaxonFactory(scientific_name="Rostraria cristata"), public)  # not retained
    presence_summary_refresh()
    for record in (shown, hidden_place):
        find_decide(
            user=coordinateur_user,
            year=2020,
            occurrence=record,
            kind="first_departement",
            status="confirmee",
            in_report=True,
            comment="",
        )
    client.force_login(coordinateur_user)
    client.post("/indicateurs/2020/recit/", {"action_1": "Pour la **Région**."})
    response = client.post(
        "/indicateurs/2020/partage/",
        {"recipient": "Chargée de mission, Région Hauts-de-France", "days": "30"},
    )
    assert response.status_code == 302
    link = ShareLink.objects.get()
    assert (link.expires_at - timezone.now()).days == 29
    url = f"/indicateurs/partage/{share_token(link)}/"
    page = client.get("/indicateurs/2020/partage/").content.decode()
    assert f"http://testserver{url}" in page, page[page.index("<main") :]

    client.logout()
    html = client.get(url).content.decode()
    assert '<p class="print-cover__structure">CPIE Chaîne des Terrils</p>' in html
    assert "<h1>Bilan d'activité 2020</h1>" in html
    # Nothing of the coordinators' own tools: no way back to the dashboard, no choosing.
    assert "Retour au tableau de bord" not in html
    assert "Choisir les découvertes du bilan" not in html
    assert "<strong>Région</strong>" in html
    finds = html[html.index('data-testid="printable-finds"') :]
    finds = finds[: finds.index("</table>")]
    assert "Calliptamus italicus" in finds and "Loos-en-Gohelle" in finds
    row = finds[finds.index("Bufo calamita") :]
    assert "Loos-en-Gohelle" not in row[: row.index("</tr>")]
    assert "Rostraria cristata" not in html
    report = html[html.index('data-testid="printable-report"') :]
    assert "/observations/" not in report  # no link to the records
    # A forged or altered token opens nothing.
    assert client.get(url.replace(url[-6:-1], "xxxxx")).status_code == 404
    assert client.post(url).status_code == 405

    # Another structure's coordinator may not revoke it; its author may.
    stranger = UserFactory(
        username="autre-coordination",
        organisation=OrganisationFactory(name="CPIE Flandre"),
        roles=[Role.COORDINATEUR],
    )
    client.force_login(stranger)
    assert client.post(f"/indicateurs/partage/{link.uuid}/revoquer/").status_code == 403
    client.force_login(coordinateur_user)
    client.post(f"/indicateurs/partage/{link.uuid}/revoquer/")
    client.logout()
    closed = client.get(url)
    assert closed.status_code == 410
    text = closed.content.decode()
    assert "Ce lien a été révoqué" in text and "Calliptamus" not in text

    ShareLink.objects.update(revoked_at=None, expires_at=timezone.now())
    closed = client.get(url)
    assert closed.status_code == 410
    assert "Ce lien a expiré" in closed.content.decode()
    assert list(
        ShareLinkEvent.objects.order_by("at", "id").values_list("kind", flat=True)
    ) == ["created", "opened", "revoked", "refused", "refused"]

    # A regional coordinator shares a structure's report from its view.
    client.force_login(regional_user)
    client.post(
        f"/indicateurs/2020/partage/?organisme={organisation.pk}",
        {"recipient": "Région", "days": "7"},
    )
    assert ShareLink.objects.filter(created_by=regional_user).exists()
    assert client.get("/indicateurs/2020/partage/").status_code == 403  # no structure


def test_the_dashboard_json_carries_figures_not_records(
    api_client, data, departements, own, coordinateur_user
):
    for index in range(40):  # forty finds: each one used to weigh on the answer
        _record(TaxonFactory(scientific_name=f"Taxon rarus {index}"), own)
    presence_summary_refresh()
    api_client.force_authenticate(coordinateur_user)
    response = api_client.get("/api/v1/indicateurs/2020/")
    body = response.json()
    assert "previous" not in body
    assert body["details"]["finds"]["counts"]["first_departement"] == 40
    assert body["details"]["finds"]["retained"] == []
    assert len(response.content) < 40_000, len(response.content)


def test_the_shared_report_shows_none_of_the_canaries(client, world):  # noqa: F811
    """The security crawler's canaries (tests/security): organisation B's sensitive
    records of every kind, each free-text field with its own marker. B's coordinator
    shares B's report: opened without an account, it shows no marker and no point."""
    from tests.security.crawler import Checker

    data, _readers, canary = world
    (link,) = data.instances(ShareLink)
    url = f"/indicateurs/partage/{share_token(link)}/"
    response = client.get(url)
    assert response.status_code == 200
    assert "Bilan d'activité" in response.content.decode()
    checker = Checker(canary)
    checker.check(url, response)
    assert not checker.leaks, checker.leaks
