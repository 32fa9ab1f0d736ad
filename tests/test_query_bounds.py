"""SQL queries per request for every page and API route of the load mix (bench/locustfile.py,
issue 21), as a staff member (saisie) and as a coordinator: each stays under a fixed bound,
and the same request over three times the records costs exactly as many queries (no query
per row: no N+1).

Measured as in production: the browser is logged in through a session (Django's test client,
``force_login``: the session and its user are read on every request, as with gunicorn), the
caches are warm (each route is requested once before the measured request), and the
savepoints that the test's own transaction adds around an atomic block are not counted
(in production that block is the request's BEGIN … COMMIT, which Django does not log)."""

import datetime as dt
import json
import re

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from observations.models import Occurrence
from referentiel.models import Role
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    OrganisationFactory,
    PersonFactory,
    TaxonFactory,
    UserFactory,
)
from tests.mvt import decode, lonlat_of_tile

pytestmark = pytest.mark.django_db

N = 4  # records of the small world; the large one has 3 × N
LOCAL = "2.70,50.40,2.85,50.50"  # a few km around Loos-en-Gohelle (WGS84)
REGION = "1.30,48.80,4.30,51.15"  # the load mix's region-wide layer
YEAR = {"date_min": "2020-01-01", "date_max": "2020-12-31"}


def _tile(z: int) -> tuple[int, int, int]:
    point = Point(LOOS_X, LOOS_Y, srid=2154).transform(4326, clone=True)
    return (z, *lonlat_of_tile(point.x, point.y, z))


TILE_POINTS, TILE_CELLS = _tile(13), _tile(7)

# The most queries a request of each route may cost (the load mix's routes, with the entry
# of a record as the field form posts it). The session is read from the cache (engine
# cached_db: no query); the user, with its roles, organisation and that organisation's
# datasets, in one query (referentiel.backends.UserBackend).
MAX_QUERIES = {
    "accueil": 3,
    "page liste filtrée": 8,
    "API liste filtrée": 7,
    "page détail": 11,
    "carte, emprise locale": 3,
    "carte, toute la région": 3,
    "tuile, points": 3,
    "tuile, mailles": 3,
    "saisie": 10,
}

# route name → (path, query) as the load mix requests it; the detail path is
# filled with a record of the world, the entry is a POST.
ROUTES = {
    "accueil": ("/", {}),
    "page liste filtrée": ("/observations/", YEAR),
    "API liste filtrée": ("/api/v1/occurrences/", YEAR),
    "page détail": ("/observations/{uuid}/", {}),
    "carte, emprise locale": ("/api/v1/occurrences/geojson/", {"in_bbox": LOCAL}),
    "carte, toute la région": ("/api/v1/occurrences/geojson/", {"in_bbox": REGION}),
    "tuile, points": (
        "/api/v1/occurrences/tiles/{}/{}/{}.mvt".format(*TILE_POINTS),
        {},
    ),
    "tuile, mailles": (
        "/api/v1/occurrences/tiles/{}/{}/{}.mvt".format(*TILE_CELLS),
        {},
    ),
}


@pytest.fixture
def world():
    """An organisation with a staff member and a coordinator, two of its datasets, a partner's
    dataset, three taxa, two observers: the records are added by ``_records``."""
    organisation = OrganisationFactory(name="CPIE Chaîne des Terrils", kind="cpie")
    partner = OrganisationFactory(name="Eden 62", kind="gestionnaire")
    CommuneFactory()
    return {
        "users": {
            role: UserFactory(
                username=f"{role}-bornes", organisation=organisation, roles=[role]
            )
            for role in (Role.SAISIE, Role.COORDINATEUR)
        },
        "datasets": [
            DatasetFactory(producer=organisation),
            DatasetFactory(producer=organisation),
            DatasetFactory(producer=partner),
        ],
        "taxa": [
            TaxonFactory(cd_nom=351, scientific_name="Rana temporaria"),
            TaxonFactory(cd_nom=259, scientific_name="Bufo bufo"),
            TaxonFactory(cd_nom=3764, scientific_name="Ardea cinerea"),
        ],
        "observers": [
            PersonFactory(
                first_name="Anne", last_name="Leroy", organisation=organisation
            ),
            PersonFactory(
                first_name="Paul", last_name="Dumont", organisation=organisation
            ),
        ],
    }


def _records(world, count: int, *, start: int = 0) -> None:
    """``count`` records spread over the datasets, taxa, observers and a few hundred
    metres around Loos, each with its creator, some with a sensitivity level."""
    creator = world["users"][Role.SAISIE]
    for i in range(start, start + count):
        occurrence = OccurrenceFactory(
            dataset=world["datasets"][i % 3],
            taxon=world["taxa"][i % 3],
            date_start=dt.date(2020, 1 + i % 12, 1 + i % 28),
            geom=Point(LOOS_X + 37 * i, LOOS_Y + 23 * i, srid=2154),
            created_by=creator,
            sensitivity_level=i % 3,
        )
        occurrence.observers.set(world["observers"][: 1 + i % 2])


def _count(client: Client, method: str, path: str, data) -> tuple[int, str, object]:
    """The queries of one request (savepoints apart), their SQL, the response."""
    with CaptureQueriesContext(connection) as captured:
        if method == "post":
            response = client.post(
                path, data=json.dumps(data), content_type="application/json"
            )
        else:
            response = client.get(path, data)
    sql = [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    return len(sql), "\n".join(s[:160] for s in sql), response


def _shown(name: str, response) -> int:
    """How many records the response shows its reader (what grows with the world)."""
    if name == "page liste filtrée":
        return len(set(re.findall(r"/observations/([0-9a-f-]{36})/", response.text)))
    if name == "API liste filtrée":
        return len(response.json()["results"])
    if name.startswith("carte"):
        body = response.json()
        if body.get("aggregated"):
            return sum(f["properties"]["count"] for f in body["features"])
        return len(body["features"])
    if name.startswith("tuile"):
        if response.status_code == 204:
            return 0
        layers = decode(response.content)
        return sum(
            f.properties.get("count", 1) for layer in layers for f in layer.features
        )
    return 1  # the home page, a record's page: one thing, whatever the world's size


def _entry(world) -> dict:
    """The load mix's entry: a POST of JSON through the session, as the field form does."""
    return {
        "dataset": str(world["datasets"][0].uuid),
        "taxon": world["taxa"][0].cd_nom,
        "date_start": "2020-06-01",
        "geometry": {"type": "Point", "coordinates": [2.7785, 50.4577]},
        "count_min": 1,
        "count_max": 2,
        "observers_label": "Test de charge",
    }


def _measure(world, role) -> dict[str, tuple[int, str, int]]:
    """Per route of the mix: the queries of its second request (the first warms the
    caches), their SQL, and how many records it showed."""
    user = world["users"][role]
    client = Client()
    client.force_login(user)
    detail = Occurrence.objects.visible_to(user).order_by("pk").last()
    measured = {}
    for name, (path, query) in ROUTES.items():
        path = path.format(uuid=detail.uuid)
        client.get(path, query)
        count, sql, response = _count(client, "get", path, query)
        assert response.status_code in (200, 204), (name, response.status_code)
        if name == "accueil":
            assert "/deconnexion/" in response.text  # the session was read: logged in
        if name == "page détail":
            assert detail.taxon.scientific_name in response.text
        measured[name] = (count, sql, _shown(name, response))
    if role == Role.SAISIE:
        path = "/api/v1/occurrences/"
        client.post(path, json.dumps(_entry(world)), content_type="application/json")
        before = Occurrence.objects.count()
        count, sql, response = _count(client, "post", path, _entry(world))
        assert response.status_code == 201, response.content
        assert Occurrence.objects.count() == before + 1
        measured["saisie"] = (count, sql, 1)
    return measured


@pytest.mark.parametrize("role", [Role.SAISIE, Role.COORDINATEUR])
def test_queries_per_request_are_bounded_and_do_not_grow_with_the_records(world, role):
    _records(world, N)
    small = _measure(world, role)
    _records(world, 2 * N, start=N)
    large = _measure(world, role)
    assert set(large) == set(MAX_QUERIES) - (
        {"saisie"} if role != Role.SAISIE else set()
    )
    for name, (count, sql, shown) in large.items():
        assert count <= MAX_QUERIES[name], f"{name} : {count} requêtes\n{sql}"
        assert count == small[name][0], (
            f"{name} : {small[name][0]} requêtes pour {small[name][2]} observations, "
            f"{count} pour {shown}\n{sql}"
        )
    # The larger world was really shown larger (else the comparison proves nothing).
    for name in ("page liste filtrée", "API liste filtrée", "carte, emprise locale"):
        assert large[name][2] > small[name][2] > 0, name
    for name in ("carte, toute la région", "tuile, points", "tuile, mailles"):
        assert large[name][2] > small[name][2], name
