"""Issue 17, site counts: nothing hidden escapes through the count pages, API and files.

Organisation B counts bats in winter (a public dataset, so every signed-in reader reads the
programme). Myotis myotis is sensitive (level 2: its records are shown at the 10 km cell),
so its counts must not give their site, date and number to a reader who sees it blurred —
anonymous visitors, a partner of organisation A, field staff of organisation A — whereas a
coordinator of B reads them in full. One hibernaculum is protected (``is_public`` unchecked):
holding a sensitive count, it is left out altogether, in the count views and in the
referential's sites API. The other site is a public pond: it stays, without its Myotis count.

Every free text of B's records carries a marker; the numbers are unusual enough to be found.
"""

import datetime as dt
import json

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.urls import reverse

from observations.counts.services import VisitEntry, count_delete, visit_save
from observations.models import CountVisit, SiteCount
from referentiel.models import SensitivityRule, Site
from tests.factories.counts import CountProgrammeFactory, CountSiteFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    TaxonFactory,
)
from tests.no_leak import (
    BLURRED_READERS,
    assert_hidden,
    point_texts,
    session_client,
    two_organisations,
    xlsx_text,
)

pytestmark = pytest.mark.django_db

CODE = "CHIRO-HIVER"
MYOTIS = 60418
SECRET_SITE = "Souterrain MARQUEUR-GITE-7Q"
SECRET_CODE = "MARQ-CODE-7Q"
PUBLIC_SITE = "Mare communale du Bois"
MARKERS = (
    "MARQUEUR-GITE-7Q",
    "MARQ-CODE-7Q",
    "MARQUEUR-DESCRIPTION-7Q",
    "MARQUEUR-COMMENTAIRE-7Q",
    "MARQUEUR-DERANGEMENT-7Q",
)
SECRET_XY = (LOOS_X + 1234.0, LOOS_Y + 987.0)
# Unusual numbers: the Myotis counts at the hibernaculum and at the pond, the hibernaculum's
# Rhinolophus count.
SECRET_MYOTIS, POND_MYOTIS, SECRET_OTHER, POND_OTHER = 4187, 3529, 2861, 1973


@pytest.fixture
def world():
    CommuneFactory()
    people = two_organisations(
        names=("CPIE A", "Gestionnaire B"), kinds=("cpie", "gestionnaire")
    )
    org_b, users = people.org_b, people.users
    myotis = TaxonFactory(
        cd_nom=MYOTIS, scientific_name="Myotis myotis", vernacular_name="Grand murin"
    )
    rhino = TaxonFactory(
        cd_nom=60313,
        scientific_name="Rhinolophus ferrumequinum",
        vernacular_name="Grand rhinolophe",
    )
    SensitivityRule.objects.create(taxon=myotis, level=2)
    programme = CountProgrammeFactory(
        programme__code=CODE,
        dataset=DatasetFactory(producer=org_b, is_public=True, title="Gîtes B"),
    )
    programme.taxa.set([myotis, rhino])
    secret = CountSiteFactory(
        programme=programme,
        code=SECRET_CODE,
        site__name=SECRET_SITE,
        site__code="MARQ-CODE-7Q-REF",
        site__description="Entrée MARQUEUR-DESCRIPTION-7Q",
        site__is_public=False,
        site__geom=GEOSGeometry(f"SRID=2154;POINT({SECRET_XY[0]} {SECRET_XY[1]})"),
    )
    pond = CountSiteFactory(
        programme=programme,
        code="MARE-01",
        site__name=PUBLIC_SITE,
        site__kind=Site.Kind.MARE,
        site__is_public=True,
        habitat="wetland",
    )
    coordinator = users["coordinator_b"]
    visit_save(
        entry=VisitEntry(
            count_site=secret,
            date=dt.date(2020, 1, 19),
            conditions={
                "comment": "MARQUEUR-COMMENTAIRE-7Q",
                "disturbance": "MARQUEUR-DERANGEMENT-7Q",
            },
            counts={myotis.pk: SECRET_MYOTIS, rhino.pk: SECRET_OTHER},
        ),
        user=coordinator,
    )
    visit_save(
        entry=VisitEntry(
            count_site=pond,
            date=dt.date(2020, 1, 21),
            conditions={"comment": "MARQUEUR-COMMENTAIRE-7Q"},
            counts={myotis.pk: POND_MYOTIS, rhino.pk: POND_OTHER},
        ),
        user=coordinator,
    )
    levels = dict(
        SiteCount.objects.values_list("count", "occurrence__sensitivity_level")
    )
    assert levels == {SECRET_MYOTIS: 2, POND_MYOTIS: 2, SECRET_OTHER: 0, POND_OTHER: 0}
    return {
        "users": users,
        "programme": programme,
        "secret": secret,
        "pond": pond,
        "myotis": myotis,
        "rhino": rhino,
    }


def _secrets(world) -> list[str]:
    return [*MARKERS, SECRET_SITE, str(SECRET_MYOTIS), *point_texts(*SECRET_XY)]


def _assert_hidden(text: str, world) -> None:
    assert_hidden(text, _secrets(world))
    assert str(POND_MYOTIS) not in text


def _assert_shown(text: str) -> None:
    assert SECRET_SITE in text
    assert str(SECRET_MYOTIS) in text and str(POND_MYOTIS) in text


def test_count_species_api_hides_sensitive_sites(world):
    species = f"/api/v1/comptages/programmes/{CODE}/especes/{MYOTIS}/"
    trend = f"/api/v1/comptages/programmes/{CODE}/tendances/{MYOTIS}/"
    programmes = [
        "/api/v1/comptages/programmes/",
        f"/api/v1/comptages/programmes/{CODE}/",
        f"/api/v1/comptages/programmes/{CODE}/tendances/",
    ]
    for name in BLURRED_READERS:
        client = session_client(world["users"][name])
        response = client.get(species)
        if name == "anonymous":
            assert response.status_code in (401, 403)
            continue
        assert response.status_code == 200
        _assert_hidden(response.content.decode(), world)
        data = response.json()
        rows = {row["name"]: row["counts"] for row in data["sites"]}
        # The public pond stays, without its Myotis count; the protected site is gone.
        assert rows == {PUBLIC_SITE: [None]}
        assert data["hidden"] == 2
        for url in [trend, *programmes]:
            response = client.get(url)
            assert response.status_code == 200, url
            _assert_hidden(response.content.decode(), world)
        listed = client.get(f"/api/v1/comptages/programmes/{CODE}/").json()
        assert [s["name"] for s in listed["sites"]] == [PUBLIC_SITE]

    coordinator = session_client(world["users"]["coordinator_b"])
    data = coordinator.get(species).json()
    assert {row["name"]: row["counts"] for row in data["sites"]} == {
        PUBLIC_SITE: [POND_MYOTIS],
        SECRET_SITE: [SECRET_MYOTIS],
    }
    assert data["hidden"] == 0


def test_count_season_api_and_xlsx_hide_sensitive_sites(world):
    season = f"/api/v1/comptages/programmes/{CODE}/saisons/2020/"
    xlsx = reverse("observations:count_season_xlsx", args=[CODE, 2020])
    page = reverse("observations:count_season", args=[CODE, 2020])
    rhino, myotis = str(world["rhino"].pk), str(MYOTIS)
    for name in BLURRED_READERS:
        client = session_client(world["users"][name])
        if name == "anonymous":
            assert client.get(season).status_code in (401, 403)
            assert client.get(xlsx).status_code == 302  # to the sign-in page
            continue
        response = client.get(season)
        assert response.status_code == 200
        _assert_hidden(response.content.decode(), world)
        data = response.json()
        assert [row["name"] for row in data["rows"]] == [PUBLIC_SITE]
        assert data["rows"][0]["counts"] == {myotis: None, rhino: POND_OTHER}
        # Left out: both Myotis counts and the protected site's other count.
        assert data["hidden"] == 3
        response = client.get(xlsx)
        assert response.status_code == 200
        text = xlsx_text(response)
        _assert_hidden(text, world)
        assert PUBLIC_SITE in text and str(POND_OTHER) in text
        assert "3 comptage(s) non détaillé(s)" in text
        html = client.get(page).content.decode()
        _assert_hidden(html, world)
        assert 'data-testid="hidden-counts"' in html

    coordinator = session_client(world["users"]["coordinator_b"])
    data = coordinator.get(season).json()
    assert data["hidden"] == 0
    assert {row["name"]: row["counts"][myotis] for row in data["rows"]} == {
        PUBLIC_SITE: POND_MYOTIS,
        SECRET_SITE: SECRET_MYOTIS,
    }
    text = xlsx_text(coordinator.get(xlsx))
    _assert_shown(text)
    assert "non détaillé" not in text


def test_count_species_page_hides_sensitive_sites(world):
    pages = [
        reverse("observations:count_species", args=[CODE, MYOTIS]),
        reverse("observations:count_species", args=[CODE, world["rhino"].pk]),
        reverse("observations:count_programme", args=[CODE]),
        reverse("observations:count_trends", args=[CODE]),
        reverse("observations:count_programmes"),
    ]
    for name in BLURRED_READERS:
        client = session_client(world["users"][name])
        for url in pages:
            response = client.get(url)
            if name == "anonymous":
                assert response.status_code == 302
                continue
            assert response.status_code == 200, url
            html = response.content.decode()
            _assert_hidden(html, world)
            for data in _json_scripts(html):
                _assert_hidden(data, world)
        if name != "anonymous":
            html = client.get(pages[0]).content.decode()
            assert PUBLIC_SITE in html
            assert 'data-testid="hidden-counts"' in html
    coordinator = session_client(world["users"]["coordinator_b"])
    html = coordinator.get(pages[0]).content.decode()
    _assert_shown(html)
    assert 'data-testid="hidden-counts"' not in html


def _json_scripts(html: str) -> list[str]:
    """The JSON embedded in the page (chart data)."""
    found, start = [], 0
    while (start := html.find('type="application/json">', start)) != -1:
        start += len('type="application/json">')
        end = html.index("</script>", start)
        found.append(json.dumps(json.loads(html[start:end])))
    return found


def test_sites_api_hides_protected_site_of_sensitive_counts(world):
    secret = world["secret"].site
    urls = [
        "/api/v1/sites/",
        "/api/v1/sites/?search=Souterrain",
        "/api/v1/sites/?search=MARQ",
        "/api/v1/sites/?kind=gite",
        "/api/v1/sites/?in_bbox=2.7,50.4,2.9,50.5",
        "/api/v1/sites/?page_size=500",
    ]
    for name in BLURRED_READERS:
        client = session_client(world["users"][name])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            _assert_hidden(response.content.decode(), world)
        assert client.get(f"/api/v1/sites/{secret.pk}/").status_code == 404
        names = [
            f["properties"]["name"] for f in client.get(urls[0]).json()["features"]
        ]
        assert PUBLIC_SITE in names
        home = client.get(reverse("home")).content.decode()
        _assert_hidden(home, world)

    coordinator = session_client(world["users"]["coordinator_b"])
    names = [
        f["properties"]["name"] for f in coordinator.get(urls[1]).json()["features"]
    ]
    assert names == [SECRET_SITE]
    assert coordinator.get(f"/api/v1/sites/{secret.pk}/").status_code == 200
    # A protected site is the secret of the organisations that manage or survey it,
    # even when nothing sensitive lies there any more.
    for count in SiteCount.objects.filter(taxon_id=MYOTIS):
        count_delete(count=count, user=world["users"]["coordinator_b"])
    staff = session_client(world["users"]["saisie_a"])
    assert staff.get(f"/api/v1/sites/{secret.pk}/").status_code == 404


def test_count_grid_and_import_follow_the_write_rule(world, tmp_path):
    """Entry in B's programme: not for A's staff; B's staff change only their own visits,
    B's coordinator every visit of the organisation's dataset."""
    grid = reverse("observations:count_season_grid", args=[CODE, 2020])
    grid_api = f"/api/v1/comptages/programmes/{CODE}/saisons/2020/"
    pond, myotis = world["pond"], world["myotis"]
    row = {"site": pond.pk, "date": "2020-01-21", "counts": {str(myotis.pk): 1}}

    staff_a = session_client(world["users"]["saisie_a"])
    assert staff_a.get(grid).status_code == 403
    assert staff_a.post(grid_api, {"rows": [row]}, format="json").status_code == 403
    assert (
        staff_a.get(reverse("observations:count_import", args=[CODE])).status_code
        == 403
    )

    staff_b = session_client(world["users"]["saisie_b"])
    assert staff_b.get(grid).status_code == 200
    html = staff_b.get(grid).content.decode()
    assert "data-locked" in html  # the coordinator's visits are shown locked
    response = staff_b.post(grid_api, {"rows": [row]}, format="json")
    assert response.status_code == 403
    count = SiteCount.objects.get(visit__count_site=pond, taxon=myotis)
    assert count.count == POND_MYOTIS

    # The page ignores what is posted for a locked row.
    data = {
        f"date_{pond.pk}": "2020-01-21",
        f"coverage_{pond.pk}": "V",
        f"n_{pond.pk}_{myotis.pk}": "1",
    }
    assert staff_b.post(grid, data).status_code == 302
    count.refresh_from_db()
    assert count.count == POND_MYOTIS

    coordinator = session_client(world["users"]["coordinator_b"])
    response = coordinator.post(grid_api, {"rows": [row]}, format="json")
    assert response.status_code == 200, response.content
    count = SiteCount.objects.get(visit__count_site=pond, taxon=myotis)
    assert count.count == 1
    assert CountVisit.objects.count() == 2


def test_count_import_refuses_another_persons_visit(world, tmp_path):
    from cpie_naturaliste.core.tabular.errors import ImportRefused
    from observations.counts.imports import counts_import

    path = tmp_path / "saison.csv"
    path.write_text("site;date;Myotis myotis\nMARE-01;21/01/2020;2\n", encoding="utf-8")
    programme = world["programme"]
    with pytest.raises(ImportRefused):
        counts_import(
            programme=programme,
            path=path,
            filename="saison.csv",
            user=world["users"]["saisie_a"],
        )
    result = counts_import(
        programme=programme,
        path=path,
        filename="saison.csv",
        user=world["users"]["saisie_b"],
    )
    assert result.errors and result.updated == 0
    assert SiteCount.objects.get(count=POND_MYOTIS)
    result = counts_import(
        programme=programme,
        path=path,
        filename="saison.csv",
        user=world["users"]["coordinator_b"],
    )
    assert not result.errors and result.updated == 1
    assert not SiteCount.objects.filter(count=POND_MYOTIS).exists()
