"""Nothing hidden escapes the wetlands app (issue 17), as readers see it.

Organisation B (the CPIE) records, in a *public* dataset, Triturus cristatus (sensitivity 1:
commune only) in a pond of a POP aire, at a drift fence of a non-public site (counts and a
photographed, identified newt) and on a public wetland; every free-text field of those
records holds the marker ``ZHSECRET``. Organisation A (Eden 62) reads B's dataset, so its
partner and its field staff read those records — blurred to their commune, in the
occurrence layer. Every channel of the app (pages, API list and detail, CSV files, chart
JSON, photos, admin) must then show them neither the markers, nor the pond's or fence's
point (WGS84 to 4 decimals, Lambert-93 to 10 m), nor the hidden places' names; B's
coordinator, who places them, sees them all (so each assertion can fail).

Writes: field staff change only their own rows; another hand's passage, morning round,
newt capture, water level or operation answers 403 (404 when not even readable) and stays
as it was."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.contrib.gis.geos import Point
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cpie_naturaliste.core.geo import to_api_transform
from observations.models import Occurrence
from referentiel.models import Role
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    DepartementFactory,
    OrganisationFactory,
    PersonFactory,
    SiteFactory,
    TaxonStatusFactory,
    UserFactory,
    square,
)
from tests.factories.zones_humides import (
    DriftFenceFactory,
    ManagementOperationFactory,
    PopAireFactory,
    PopSiteFactory,
    WetlandProfileFactory,
    belly_upload,
)
from zones_humides.models import (
    FenceCheck,
    ManagementOperation,
    NewtCapture,
    PopPassage,
    WaterLevelReading,
)
from zones_humides.services import (
    SpeciesLine,
    fence_check_save,
    newt_capture_create,
    newt_capture_tag,
    passage_save,
    water_level_save,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/zones-humides"
MARK = "ZHSECRET"
POND_NAME = "Mare ZHSECRET-MARE"
FENCE_NAME = "Barrière ZHSECRET-BARRIERE"
FENCE_SITE_NAME = "Mare ZHSECRET-SITE-BARRIERE"
INDIVIDUALS = ("TC-2020-001", "TC-2020-002")
# The hidden pond, the fence's site and the sensitive record on the public marsh; the
# pond shown to everyone lies 900 m away from the hidden one.
HIDDEN_POND_XY = (LOOS_X + 137.0, LOOS_Y + 263.0)
SHOWN_POND_XY = (LOOS_X - 611.0, LOOS_Y - 377.0)
FENCE_XY = (LOOS_X + 1234.0, LOOS_Y - 1456.0)
MARSH_RECORD_XY = (LOOS_X + 2011.0, LOOS_Y + 1503.0)
READERS = ("anonymous", "partner_a", "saisie_a")


def coordinates(x: float, y: float) -> list[str]:
    """How a point may be written: WGS84 to 4 decimals (rounded or truncated, so that any
    longer writing contains one of them) and Lambert-93 to 10 m."""
    wgs84 = Point(x, y, srid=2154).transform(to_api_transform(), clone=True)
    texts = []
    for value in (wgs84.x, wgs84.y):
        texts.append(f"{value:.4f}")
        texts.append(f"{int(value * 10_000) / 10_000:.4f}")
    texts += [str(int(x))[:-1], str(int(y))[:-1]]
    return texts


SECRET_POINTS = [
    *coordinates(*HIDDEN_POND_XY),
    *coordinates(*FENCE_XY),
    *coordinates(*MARSH_RECORD_XY),
]


def leaks(text: str) -> list[str]:
    """What a response shows of the hidden records."""
    found = [m for m in (MARK, *INDIVIDUALS) if m in text]
    return found + [p for p in SECRET_POINTS if p in text]


@pytest.fixture
def taxa(taxa):
    """Triturus cristatus is sensitive (level 1: its commune only)."""
    TaxonStatusFactory(taxon=taxa[139], sensitivity_level=1)
    return taxa


@pytest.fixture
def world(organisation, other_organisation, coordinateur_user, taxa):
    """B = ``organisation`` (the CPIE, owner of the records), A = ``other_organisation``
    (Eden 62, a reader of B's public dataset)."""
    DepartementFactory()
    CommuneFactory()
    coordinator = coordinateur_user
    dataset = DatasetFactory(producer=organisation, is_public=True, title="Suivis B")
    secret_observer = PersonFactory(
        first_name="Zhsecret",
        last_name="ZHSECRET-OBSERVATEUR",
        organisation=organisation,
    )
    observer = PersonFactory(
        first_name="Léa", last_name="Caron", organisation=organisation
    )
    aire = PopAireFactory(
        number=17, name="Aire des terrils", dataset=dataset, main_observer=observer
    )
    hidden_pond = PopSiteFactory(
        aire=aire, code="ZHSECRET-01", name=POND_NAME, geom=Point(*HIDDEN_POND_XY)
    )
    # The shown pond lies in another aire: an aire holding a hidden line is left out
    # whole (its page counting one pond not shown would place the record in its cell).
    shown_aire = PopAireFactory(
        number=18, name="Aire du marais", dataset=dataset, main_observer=observer
    )
    shown_pond = PopSiteFactory(
        aire=shown_aire,
        code="A17-02",
        name="Mare du chemin",
        geom=Point(*SHOWN_POND_XY),
    )

    def passage(pond, lines, observers, comment=""):
        return passage_save(
            user=coordinator,
            pop_site=pond,
            fields={
                "number": 1,
                "date": dt.date(2020, 3, 10),
                "expertise": "chevronne",
                "methods": ["1"],
                "comment": comment,
            },
            observers=observers,
            lines=[SpeciesLine(taxon=taxa[c], count_min=n) for c, n in lines],
        )

    hidden_passage = passage(
        hidden_pond,
        [(139, 3), (259, 12)],
        [secret_observer],
        comment="ZHSECRET-COMMENTAIRE-PASSAGE",
    )
    shown_passage = passage(shown_pond, [(259, 5)], [observer])

    fence_site = SiteFactory(
        name=FENCE_SITE_NAME,
        kind="mare",
        is_public=False,
        geom=Point(*FENCE_XY, srid=2154),
        description="ZHSECRET-DESCRIPTION",
    )
    WetlandProfileFactory(site=fence_site, issues="ZHSECRET-ENJEUX")
    fence = DriftFenceFactory(
        site=fence_site,
        name=FENCE_NAME,
        dataset=dataset,
        comment="ZHSECRET-COMMENTAIRE-BARRIERE",
    )
    check = fence_check_save(
        user=coordinator,
        fence=fence,
        fields={
            "date": dt.date(2020, 3, 5),
            "observer": "ZHSECRET-RELEVEUR",
            "comment": "ZHSECRET-RELEVE",
        },
        counts=[
            {"taxon": taxa[139], "sex": "female", "alive": True, "count": 2},
            {"taxon": taxa[259], "sex": "male", "alive": True, "count": 7},
        ],
    )
    capture = newt_capture_create(
        user=coordinator,
        date=dt.date(2020, 3, 5),
        site=fence_site,
        dataset=dataset,
        photo=belly_upload("A", "zh"),
        comment="ZHSECRET-CAPTURE",
        fence_check=check,
    )
    individual = newt_capture_tag(user=coordinator, capture=capture, individual=None)
    individual.comment = "ZHSECRET-INDIVIDU"
    individual.save()

    marsh = WetlandProfileFactory(
        site__name="Marais de la Couture",
        site__is_public=True,
        site__geom=square(LOOS_X + 1800, LOOS_Y + 1300, 500),
    ).site
    OccurrenceFactory(
        dataset=dataset,
        taxon=taxa[139],
        site=marsh,
        geom=Point(*MARSH_RECORD_XY, srid=2154),
        place_name="ZHSECRET-LIEU-DIT",
        comment="ZHSECRET-OBSERVATION",
        created_by=coordinator,
    )
    OccurrenceFactory(
        dataset=dataset,
        taxon=taxa[259],
        site=marsh,
        geom=Point(LOOS_X + 1900, LOOS_Y + 1400, srid=2154),
    )
    # A newt photographed on the public marsh: the site stays, the capture is hidden.
    marsh_capture = newt_capture_create(
        user=coordinator,
        date=dt.date(2020, 4, 2),
        site=marsh,
        dataset=dataset,
        photo=belly_upload("C", "zh"),
        comment="ZHSECRET-CAPTURE-MARAIS",
    )
    marsh_newt = newt_capture_tag(
        user=coordinator, capture=marsh_capture, individual=None
    )
    operation = ManagementOperationFactory(
        site=marsh, kind="fauche", created_by=coordinator
    )
    reading = water_level_save(
        user=coordinator, site=marsh, date=dt.date(2020, 4, 1), level_cm=30, gauge="E1"
    )
    sensitive = Occurrence.objects.filter(taxon=taxa[139])
    assert sensitive.count() == 3
    assert set(sensitive.values_list("sensitivity_level", flat=True)) == {1}
    return {
        "dataset": dataset,
        "aire": aire,
        "shown_aire": shown_aire,
        "hidden_pond": hidden_pond,
        "shown_pond": shown_pond,
        "hidden_passage": hidden_passage,
        "shown_passage": shown_passage,
        "fence": fence,
        "fence_site": fence_site,
        "check": check,
        "capture": capture,
        "individual": individual,
        "marsh": marsh,
        "marsh_capture": marsh_capture,
        "marsh_newt": marsh_newt,
        "operation": operation,
        "reading": reading,
    }


@pytest.fixture
def readers(partenaire_user, other_organisation, coordinateur_user):
    return {
        "anonymous": None,
        "partner_a": partenaire_user,
        "saisie_a": UserFactory(
            username="saisie-eden", organisation=other_organisation, roles=[Role.SAISIE]
        ),
        "coordinator_b": coordinateur_user,
        "regional": UserFactory(
            username="coordination-regionale",
            organisation=OrganisationFactory(name="Union régionale des CPIE"),
            roles=[Role.COORDINATEUR],
            is_regional=True,
        ),
    }


def page_client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def text_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def channels(w) -> list[tuple[str, str, bool]]:
    """Every route of the app that shows records: (client kind, URL, hidden object?) —
    a route about a hidden object answers 404 to a signed-in reader who may not see it."""
    pond, passage = w["hidden_pond"].pk, w["hidden_passage"].pk
    fence, capture = w["fence"].pk, w["capture"].pk
    return [
        ("api", f"{API}/pop/passages/?page_size=300", False),
        ("api", f"{API}/pop/passages/{passage}/", True),
        ("api", f"{API}/pop/passages/{w['shown_passage'].pk}/", False),
        ("api", f"{API}/pop/sites/?page_size=300", False),
        ("api", f"{API}/pop/sites/{pond}/", True),
        ("api", f"{API}/pop/sites/{w['shown_pond'].pk}/", False),
        ("api", f"{API}/pop/aires/", False),
        ("api", f"{API}/pop/aires/{w['aire'].pk}/", True),
        ("api", f"{API}/pop/aires/{w['shown_aire'].pk}/", False),
        ("api", f"{API}/pop/aires/results/?year=2020", False),
        ("api", f"{API}/barrieres/", False),
        ("api", f"{API}/barrieres/{fence}/", True),
        ("api", f"{API}/barrieres/{fence}/charts/", True),
        ("api", f"{API}/sites/", False),
        ("api", f"{API}/operations/", False),
        ("api", f"{API}/niveaux-eau/", False),
        ("page", "/zones-humides/", False),
        ("page", "/zones-humides/sites.geojson", False),
        ("page", f"/zones-humides/sites/{w['marsh'].pk}/", False),
        ("page", f"/zones-humides/sites/{w['fence_site'].pk}/", True),
        ("page", "/zones-humides/pop/?annee=2020", False),
        ("page", "/zones-humides/pop/2020/", False),
        ("page", "/zones-humides/pop/2020/pop-amphibien-2020.csv", False),
        ("page", f"/zones-humides/pop/aires/{w['aire'].pk}/?annee=2020", True),
        ("page", f"/zones-humides/pop/aires/{w['shown_aire'].pk}/?annee=2020", False),
        ("page", f"/zones-humides/pop/passages/{passage}/", True),
        ("page", f"/zones-humides/pop/sites/{pond}/passages/nouveau/", True),
        ("page", f"/zones-humides/barrieres/{fence}/", True),
        ("page", f"/zones-humides/barrieres/{fence}/releve/", True),
        ("page", "/zones-humides/tritons/", False),
        ("page", "/zones-humides/tritons/historiques-de-capture.csv", False),
        (
            "page",
            f"/zones-humides/tritons/historiques-de-capture.csv?site={w['fence_site'].pk}",
            True,
        ),
        ("page", "/zones-humides/tritons/captures/nouvelle/", False),
        ("page", f"/zones-humides/tritons/captures/{capture}/identifier/", True),
        ("page", f"/zones-humides/tritons/captures/{capture}/photo/", True),
        ("page", f"/zones-humides/tritons/captures/{capture}/miniature/", True),
        ("page", f"/zones-humides/tritons/individus/{w['individual'].pk}/", True),
        ("page", f"/zones-humides/tritons/individus/{w['marsh_newt'].pk}/", True),
        (
            "page",
            f"/zones-humides/tritons/captures/{w['marsh_capture'].pk}/photo/",
            True,
        ),
        (
            "page",
            f"/zones-humides/tritons/captures/{w['marsh_capture'].pk}/identifier/",
            True,
        ),
        (
            "page",
            f"/zones-humides/tritons/historiques-de-capture.csv?site={w['marsh'].pk}",
            False,
        ),
    ]


def rows_of(body):
    """The rows of an API list, paginated or not."""
    return body["results"] if isinstance(body, dict) else body


def fetch(kind: str, user, url: str):
    client = api_client(user) if kind == "api" else page_client(user)
    return client.get(url)


@pytest.mark.parametrize("reader", READERS)
def test_no_channel_of_the_app_shows_the_hidden_records(world, readers, reader):
    user = readers[reader]
    problems = []
    for kind, url, about_hidden in channels(world):
        response = fetch(kind, user, url)
        status = response.status_code
        if user is None:
            denied = (401, 403) if kind == "api" else (302,)
            if status not in denied:
                problems.append(f"{url}: {status} to an anonymous visitor")
            continue
        if about_hidden and status not in (403, 404):
            problems.append(f"{url}: {status}, expected 404 (or 403)")
        if "/photo/" in url or "/miniature/" in url:
            continue
        if found := leaks(text_of(response)):
            problems.append(f"{url}: shows {found}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("reader", ["coordinator_b", "regional"])
def test_the_owner_and_the_network_see_every_channel(world, readers, reader):
    """The same routes for B's coordinator and the regional coordinator: every one
    answers, the markers are there."""
    user = readers[reader]
    shown = ""
    for kind, url, _about_hidden in channels(world):
        response = fetch(kind, user, url)
        assert response.status_code == 200, url
        if "/photo/" not in url and "/miniature/" not in url:
            shown += text_of(response)
    assert MARK in shown and all(code in shown for code in INDIVIDUALS)
    # The pond's point (its GeoJSON, the CSV) and the fence site's outline (its sheet);
    # the marsh record's point is the occurrence layer's business, not the app's.
    pond, fence = coordinates(*HIDDEN_POND_XY), coordinates(*FENCE_XY)
    for point in (pond, fence):
        assert point[0] in shown or point[1] in shown  # longitude
        assert point[2] in shown or point[3] in shown  # latitude
    assert pond[4] in shown and pond[5] in shown  # Lambert-93 (CSV)


# --- POP Amphibien -------------------------------------------------------------------
def test_pop_passages_api_hides_sensitive_lines(world, readers, taxa):
    hidden = world["hidden_passage"]
    for reader in ("partner_a", "saisie_a"):
        client = api_client(readers[reader])
        rows = rows_of(client.get(f"{API}/pop/passages/?page_size=300").json())
        assert [r["id"] for r in rows] == [world["shown_passage"].pk]
        assert {line["taxon"] for r in rows for line in r["observations"]} == {259}
        assert client.get(f"{API}/pop/passages/{hidden.pk}/").status_code == 404
        # A hidden pond's id is refused as an unknown one: the answer does not tell
        # that it exists.
        filtered = client.get(f"{API}/pop/passages/?pop_site={world['hidden_pond'].pk}")
        unknown = client.get(f"{API}/pop/passages/?pop_site=999999")
        assert filtered.status_code == unknown.status_code == 400
        assert filtered.json().keys() == unknown.json().keys() == {"pop_site"}
        assert not leaks(text_of(filtered))
    owner = api_client(readers["coordinator_b"])
    detail = owner.get(f"{API}/pop/passages/{hidden.pk}/").json()
    assert detail["comment"] == "ZHSECRET-COMMENTAIRE-PASSAGE"
    assert {line["taxon"] for line in detail["observations"]} == {139, 259}


def test_pop_pond_point_hidden(world, readers):
    hidden, shown = world["hidden_pond"], world["shown_pond"]
    for reader in ("partner_a", "saisie_a"):
        client = api_client(readers[reader])
        assert client.get(f"{API}/pop/sites/{hidden.pk}/").status_code == 404
        listing = client.get(f"{API}/pop/sites/?aire={world['shown_aire'].pk}").json()
        assert [f["id"] for f in listing["features"]] == [shown.pk]
        assert not leaks(str(listing))
    owner = api_client(readers["coordinator_b"])
    feature = owner.get(f"{API}/pop/sites/{hidden.pk}/").json()
    lon, lat = feature["geometry"]["coordinates"]
    assert f"{int(lon * 10_000) / 10_000:.4f}" in SECRET_POINTS
    assert feature["properties"]["name"] == POND_NAME


def _csv_rows(response) -> list[dict]:
    text = text_of(response).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_pop_results_csv_hides_sensitive_rows(world, readers):
    url = reverse("zones_humides:pop_export", args=[2020, 2020])
    uuids = {str(o.occurrence.uuid) for o in world["hidden_passage"].observations.all()}
    for reader in ("partner_a", "saisie_a"):
        response = page_client(readers[reader]).get(url)
        rows = _csv_rows(response)
        assert [(r["site_code"], r["nom_scientifique"]) for r in rows] == [
            ("A17-02", "Bufo bufo")
        ]
        text = text_of(page_client(readers[reader]).get(url))
        assert not leaks(text) and not any(u in text for u in uuids)
        assert "Triturus" not in text
        # The results say what the file leaves out, without naming it.
        results = page_client(readers[reader]).get(
            reverse("zones_humides:pop_results", args=[2020])
        )
        html = text_of(results)
        assert "2 données sensibles non détaillées" in html
        assert "Triturus" not in html and "Triton crêté" not in html
        assert 'data-figure="records">3<' in html  # the season keeps its total
        api = api_client(readers[reader]).get(f"{API}/pop/aires/results/?year=2020")
        body = api.json()
        assert (body["records"], body["hidden_records"], body["hidden_sites"]) == (
            3,
            2,
            1,
        )
        (aire,) = body["aires"]
        assert (aire["records"], aire["sites_visited"]) == (1, 1)
        assert [s["cd_ref"] for s in aire["species"]] == [259]
        assert [s["cd_ref"] for s in body["species"]] == [259]
    owner_rows = _csv_rows(page_client(readers["coordinator_b"]).get(url))
    assert {r["nom_scientifique"] for r in owner_rows} == {
        "Triturus cristatus",
        "Bufo bufo",
    }
    assert uuids <= {r["id_sinp_occtax"] for r in owner_rows}
    secret = next(r for r in owner_rows if r["site_nom"] == POND_NAME)
    assert secret["x_l93"].startswith(str(int(HIDDEN_POND_XY[0]))[:-1])


def test_pop_aire_page_hides_sensitive_pond(world, readers):
    """The aire holding the hidden pond is left out whole (404, absent from the index);
    the other aire shows its pond and says nothing of the hidden one."""
    hidden = reverse("zones_humides:aire_detail", args=[world["aire"].pk])
    shown = reverse("zones_humides:aire_detail", args=[world["shown_aire"].pk])
    for reader in ("partner_a", "saisie_a"):
        client = page_client(readers[reader])
        assert client.get(hidden + "?annee=2020").status_code == 404
        html = text_of(client.get(shown + "?annee=2020"))
        assert "Mare du chemin" in html and "Bufo bufo" in html
        assert not leaks(html)
        assert "Triturus" not in html and "Aire des terrils" not in html
        assert 'data-testid="pop-hidden"' not in html
        index = text_of(client.get("/zones-humides/pop/?annee=2020"))
        assert "Aire du marais" in index and "Aire des terrils" not in index
    owner = text_of(page_client(readers["coordinator_b"]).get(hidden + "?annee=2020"))
    assert POND_NAME in owner and "Triturus cristatus" in owner
    assert 'data-testid="pop-hidden"' not in owner


def test_saisie_cannot_patch_others_pop_passage(
    world, readers, saisie_user, observer, taxa
):
    """CPIE field staff (``saisie_user``) and a passage of their organisation entered by
    its coordinator: readable, not theirs to change. Eden's field staff do not even see
    the hidden pond's passage."""
    passage = world["shown_passage"]
    before = (
        passage.comment,
        list(passage.observations.values_list("taxon_id", "count_max")),
        Occurrence.objects.count(),
    )
    client = api_client(saisie_user)
    url = f"{API}/pop/passages/{passage.pk}/"
    assert client.get(url).status_code == 200
    assert client.patch(url, {"comment": "Changé"}, format="json").status_code == 403
    payload = {
        "pop_site": passage.pop_site_id,
        "number": 1,
        "date": "2020-03-10",
        "observers": [observer.pk],
        "expertise": "debutant",
        "nothing_found": True,
    }
    assert client.put(url, payload, format="json").status_code == 403
    assert client.delete(url).status_code == 403
    pages = page_client(saisie_user)
    form = reverse("zones_humides:passage_update", args=[passage.pk])
    assert pages.get(form).status_code == 403
    assert pages.post(form, {"number": "1", "date": "2020-03-10"}).status_code == 403
    eden = api_client(readers["saisie_a"])
    assert eden.patch(url, {"comment": "x"}, format="json").status_code == 403
    hidden_url = f"{API}/pop/passages/{world['hidden_passage'].pk}/"
    assert eden.patch(hidden_url, {"comment": "x"}, format="json").status_code == 404
    assert eden.delete(hidden_url).status_code == 404
    # Nor can they enter a passage in B's dataset, or move one there.
    assert eden.post(f"{API}/pop/passages/", payload, format="json").status_code == 403
    passage.refresh_from_db()
    assert (
        passage.comment,
        list(passage.observations.values_list("taxon_id", "count_max")),
        Occurrence.objects.count(),
    ) == before
    assert PopPassage.objects.filter(pk=world["hidden_passage"].pk).exists()
    # Their own passage stays theirs to change.
    own = client.post(
        f"{API}/pop/passages/", {**payload, "number": 2}, format="json"
    ).json()
    own_url = f"{API}/pop/passages/{own['id']}/"
    assert client.patch(own_url, {"comment": "Revu"}, format="json").status_code == 200
    # ... but not to move into another organisation's dataset.
    elsewhere = PopSiteFactory(
        aire__dataset__producer=readers["saisie_a"].organisation,
        aire__dataset__is_public=True,
    )
    moved = client.patch(own_url, {"pop_site": elsewhere.pk}, format="json")
    assert moved.status_code == 403
    assert PopPassage.objects.get(pk=own["id"]).pop_site_id == passage.pop_site_id


# --- Drift fences ----------------------------------------------------------------------
def test_fence_pages_and_charts_hide_sensitive_counts(world, readers):
    fence = world["fence"]
    for reader in ("partner_a", "saisie_a"):
        api = api_client(readers[reader])
        assert rows_of(api.get(f"{API}/barrieres/").json()) == []
        assert api.get(f"{API}/barrieres/{fence.pk}/charts/").status_code == 404
        pages = page_client(readers[reader])
        assert pages.get(f"/zones-humides/barrieres/{fence.pk}/").status_code == 404
        index = text_of(pages.get("/zones-humides/"))
        assert FENCE_SITE_NAME not in index and "Marais de la Couture" in index
    owner = api_client(readers["coordinator_b"])
    charts = owner.get(f"{API}/barrieres/{fence.pk}/charts/").json()
    assert {s["label"] for s in charts["yearly_totals"]["series"]} == {
        "Triton crêté",
        "Crapaud commun",
    }


def test_fence_check_of_another_hand_is_not_replaced(world, readers, saisie_user, taxa):
    fence, check = world["fence"], world["check"]
    counts = list(check.counts.values_list("taxon_id", "count"))
    client = api_client(saisie_user)
    payload = {
        "date": "2020-03-05",
        "counts": [{"taxon": 259, "sex": "male", "count": 1}],
    }
    url = f"{API}/barrieres/{fence.pk}/releves/"
    assert client.post(url, payload, format="json").status_code == 403
    page = reverse("zones_humides:fence_check_entry", args=[fence.pk])
    pages = page_client(saisie_user)
    assert pages.get(page, {"date": "2020-03-05"}).status_code == 403
    refused = pages.post(page, {"date": "2020-03-05", "rain": "0", "n_259_male_v": "1"})
    assert refused.status_code == 403
    eden = api_client(readers["saisie_a"])
    assert eden.post(url, payload, format="json").status_code == 404
    assert list(check.counts.values_list("taxon_id", "count")) == counts
    assert FenceCheck.objects.filter(fence=fence).count() == 1
    # A new morning of their organisation's fence is theirs to enter.
    assert (
        client.post(url, {**payload, "date": "2020-03-06"}, format="json").status_code
        == 201
    )


# --- Great crested newts ----------------------------------------------------------------
def test_newt_pages_hide_sensitive_captures(world, readers):
    for reader in ("partner_a", "saisie_a"):
        pages = page_client(readers[reader])
        index = text_of(pages.get("/zones-humides/tritons/"))
        assert not leaks(index) and "Aucun individu identifié" in index
        matrix = text_of(pages.get("/zones-humides/tritons/historiques-de-capture.csv"))
        assert matrix.splitlines() == ["individu"]
        capture = world["capture"].pk
        for url in (
            f"/zones-humides/tritons/captures/{capture}/photo/",
            f"/zones-humides/tritons/captures/{capture}/identifier/",
            f"/zones-humides/tritons/individus/{world['individual'].pk}/",
        ):
            assert pages.get(url).status_code == 404
    owner = page_client(readers["coordinator_b"])
    history = text_of(
        owner.get(f"/zones-humides/tritons/individus/{world['individual'].pk}/")
    )
    assert FENCE_SITE_NAME in history and "ZHSECRET-CAPTURE" in history
    assert f"Relevé de {FENCE_NAME}" in history


def test_newt_tag_refused_to_another_hand(world, readers, saisie_user, organisation):
    """CPIE field staff read their coordinator's capture but may not tag it."""
    capture = world["capture"]
    untagged = newt_capture_create(
        user=readers["coordinator_b"],
        date=dt.date(2020, 3, 6),
        site=world["fence_site"],
        dataset=world["dataset"],
        photo=belly_upload("B", "zh"),
    )
    pages = page_client(saisie_user)
    url = reverse("zones_humides:newt_capture_tag", args=[untagged.pk])
    assert pages.get(url).status_code == 200
    assert pages.post(url, {"individual": "new"}).status_code == 403
    assert pages.post(url, {"individual": world["individual"].pk}).status_code == 403
    untagged.refresh_from_db()
    assert untagged.individual is None
    assert NewtCapture.objects.get(pk=capture.pk).individual == world["individual"]
    eden = page_client(readers["saisie_a"])
    assert eden.post(url, {"individual": "new"}).status_code == 404


# --- Wetland sites ---------------------------------------------------------------------
def test_site_sheet_counts_only_placeable_species(world, readers):
    url = reverse("zones_humides:site_sheet", args=[world["marsh"].pk])
    for reader in ("partner_a", "saisie_a"):
        html = text_of(page_client(readers[reader]).get(url))
        assert "Bufo bufo" in html and "Espèces observées (1)" in html
        assert "Triturus" not in html and not leaks(html)
        assert "1 donnée sensible non détaillée" in html
    owner = text_of(page_client(readers["coordinator_b"]).get(url))
    assert "Triturus cristatus" in owner and "Espèces observées (2)" in owner
    assert 'data-testid="sheet-hidden"' not in owner


def test_hidden_wetland_site_left_out(world, readers):
    site = world["fence_site"]
    for reader in ("partner_a", "saisie_a"):
        pages = page_client(readers[reader])
        assert pages.get(f"/zones-humides/sites/{site.pk}/").status_code == 404
        layer = pages.get("/zones-humides/sites.geojson").json()
        assert [f["properties"]["name"] for f in layer["features"]] == [
            "Marais de la Couture"
        ]
        api = api_client(readers[reader]).get(f"{API}/sites/").json()
        assert {r["name"] for r in rows_of(api)} == {"Marais de la Couture"}
    owner = page_client(readers["coordinator_b"])
    assert owner.get(f"/zones-humides/sites/{site.pk}/").status_code == 200


def test_water_level_and_operation_of_another_hand(world, readers, saisie_user):
    marsh, reading = world["marsh"], world["reading"]
    pages = page_client(saisie_user)
    levels = reverse("zones_humides:water_level_entry", args=[marsh.pk])
    refused = pages.post(
        levels, {"date": "2020-04-01", "level_cm": "99", "gauge": "E1"}
    )
    assert refused.status_code == 403
    reading.refresh_from_db()
    assert reading.level_cm == 30
    # A reading of another day (or gauge) is a new one, theirs.
    assert (
        pages.post(
            levels, {"date": "2020-04-02", "level_cm": "28", "gauge": "E1"}
        ).status_code
        == 302
    )
    assert WaterLevelReading.objects.get(date=dt.date(2020, 4, 2)).created_by == (
        saisie_user
    )
    operation = world["operation"]
    edit = reverse("zones_humides:operation_update", args=[operation.pk])
    assert pages.get(edit).status_code == 403
    assert pages.post(edit, {"kind": "curage"}).status_code == 403
    assert page_client(readers["saisie_a"]).get(edit).status_code == 403
    assert ManagementOperation.objects.get(pk=operation.pk).kind == "fauche"
    assert page_client(readers["coordinator_b"]).get(edit).status_code == 200


# --- Admin -----------------------------------------------------------------------------
def test_admin_lists_only_what_the_staff_member_may_see(world, readers):
    staff = readers["saisie_a"]
    staff.is_staff = True
    staff.save()
    names = [
        "view_driftfence",
        "view_newtcapture",
        "view_newtindividual",
        "view_popaire",
        "view_popsite",
        "view_waterlevelreading",
        "view_wetlandprofile",
    ]
    staff.user_permissions.add(*Permission.objects.filter(codename__in=names))
    pages = page_client(staff)
    aire = reverse("admin:zones_humides_popaire_change", args=[world["shown_aire"].pk])
    for url in (
        reverse("admin:zones_humides_driftfence_changelist"),
        reverse("admin:zones_humides_newtcapture_changelist"),
        reverse("admin:zones_humides_newtindividual_changelist"),
        reverse("admin:zones_humides_wetlandprofile_changelist"),
        reverse("admin:zones_humides_waterlevelreading_changelist"),
        aire,
    ):
        response = pages.get(url)
        assert response.status_code == 200, url
        assert not leaks(text_of(response)), url
    hidden_fence = reverse(
        "admin:zones_humides_driftfence_change", args=[world["fence"].pk]
    )
    assert pages.get(hidden_fence).status_code == 302  # "does not exist" → index
    assert "Mare du chemin" in text_of(pages.get(aire))
