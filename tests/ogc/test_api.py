"""OGC API – Features at /ogc/ (issue 20, part 3): the documents, each collection as its
reader may read it, the parameters (bbox, datetime, limit, paging) and their French 400s,
the 401/404s, and the three ways to sign in (token, HTTP Basic through django-axes,
session)."""

import base64
import json
import uuid
from urllib.parse import urlsplit

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.test import Client
from rest_framework.authtoken.models import Token

from cpie_naturaliste.core.ogc.params import LIMIT_MAX
from cpie_naturaliste.settings import base
from referentiel.models import Role
from tests.factories.referentiel import UserFactory
from tests.no_leak import point_texts
from tests.ogc.conftest import SECRET_COMMENT, SECRET_PLACE, SECRET_POINT
from tests.test_throttling import unique_ip

pytestmark = pytest.mark.django_db
OGC = "/ogc/"
PASSWORD = "motdepasse-de-test"  # tests.factories.referentiel.UserFactory's


def reader(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def get_json(client, path, status=200, **extra):
    response = client.get(path, **extra)
    assert response.status_code == status, response.content
    return response, json.loads(response.content)


def items(client, collection, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return get_json(client, f"{OGC}collections/{collection}/items?{query}")[1]


def ids(collection_doc) -> set[int]:
    return {feature["id"] for feature in collection_doc["features"]}


def rels(document) -> dict[str, dict]:
    return {link["rel"]: link for link in document["links"]}


def path_of(href: str) -> str:
    parts = urlsplit(href)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


# --- documents ---------------------------------------------------------------------------


def test_landing_page_links_to_the_api_definition_conformance_and_data(world):
    response, landing = get_json(reader(), OGC)
    assert response["Content-Type"] == "application/json"
    links = rels(landing)
    assert set(links) >= {"self", "service-desc", "conformance", "data"}
    assert links["service-desc"]["type"].startswith("application/vnd.oai.openapi+json")
    assert path_of(links["data"]["href"]) == "/ogc/collections"
    _, conformance = get_json(reader(), path_of(links["conformance"]["href"]))
    assert {
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    } <= set(conformance["conformsTo"])


def test_the_openapi_definition_documents_the_limit_maximum(world, saisie_user):
    response, api = get_json(reader(saisie_user), f"{OGC}api")
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert api["openapi"].startswith("3.0")
    parameters = {
        p["name"]: p
        for p in api["paths"]["/collections/occurrences/items"]["get"]["parameters"]
    }
    assert set(parameters) == {"f", "bbox", "datetime", "limit", "after", "before"}
    assert parameters["limit"]["schema"]["maximum"] == LIMIT_MAX
    # An anonymous client's definition names only what it may read.
    _, public = get_json(reader(), f"{OGC}api")
    assert "/collections/sites/items" in public["paths"]
    assert "/collections/occurrences/items" not in public["paths"]


def test_anonymous_visitors_see_the_public_sites_only(world):
    _, collections = get_json(reader(), f"{OGC}collections")
    assert [c["id"] for c in collections["collections"]] == ["sites"]
    sites = items(reader(), "sites")
    assert ids(sites) == {world["public_site"].pk, world["wetland"].pk}


def test_signed_in_users_see_every_collection_with_its_extent(world, partenaire_user):
    _, collections = get_json(reader(partenaire_user), f"{OGC}collections")
    by_id = {c["id"]: c for c in collections["collections"]}
    assert list(by_id) == [
        "sites",
        "occurrences",
        "occurrences-points",
        "occurrences-zones",
        "terrils",
        "pop-aires",
        "zones-humides",
    ]
    occurrences = by_id["occurrences"]
    assert occurrences["extent"]["temporal"]["interval"] == [
        ["2020-05-12T00:00:00Z", "2021-06-01T23:59:59Z"]
    ]
    minlon, minlat, maxlon, maxlat = occurrences["extent"]["spatial"]["bbox"][0]
    assert 2.7 < minlon < maxlon < 2.9 and 50.4 < minlat < maxlat < 50.5
    assert {link["rel"] for link in occurrences["links"]} >= {"self", "items"}
    _, alone = get_json(reader(partenaire_user), f"{OGC}collections/occurrences")
    assert alone == occurrences


def test_the_schema_names_every_property(world, saisie_user):
    response, schema = get_json(reader(saisie_user), f"{OGC}collections/terrils/schema")
    assert response["Content-Type"] == "application/schema+json"
    properties = schema["properties"]["properties"]["properties"]
    assert properties["surface_ha"]["type"] == "number"
    assert properties["name"]["title"] == "Nom"


# --- occurrences: exactly as the REST API --------------------------------------------------


def _api_records(client) -> dict[str, dict]:
    _, page = get_json(client, "/api/v1/occurrences/?page_size=500")
    return {row["uuid"]: row for row in page["results"]}


def test_occurrences_read_and_blurred_as_the_rest_api_reads_them(
    world, partenaire_user, saisie_user
):
    for user in (partenaire_user, saisie_user):
        client = reader(user)
        expected = _api_records(client)
        features = items(client, "occurrences")["features"]
        assert {f["properties"]["uuid"] for f in features} == set(expected)
        for feature in features:
            api = expected[feature["properties"]["uuid"]]
            shown = GEOSGeometry(json.dumps(feature["geometry"]))
            assert shown.equals_exact(GEOSGeometry(json.dumps(api["geometry"])), 1e-6)
            assert feature["properties"]["blurred"] is api["blurred"]
            assert feature["properties"]["blurred_to"] == api["blurred_to"]
            for name in ("place_name", "comment", "precision_m", "grid_10km"):
                assert feature["properties"][name] == api[name], name


def test_a_sensitive_record_is_blurred_for_another_organisation(
    world, partenaire_user, saisie_user
):
    sensitive = world["sensitive"]
    path = f"{OGC}collections/occurrences/items/{sensitive.pk}"
    response, feature = get_json(reader(partenaire_user), path)
    assert response["Content-Type"] == "application/geo+json"
    text = response.content.decode()
    assert feature["properties"]["blurred"] is True
    assert feature["properties"]["blurred_to"] == "commune"
    assert feature["geometry"]["type"] == "MultiPolygon"
    for secret in [SECRET_PLACE, SECRET_COMMENT, *point_texts(*SECRET_POINT)[:6]]:
        assert secret not in text
    # Its producer places it.
    _, own = get_json(reader(saisie_user), path)
    assert own["geometry"]["type"] == "Point" and own["properties"]["blurred"] is False
    assert own["properties"]["place_name"] == SECRET_PLACE
    assert {link["rel"] for link in own["links"]} == {"self", "collection"}


def test_points_and_zones_split_the_occurrences_by_the_geometry_shown(
    world, partenaire_user, saisie_user
):
    partner = reader(partenaire_user)
    everything = items(partner, "occurrences")["features"]
    points = items(partner, "occurrences-points")
    zones = items(partner, "occurrences-zones")
    assert ids(points) | ids(zones) == {f["id"] for f in everything}
    assert ids(zones) == {world["sensitive"].pk}
    assert {f["geometry"]["type"] for f in points["features"]} == {"Point"}
    zone = zones["features"][0]
    assert zone["geometry"]["type"] == "MultiPolygon"
    assert zone["properties"] == next(
        f["properties"] for f in everything if f["id"] == zone["id"]
    )
    # Its producer places it: a point, and no zone.
    own = reader(saisie_user)
    assert world["sensitive"].pk in ids(items(own, "occurrences-points"))
    assert ids(items(own, "occurrences-zones")) == set()
    # bbox and datetime work the same way there.
    away = "2.737,50.431,2.745,50.435"
    assert ids(items(partner, "occurrences-zones", bbox=away)) == ids(zones)
    assert ids(items(partner, "occurrences-zones", datetime="2021-01-01/..")) == set()


def test_occurrences_ask_anonymous_clients_to_sign_in(world):
    response, error = get_json(reader(), f"{OGC}collections/occurrences/items", 401)
    assert response["WWW-Authenticate"] == 'Basic realm="CPIE Naturaliste"'
    assert error["code"] == "NotAuthenticated" and "connexion" in error["description"]
    get_json(reader(), f"{OGC}collections/occurrences", 401)


def test_unknown_collection_and_feature_are_404(world, partenaire_user):
    client = reader(partenaire_user)
    _, error = get_json(client, f"{OGC}collections/inconnue/items", 404)
    assert error == {
        "code": "NotFound",
        "description": "Collection inconnue : inconnue.",
    }
    get_json(client, f"{OGC}collections/inconnue", 404)
    get_json(client, f"{OGC}collections/sites/items/999999", 404)
    # A record of a dataset the reader may not read does not exist for them…
    hidden = world["hidden"].pk
    get_json(client, f"{OGC}collections/occurrences/items/{hidden}", 404)
    # …nor another organisation's protected site.
    protected = world["protected_site"].pk
    get_json(client, f"{OGC}collections/sites/items/{protected}", 404)


# --- bbox ----------------------------------------------------------------------------------


def _api_ids_in(client, box: str) -> set[str]:
    _, page = get_json(client, f"/api/v1/occurrences/?page_size=500&in_bbox={box}")
    return {row["uuid"] for row in page["results"]}


@pytest.mark.parametrize(
    "box",
    [
        "2.70,50.40,2.85,50.50",  # around Loos
        "2.79,50.445,2.80,50.455",  # around the sensitive record's precise point
        "2.737,50.431,2.745,50.435",  # the commune's south-west corner only
        "3.5,50.0,3.6,50.1",  # elsewhere
    ],
)
def test_bbox_filters_as_the_api_in_bbox(world, partenaire_user, saisie_user, box):
    for user in (partenaire_user, saisie_user):
        client = reader(user)
        found = items(client, "occurrences", bbox=box)
        uuids = {f["properties"]["uuid"] for f in found["features"]}
        assert uuids == _api_ids_in(client, box)
        assert found["numberMatched"] == len(uuids)


def test_a_blurred_record_matches_a_bbox_through_its_commune_only(
    world, partenaire_user, saisie_user
):
    sensitive = world["sensitive"].pk
    # A box in the commune, away from the precise point: only the blurred reading matches.
    away = "2.737,50.431,2.745,50.435"
    assert sensitive in ids(items(reader(partenaire_user), "occurrences", bbox=away))
    assert sensitive not in ids(items(reader(saisie_user), "occurrences", bbox=away))
    # Outside the commune: neither.
    outside = "2.60,50.30,2.65,50.33"
    assert sensitive not in ids(
        items(reader(partenaire_user), "occurrences", bbox=outside)
    )


def test_bbox_on_sites_and_six_numbers(world):
    around = "2.77,50.45,0,2.79,50.47,100"  # with heights
    public = {world["public_site"].pk, world["wetland"].pk}
    assert ids(items(reader(), "sites", bbox=around)) == public
    assert ids(items(reader(), "sites", bbox="3.5,50.0,3.6,50.1")) == set()


# --- datetime ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2020-05-12", {"plain"}),
        ("2020-05-12T10:00:00Z", {"plain"}),
        # 23:30 UTC is already the 13th in Paris (records carry local dates).
        ("2020-05-12T23:30:00Z", set()),
        ("2020-05-12T23:30:00%2B02:00", {"plain"}),
        ("2020-01-01/2020-12-31", {"plain", "sensitive"}),
        ("2020-07-01T00:00:00Z/2021-06-01T00:00:00Z", {"sensitive", "later"}),
        ("2021-01-01/..", {"later"}),
        ("2021-01-01/", {"later"}),
        ("../2020-06-30", {"plain"}),
        ("/2020-06-30", {"plain"}),
        ("../..", {"plain", "sensitive", "later"}),
    ],
)
def test_datetime_instants_and_intervals(world, partenaire_user, value, expected):
    found = items(reader(partenaire_user), "occurrences", datetime=value)
    assert ids(found) == {world[name].pk for name in expected}
    assert found["numberMatched"] == len(expected)


def test_datetime_leaves_a_collection_without_dates_whole(world):
    assert ids(items(reader(), "sites", datetime="2020-01-01/..")) == {
        world["public_site"].pk,
        world["wetland"].pk,
    }


# --- limit and paging ----------------------------------------------------------------------


def test_pages_follow_next_and_prev_links(world, saisie_user):
    client = reader(saisie_user)
    first = items(client, "occurrences", limit=1, datetime="../2030-01-01")
    assert first["numberMatched"] == 4 and first["numberReturned"] == 1
    assert "prev" not in rels(first) and first["timeStamp"].endswith("Z")
    assert rels(first)["self"]["type"] == "application/geo+json"
    pages, page = [first], first
    while "next" in rels(page):
        href = rels(page)["next"]["href"]
        assert "datetime=..%2F2030-01-01" in href and "limit=1" in href
        page = get_json(client, path_of(href))[1]
        pages.append(page)
    seen = [feature["id"] for p in pages for feature in p["features"]]
    assert seen == sorted(
        world[name].pk for name in ("plain", "later", "sensitive", "hidden")
    )
    # Back from the last page, one page at a time.
    back = get_json(client, path_of(rels(pages[-1])["prev"]["href"]))[1]
    assert back["features"] == pages[-2]["features"]
    assert back["links"][-1]["rel"] in {"next", "prev"}


def test_a_limit_above_the_maximum_gives_the_maximum(world, saisie_user):
    found = items(reader(saisie_user), "occurrences", limit=LIMIT_MAX * 10)
    assert found["numberReturned"] == 4 and "next" not in rels(found)


@pytest.mark.parametrize(
    "query, words",
    [
        ("limit=0", "limit doit être un nombre entier"),
        ("limit=dix", "limit doit être un nombre entier"),
        ("limit=-5", "limit doit être un nombre entier"),
        ("bbox=2.8,50.4,2.9", "bbox invalide : attendu quatre nombres"),
        ("bbox=a,b,c,d", "bbox invalide : attendu quatre nombres"),
        ("bbox=2.9,50.4,2.8,50.5", "longitude ouest"),
        ("bbox=2.8,50.5,2.9,50.4", "latitude sud"),
        ("bbox=2.8,95,2.9,96", "latitude doit être comprise"),
        ("bbox=nan,50,2.9,51", "bbox invalide"),
        ("datetime=2020-13-01", "datetime invalide"),
        ("datetime=2020-02-30", "datetime invalide"),
        ("datetime=hier", "datetime invalide"),
        ("datetime=2021-01-01/2020-01-01", "le début de l'intervalle est après sa fin"),
        ("datetime=2020-01-01/2020-02-01/2020-03-01", "datetime invalide"),
        ("datetime=..", "datetime invalide"),
        ("bbox-crs=EPSG:2154", "Paramètre inconnu : bbox-crs"),
        ("updated_min=2026-01-01", "Paramètres acceptés ici : bbox, datetime, limit"),
        ("f=html", "Format inconnu"),
        ("after=x", "curseur"),
        ("after=1&before=3", "ensemble"),
        ("limit=1&limit=2", "plusieurs fois"),
    ],
)
def test_bad_parameters_are_400_in_french(world, partenaire_user, query, words):
    response = reader(partenaire_user).get(
        f"{OGC}collections/occurrences/items?{query}"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = json.loads(response.content)
    assert error["code"] == "InvalidParameterValue"
    assert words in error["description"]


def test_metadata_routes_refuse_unknown_parameters(world):
    _, error = get_json(reader(), f"{OGC}collections?bbox=1,2,3,4", 400)
    assert "Paramètres acceptés ici : f" in error["description"]


def test_writes_are_refused(world, saisie_user):
    client = reader(saisie_user)
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(
            f"{OGC}collections/sites/items/{world['public_site'].pk}"
        )
        assert response.status_code in (403, 405)


# --- the other collections -----------------------------------------------------------------


def test_protected_sites_only_for_their_organisation(
    world, saisie_user, partenaire_user
):
    protected = world["protected_site"].pk
    assert protected in ids(items(reader(saisie_user), "sites"))
    assert protected not in ids(items(reader(partenaire_user), "sites"))
    assert protected not in ids(items(reader(), "sites"))


def test_terrils_aires_and_wetlands_for_signed_in_users(world, partenaire_user):
    client = reader(partenaire_user)
    terrils = items(client, "terrils")
    assert ids(terrils) == {world["terril"].pk}
    assert terrils["features"][0]["properties"]["number"] == "74"
    assert terrils["features"][0]["geometry"]["type"] == "MultiPolygon"
    aires = items(client, "pop-aires")
    assert ids(aires) == {world["aire"].pk}
    assert aires["features"][0]["properties"]["dataset_title"] == "Public A"
    wetlands = items(client, "zones-humides")
    assert world["wetland"].pk in ids(wetlands)
    mare = next(f for f in wetlands["features"] if f["id"] == world["wetland"].pk)
    assert mare["properties"]["wetland_type"] == "Mare permanente"
    for collection in ("terrils", "pop-aires", "zones-humides"):
        get_json(reader(), f"{OGC}collections/{collection}/items", 401)


def test_an_aire_holding_a_hidden_line_is_left_out(world, partenaire_user, saisie_user):
    """The aire's reading is the app's (``aires_visible_to``): a line of a private
    dataset in one of its ponds hides it from a reader who may not place that line."""
    from tests.factories.zones_humides import PopPassageFactory, PopSiteFactory
    from zones_humides.models import PassageObservation

    aire = world["aire"]
    passage = PopPassageFactory(pop_site=PopSiteFactory(aire=aire))
    PassageObservation.objects.create(
        passage=passage, taxon=world["hidden"].taxon, occurrence=world["hidden"]
    )
    assert aire.pk not in ids(items(reader(partenaire_user), "pop-aires"))
    assert aire.pk in ids(items(reader(saisie_user), "pop-aires"))


# --- signing in ----------------------------------------------------------------------------


def _basic(username, password) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_token_authentication(world, partenaire_user):
    token = Token.objects.create(user=partenaire_user)
    found = get_json(
        Client(),
        f"{OGC}collections/occurrences/items/{world['sensitive'].pk}",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )[1]
    assert found["properties"]["blurred"] is True
    get_json(
        Client(),
        f"{OGC}collections/occurrences/items",
        401,
        HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000",
    )


def test_basic_authentication_and_its_lockout(world, settings):
    settings.AXES_FAILURE_LIMIT = base.AXES_FAILURE_LIMIT
    settings.AXES_COOLOFF_TIME = base.AXES_COOLOFF_TIME
    # Axes counts in Redis, across test runs: a name and addresses of this run only.
    user = UserFactory(
        username=f"basic-{uuid.uuid4().hex[:8]}", roles=[Role.PARTENAIRE]
    )
    path = f"{OGC}collections/occurrences/items"
    address = unique_ip()
    ok = Client().get(
        path, HTTP_AUTHORIZATION=_basic(user.username, PASSWORD), REMOTE_ADDR=address
    )
    assert ok.status_code == 200
    for _ in range(base.AXES_FAILURE_LIMIT - 1):
        wrong = Client().get(
            path, HTTP_AUTHORIZATION=_basic(user.username, "faux"), REMOTE_ADDR=address
        )
        assert wrong.status_code == 401
        assert json.loads(wrong.content)["description"] == (
            "Identifiant ou mot de passe incorrect."
        )
    locked = Client().get(
        path, HTTP_AUTHORIZATION=_basic(user.username, "faux"), REMOTE_ADDR=address
    )
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == int(base.AXES_COOLOFF_TIME.total_seconds())
    assert "tentatives de connexion" in json.loads(locked.content)["description"]
    # The right password is refused too while the login is locked…
    again = Client().get(
        path, HTTP_AUTHORIZATION=_basic(user.username, PASSWORD), REMOTE_ADDR=address
    )
    assert again.status_code == 429
    # …and the login page is locked with it (the failures count together).
    page = Client().post(
        "/connexion/",
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR=unique_ip(),
    )
    assert page.status_code == 429
