"""Latencies of the occurrence pages and API on the 1,000,000-row table (child process whose
Django settings point to ``cpie_bench_occ``).

Each request goes through Django's test client (URL routing, middleware, authentication,
filters, serialisation, JSON or HTML rendering), warm: a few untimed requests first. Two
users: a regional coordinator (reads everything) and a staff member (reads their
organisation's datasets and the public ones, so every query joins the datasets).
"""

import math
import random
import time
from collections import Counter
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve
from rest_framework.test import APIClient

from bench.occurrences_data import REGIONAL_USER, STAFF_USER, TOWNS
from observations.atlas import atlas_contributions
from observations.models import Occurrence
from observations.selectors import _grid_code_counts
from referentiel.models import Commune, User

WARM_UP = 5
LIST_URL = "/api/v1/occurrences/"
GEOJSON_URL = "/api/v1/occurrences/geojson/"
MAP_LIMIT = 5000
# Frequency ranks of the taxa of each class (1 = the commonest).
TAXON_CLASSES = {"fréquent": (1, 4), "moyen": (150, 160), "rare": (2500, 2510)}
METRES_PER_DEGREE_LON = 71_000  # at 50° N
METRES_PER_DEGREE_LAT = 111_000


def _timed(call: Callable[[object], object], arguments: list) -> list[float]:
    """Milliseconds of ``call(argument)`` for each argument after the first WARM_UP."""
    for argument in arguments[:WARM_UP]:
        call(argument)
    latencies = []
    for argument in arguments[WARM_UP:]:
        started = time.perf_counter()
        call(argument)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def _get(client, url: str, params: dict):
    response = client.get(url, params, HTTP_HOST="localhost")
    if response.status_code != 200:
        raise RuntimeError(f"{url} {params} : HTTP {response.status_code}")
    return response


def _clients() -> dict[str, tuple[APIClient, Client]]:
    clients = {}
    for label, username in (
        ("coordinateur régional", REGIONAL_USER),
        ("saisie", STAFF_USER),
    ):
        user = User.objects.get(username=username)
        api = APIClient()
        api.force_authenticate(user)
        page = Client()
        page.force_login(user)
        clients[label] = (api, page)
    return clients


def _taxa_by_class() -> dict[str, list[tuple[int, int]]]:
    """(cd_nom, rows) of a few taxa of each frequency class."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT taxon_id, count(*) FROM {Occurrence._meta.db_table} "
            "GROUP BY taxon_id ORDER BY count(*) DESC, taxon_id"
        )
        ranked = cursor.fetchall()
    return {
        label: ranked[first - 1 : last]
        for label, (first, last) in TAXON_CLASSES.items()
    }


def _page_status(page: Client) -> int | None:
    """HTTP status of the list page, None when no such page is routed yet."""
    try:
        resolve("/observations/")
    except Resolver404:
        return None
    return page.get("/observations/", HTTP_HOST="localhost").status_code


def _list_params(rng: random.Random, taxa: list[tuple[int, int]]) -> dict:
    year = rng.randint(2005, 2024)
    return {
        "taxon": rng.choice(taxa)[0],
        "date_min": f"{year}-01-01",
        "date_max": f"{year}-12-31",
    }


def list_latencies(clients, requests: int) -> dict:
    """API list (and the HTML list page when it exists) with taxon + one-year filters."""
    classes = _taxa_by_class()
    results = {"taxa": {k: [n for _, n in v] for k, v in classes.items()}, "api": {}}
    results["page_status"] = _page_status(next(iter(clients.values()))[1])
    page_exists = results["page_status"] == 200
    results["page"] = {} if page_exists else None
    for label, (api, page) in clients.items():
        for taxon_class, taxa in classes.items():
            rng = random.Random(f"{label}-{taxon_class}")
            params = [_list_params(rng, taxa) for _ in range(requests + WARM_UP)]
            key = f"{label} · taxon {taxon_class}"
            results["api"][key] = _timed(partial(_get, api, LIST_URL), params)
            if page_exists:
                results["page"][key] = _timed(
                    partial(_get, page, "/observations/"), params
                )
    return results


def _bbox(x: float, y: float, width_m: float) -> tuple[str, int]:
    """A WGS84 bbox string ``width_m`` wide around a Lambert-93 point, and its row count."""
    centre = Point(x, y, srid=settings.SRID).transform(4326, clone=True)
    dlon = width_m / 2 / METRES_PER_DEGREE_LON
    dlat = width_m / 2 / METRES_PER_DEGREE_LAT
    bbox = (centre.x - dlon, centre.y - dlat, centre.x + dlon, centre.y + dlat)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {Occurrence._meta.db_table} WHERE geom && "
            "ST_Transform(ST_MakeEnvelope(%s, %s, %s, %s, 4326), 2154)",
            bbox,
        )
        count = cursor.fetchone()[0]
    return ",".join(f"{v:.5f}" for v in bbox), count


def geojson_latencies(clients, requests: int) -> dict:
    """Map layer on bboxes of ≤ 5,000 features (points), then the whole region (cells)."""
    rng = random.Random("bbox")
    towns = [c.geom.centroid for c in Commune.objects.filter(name__in=TOWNS)]
    # At least 1,000 points per box on the full table (fewer on a small trial table).
    low = min(1000, max(1, Occurrence.objects.count() // 1000))
    boxes = []
    for _attempt in range(100 * (requests + WARM_UP)):
        town = rng.choice(towns)
        x = town.x + rng.uniform(-15000, 15000)
        y = town.y + rng.uniform(-15000, 15000)
        bbox, count = _bbox(x, y, rng.uniform(2000, 12000))
        if low <= count <= MAP_LIMIT:
            boxes.append((bbox, count))
            if len(boxes) == requests + WARM_UP:
                break
    else:
        raise RuntimeError("Pas assez d'emprises de 1 000 à 5 000 observations.")
    region = "1.30,48.80,4.30,51.15"
    results = {
        "features": [count for _, count in boxes],
        "low": low,
        "points": {},
        "region": {},
    }
    for label, (api, _page) in clients.items():
        get = partial(_get, api, GEOJSON_URL)
        results["points"][label] = _timed(get, [{"in_bbox": b} for b, _ in boxes])
        response = get({"in_bbox": region})
        results["region_cells"] = len(response.data["features"])
        results["region"][label] = _timed(
            get, [{"in_bbox": region}] * (WARM_UP + max(10, requests // 3))
        )
        # The same cells counted from the records (the design before the summary).
        username = REGIONAL_USER if "régional" in label else STAFF_USER
        user = User.objects.get(username=username)
        results.setdefault("region_records", {})[label] = _timed(
            _region_records, [user] * (WARM_UP + max(5, requests // 6))
        )
    return results


def _region_records(user) -> Counter:
    return _grid_code_counts(Occurrence.objects.visible_to(user))


def atlas_latencies(clients, requests: int) -> dict:
    """The atlas table of a year: the selector alone, the API and the page."""
    results = {"selector": {}, "api": {}, "page": {}}
    for label, (api, page) in clients.items():
        username = REGIONAL_USER if "régional" in label else STAFF_USER
        user = User.objects.get(username=username)
        rng = random.Random(f"atlas-{label}")
        years = [rng.randint(2005, 2024) for _ in range(requests + WARM_UP)]
        results["selector"][label] = _timed(partial(_atlas_table, user=user), years)
        # The same table grouped from the records (the design before the summary).
        results.setdefault("selector_records", {})[label] = _timed(
            partial(_atlas_records, user=user), years[: WARM_UP + max(5, requests // 6)]
        )
        params = [{"year": year} for year in years]
        results["api"][label] = _timed(partial(_get, api, "/api/v1/atlas/"), params)
        results["page"][label] = _timed(
            partial(_get, page, "/observations/atlas/"), params
        )
    table = atlas_contributions(year=2020, queryset=Occurrence.objects.all())
    results["table_2020"] = [
        (g.name, g.records, g.species) for g in table.groups if g.records
    ]
    return results


def _atlas_table(year: int, *, user):
    """What the page and the API call: all the user reads, from the summary."""
    return atlas_contributions(year=year, user=user)


def _atlas_records(year: int, *, user):
    return atlas_contributions(year=year, queryset=Occurrence.objects.visible_to(user))


# Zooms of the vector tiles measured: 50, 20, 5 km and 1 km cells, then features.
TILE_ZOOMS = (6, 8, 10, 11, 12, 14, 16)
TILE_URL = "/api/v1/occurrences/tiles/{z}/{x}/{y}.mvt"


def _tile_get(client, url: str):
    response = client.get(url, HTTP_HOST="localhost")
    if response.status_code not in (200, 204):
        raise RuntimeError(f"{url} : HTTP {response.status_code}")
    return response


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def tile_latencies(clients, requests: int, towns=None) -> dict:
    """Vector tiles at each of ``TILE_ZOOMS``: tiles holding random points within 15 km of
    the towns (each request a cold tile for the application: no HTTP cache between)."""
    if towns is None:
        towns = [c.geom.centroid for c in Commune.objects.filter(name__in=TOWNS)]
    results = {"zooms": {}, "bytes": {}}
    for z in TILE_ZOOMS:
        rng = random.Random(f"tiles-{z}")
        urls = []
        for _ in range(requests + WARM_UP):
            town = rng.choice(towns)
            point = Point(
                town.x + rng.uniform(-15000, 15000),
                town.y + rng.uniform(-15000, 15000),
                srid=settings.SRID,
            ).transform(4326, clone=True)
            x, y = _tile_of(point.x, point.y, z)
            urls.append(TILE_URL.format(z=z, x=x, y=y))
        for label, (api, _page) in clients.items():
            results["zooms"][f"z{z}, {label}"] = _timed(partial(_tile_get, api), urls)
        sizes = [
            len(_tile_get(next(iter(clients.values()))[0], u).content) for u in urls
        ]
        results["bytes"][z] = sorted(sizes)[len(sizes) // 2]
    return results


def measure(requests: int) -> dict:
    clients = _clients()
    return {
        "list": list_latencies(clients, requests),
        "geojson": geojson_latencies(clients, requests),
        "tiles": tile_latencies(clients, requests),
        "atlas": atlas_latencies(clients, requests),
    }
