"""Locust scenario of the load benchmark (bench/load.py): staff members (saisie) and
coordinators, already logged in, browse and enter observations on a 1,000,000-row database.

Run by bench/load.py (``locust --headless``) with two environment variables:
LOAD_PLAN, the JSON written by ``python -m bench.load setup`` (taxa, bboxes, visible
occurrences, the dataset to enter into, one pre-created session per user), and LOAD_OUT, where the exact response
time and HTTP status of every request are written when locust quits (locust's own CSV
rounds its percentiles).
"""

import json
import math
import os
import random
from collections import defaultdict
from datetime import date, timedelta

from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())
RECORDS: dict[str, dict[str, list]] = defaultdict(
    lambda: {"ms": [], "status": [], "failed": [], "end": []}
)

# Each user takes a session created before the run (bench/load_setup.py): logging in
# through the form costs a PBKDF2 hash (~1 s of CPU), measured apart by bench/load.py.
SESSIONS = {name: list(keys) for name, keys in PLAN["sessions"].items()}
HOME = "page d'accueil (GET /, cookie CSRF)"
LIST_PAGE = "page liste filtrée (/observations/?…)"
LIST_API = "API liste filtrée (/api/v1/occurrences/?…)"
MAP_POINTS = "carte, emprise locale (/api/v1/occurrences/geojson/?in_bbox=…)"
MAP_REGION = "carte, toute la région en mailles (geojson)"
MAP_TILES = "carte de la page liste, tuiles d'une emprise locale (…/tiles/z/x/y.mvt)"
MAP_TILES_REGION = "carte de la page liste, tuiles de toute la région (mailles)"
# The list page's map (templates/observations/occurrence_list.html) on a desktop screen.
MAP_PX = (450, 520)
DETAIL = "page détail (/observations/<uuid>/)"
ENTRY = "saisie (POST /api/v1/occurrences/)"


@events.request.add_listener
def _record(name, response_time, response, exception, start_time=0.0, **_kwargs):
    record = RECORDS[name]
    record["ms"].append(response_time)
    record["end"].append(start_time + response_time / 1000)
    record["status"].append(getattr(response, "status_code", 0) or 0)
    record["failed"].append(exception is not None)


@events.quitting.add_listener
def _write(**_kwargs):
    with open(os.environ["LOAD_OUT"], "w", encoding="utf-8") as handle:
        json.dump(RECORDS, handle)


class Member(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    username = ""

    def on_start(self) -> None:
        self.client.cookies.set(PLAN["session_cookie"], SESSIONS[self.username].pop())
        # One authenticated page: its logout form sets the CSRF cookie the entry POST sends.
        with self.client.get(
            "/", name=HOME, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200 or "/deconnexion/" not in response.text:
                response.failure(f"session refusée (HTTP {response.status_code})")
            elif PLAN["csrf_cookie"] not in self.client.cookies:
                response.failure("pas de cookie CSRF")

    def _filters(self) -> dict:
        year = random.randint(2005, 2024)
        filters = {"date_min": f"{year}-01-01", "date_max": f"{year}-12-31"}
        if random.random() < 0.7:
            filters["taxon"] = random.choice(PLAN["taxa"])
        return filters

    @task(3)
    def list_page(self) -> None:
        self.client.get("/observations/", params=self._filters(), name=LIST_PAGE)

    @task(3)
    def list_api(self) -> None:
        self.client.get("/api/v1/occurrences/", params=self._filters(), name=LIST_API)

    @task(4)
    def map_layer(self) -> None:
        if random.random() < 0.1:
            params, name = {"in_bbox": PLAN["region"]}, MAP_REGION
        else:
            params, name = {"in_bbox": random.choice(PLAN["bboxes"])}, MAP_POINTS
        self.client.get("/api/v1/occurrences/geojson/", params=params, name=name)

    @task(4)
    def map_tiles(self) -> None:
        """The vector tiles the list page's map asks for to show one view (static/js/
        occurrence_list.js, Leaflet.VectorGrid), one after the other."""
        if random.random() < 0.1:
            bbox, name = PLAN["region"], MAP_TILES_REGION
        else:
            bbox, name = random.choice(PLAN["bboxes"]), MAP_TILES
        params = self._filters() if random.random() < 0.5 else {}
        for z, x, y in view_tiles(bbox):
            self.client.get(
                f"/api/v1/occurrences/tiles/{z}/{x}/{y}.mvt", params=params, name=name
            )

    @task(3)
    def detail_page(self) -> None:
        uuid = random.choice(PLAN["details"][self.username])
        self.client.get(f"/observations/{uuid}/", name=DETAIL)


def _tile_xy(lon: float, lat: float, z: int) -> tuple[float, float]:
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return (lon + 180) / 360 * n, y


def view_tiles(bbox: str) -> list[tuple[int, int, int]]:
    """The 256 px tiles of the view Leaflet frames ``bbox`` in (fitBounds on a map of
    MAP_PX, whole zoom levels): those the map loads."""
    west, south, east, north = (float(v) for v in bbox.split(","))
    z = 18
    while z > 0:
        x0, y0 = _tile_xy(west, north, z)
        x1, y1 = _tile_xy(east, south, z)
        if (x1 - x0) * 256 <= MAP_PX[0] and (y1 - y0) * 256 <= MAP_PX[1]:
            break
        z -= 1
    # The map's own extent around the bbox's centre, in tiles.
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w, half_h = MAP_PX[0] / 512, MAP_PX[1] / 512
    return [
        (z, x, y)
        for x in range(math.floor(cx - half_w), math.floor(cx + half_w) + 1)
        for y in range(math.floor(cy - half_h), math.floor(cy + half_h) + 1)
    ]


class Staff(Member):
    """Role saisie: browses, and enters one observation out of every ~14 requests."""

    weight = 3
    username = "saisie"

    @task(1)
    def entry(self) -> None:
        entry = PLAN["entry"]
        lon, lat = entry["point"]
        observed = date(2024, 6, 30) - timedelta(days=random.randint(0, 700))
        payload = {
            "dataset": entry["dataset"],
            "taxon": random.choice(PLAN["taxa"]),
            "date_start": observed.isoformat(),
            "geometry": {
                "type": "Point",
                "coordinates": [
                    lon + random.uniform(-0.05, 0.05),
                    lat + random.uniform(-0.05, 0.05),
                ],
            },
            "count_min": 1,
            "count_max": random.randint(1, 5),
            "observers_label": "Test de charge",
        }
        self.client.post(
            "/api/v1/occurrences/",
            json=payload,
            headers={"X-CSRFToken": self.client.cookies.get(PLAN["csrf_cookie"], "")},
            name=ENTRY,
        )


class Coordinator(Member):
    weight = 2
    username = "coordinateur"
