"""The crawler of issue 17: every route of the URLconf, every operation of ``/api/schema/``.

It knows no list of channels: it walks ``get_resolver()`` and fills each route's parameters
from the canaries (``tests/security/canaries.py``) — DRF routes through the model of their
viewset, admin routes through their ``ModelAdmin``, page routes through ``PAGE_FILLERS``
(by URL name) and ``PARAM_FILLERS`` (by parameter name). A route it cannot fill is an
error of the test (``UnfilledRoute``), so a channel added tomorrow is crawled, or the test
says why not, the day it is added.

Every response is decoded whatever it is (HTML, JSON, CSV, XLSX and other zips, GeoPackage
and other SQLite files, plain text) and searched for the canaries' marker strings and
precise points (``Leak``): a point is found when both of its coordinates, in WGS84 to 4
decimals or in Lambert-93 to 10 m, are on one line of text or in one JSON object. A vector
tile (MVT) is decoded (``tests/mvt.py``): each vertex, from tile-local units to WGS84, is
compared with the points to the tile's precision, and its properties are searched as text.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.gis.geos import GEOSGeometry, Point
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

from tests import mvt

# Routes that are not a channel of data and need no parameter: said once, with why.
NOT_CHANNELS: dict[str, str] = {}

MVT_CONTENT_TYPE = "application/vnd.mapbox-vector-tile"
TILE_URL = re.compile(r"/(\d+)/(\d+)/(\d+)\.mvt(?:\?|$)")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
WGS84_TOLERANCE = 0.00006  # 4 decimals (and a little rounding)
L93_TOLERANCE = 10.0  # metres


class UnfilledRoute(Exception):
    pass


@dataclass(frozen=True)
class Route:
    pattern: str  # as written in the URLconf, for messages
    name: str  # namespaced URL name
    callback: Callable
    converters: tuple[str, ...]  # parameter names, in order
    regex: str  # the route's full regex (DRF routers write regexes)

    @property
    def viewset(self):
        return getattr(self.callback, "cls", None)

    @property
    def model_admin(self):
        return getattr(self.callback, "model_admin", None)


def routes() -> list[Route]:
    """Every leaf route of the project's URLconf, with its full pattern."""
    found: list[Route] = []

    def walk(patterns, prefix_text, prefix_regex, namespace):
        for entry in patterns:
            text = prefix_text + str(entry.pattern)
            own = entry.pattern.regex.pattern.lstrip("^")
            own = own.removesuffix("\\Z").removesuffix("$")
            regex = prefix_regex + own
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = (
                        f"{namespace}:{entry.namespace}"
                        if namespace
                        else entry.namespace
                    )
                walk(entry.url_patterns, text, regex, ns)
            elif isinstance(entry, URLPattern):
                name = entry.name or ""
                full = f"{namespace}:{name}" if namespace and name else name
                params = tuple(re.findall(r"\(\?P<(\w+)>", regex))
                found.append(Route(text, full, entry.callback, params, regex))

    walk(get_resolver().url_patterns, "", "", "")
    return found


def build_path(route: Route, values: dict) -> str:
    """The URL of ``route`` with ``values``, built from its regex (so that DRF's, Django's
    converters and the admin's patterns are filled the same way)."""
    regex = route.regex
    for name in route.converters:
        group = r"\(\?P<" + name + r">(?:[^()]|\([^()]*\))*\)"
        regex = re.sub(group, str(values[name]).replace("\\", "\\\\"), regex, count=1)
    path = re.sub(r"\\(.)", r"\1", regex)
    path = path.replace("/?", "/").replace("^", "").replace("$", "")
    if re.search(r"[()\[\]*+?{}|]", path):
        raise UnfilledRoute(f"{route.pattern}: left a pattern in {path!r}")
    return "/" + path


# Finding leaks -------------------------------------------------------------------------
@dataclass(frozen=True)
class Canary:
    """What the checker looks for: marker strings and precise points."""

    markers: tuple[str, ...]
    points_l93: tuple[tuple[float, float], ...]

    @property
    def points_wgs84(self) -> tuple[tuple[float, float], ...]:
        out = []
        for x, y in self.points_l93:
            point = Point(x, y, srid=2154)
            point.transform(4326)
            out.append((point.x, point.y))
        return tuple(out)


@dataclass
class Leak:
    url: str
    what: str
    where: str

    def __str__(self) -> str:
        return f"{self.url}: {self.what} in {self.where}"


@dataclass
class Checker:
    canary: Canary
    leaks: list[Leak] = field(default_factory=list)
    responses: int = 0
    texts: int = 0

    def __post_init__(self):
        self._wgs = self.canary.points_wgs84
        self._markers = [m.lower() for m in self.canary.markers]

    def check(self, url: str, response) -> None:
        self.responses += 1
        content = _content(response)
        if response.get("Content-Type", "").startswith(MVT_CONTENT_TYPE):
            self._check_tile(url, content)
            return
        for where, text in decoded(content, response.get("Content-Type", "")):
            self.texts += 1
            self._check_text(url, where, text)

    def _check_tile(self, url: str, content: bytes) -> None:
        """A vector tile: its properties searched as JSON text, each vertex of each feature
        taken from tile-local units to WGS84 (the tile's z/x/y from the URL) and compared
        with the canary points to the tile's precision (a unit is ~2.4 m at zoom 14, ~76 m
        at zoom 9)."""
        found = TILE_URL.search(url)
        if found is None:
            self.leaks.append(Leak(url, "a vector tile", "a URL without z/x/y"))
            return
        z, x, y = (int(v) for v in found.groups())
        for layer in mvt.decode(content):
            tolerance = max(WGS84_TOLERANCE, mvt.unit_degrees(z, layer.extent))
            for feature in layer.features:
                self.texts += 1
                self._check_text(
                    url, f"{layer.name}/{feature.id}", json.dumps(feature.properties)
                )
                for vertex in feature.vertices:
                    lon, lat = mvt.to_lonlat(vertex, z, x, y, layer.extent)
                    for c_lon, c_lat in self._wgs:
                        if (
                            abs(lon - c_lon) <= tolerance
                            and abs(lat - c_lat) <= tolerance
                        ):
                            self.leaks.append(
                                Leak(
                                    url,
                                    f"point WGS84 {c_lon:.4f} {c_lat:.4f}",
                                    f"tile {layer.name}, feature {feature.id} "
                                    f"{feature.type} vertex {vertex}",
                                )
                            )

    def _check_text(self, url: str, where: str, text: str) -> None:
        lower = text.lower()
        for marker, original in zip(self._markers, self.canary.markers, strict=True):
            if marker in lower:
                at = lower.index(marker)
                self.leaks.append(
                    Leak(
                        url,
                        f"marker {original}",
                        f"{where}: …{text[max(0, at - 80) : at + 40]!r}",
                    )
                )
        for group in _number_groups(text):
            found = self._points_in(group)
            if found:
                self.leaks.append(Leak(url, found, f"{where}: {str(group)[:200]}"))

    def _points_in(self, numbers: list[float]) -> str:
        if len(numbers) < 2:
            return ""
        for (lon, lat), (x, y) in zip(self._wgs, self.canary.points_l93, strict=True):
            if _near(numbers, lon, WGS84_TOLERANCE) and _near(
                numbers, lat, WGS84_TOLERANCE
            ):
                return f"point WGS84 {lon:.4f} {lat:.4f}"
            if _near(numbers, x, L93_TOLERANCE) and _near(numbers, y, L93_TOLERANCE):
                return f"point Lambert-93 {x:.0f} {y:.0f}"
        return ""


def _near(numbers: list[float], value: float, tolerance: float) -> bool:
    return any(abs(number - value) <= tolerance for number in numbers)


def _content(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _number_groups(text: str) -> Iterator[list[float]]:
    """Numbers of one JSON object (each object, its own scalars and coordinate pairs) or of
    one line of text."""
    stripped = text.lstrip()
    if stripped[:1] in "[{":
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if data is not None:
            yield from _json_groups(data)
            return
    for line in text.splitlines():
        numbers = [float(n) for n in NUMBER.findall(line)]
        if len(numbers) >= 2:
            yield numbers


def _json_groups(data) -> Iterator[list[float]]:
    if isinstance(data, dict):
        scalars = [_number(v) for v in data.values()]
        scalars = [v for v in scalars if v is not None]
        # A string value may hold WKT or "x y": its numbers count for the object.
        for value in data.values():
            if isinstance(value, str):
                scalars.extend(float(n) for n in NUMBER.findall(value))
        if len(scalars) >= 2:
            yield scalars
        for value in data.values():
            if isinstance(value, dict | list):
                yield from _json_groups(value)
    elif isinstance(data, list):
        numbers = [_number(v) for v in data]
        if len(data) >= 2 and all(v is not None for v in numbers[:2]):
            yield [v for v in numbers if v is not None]
        for value in data:
            if isinstance(value, dict | list):
                yield from _json_groups(value)
            elif isinstance(value, str):
                found = [float(n) for n in NUMBER.findall(value)]
                if len(found) >= 2:
                    yield found


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


def decoded(content: bytes, content_type: str = "") -> Iterator[tuple[str, str]]:
    """``(where, text)`` for everything a response holds: itself as text, each member of a
    zip (XLSX, DwC-A, SINP archives), each row of an SQLite file (GeoPackage, with its
    geometries as WKT in both systems)."""
    if content[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for member in archive.namelist():
                yield from (
                    (f"{member}/{where}", text)
                    for where, text in decoded(archive.read(member))
                )
        return
    if content[:16] == b"SQLite format 3\x00":
        yield from _sqlite_texts(content)
        return
    if content[:4] in (b"\x89PNG", b"%PDF") or content[:3] == b"\xff\xd8\xff":
        yield "binary", content.decode("latin-1")
        return
    text = content.decode("utf-8", errors="replace")
    if "xml" in content_type or text.lstrip().startswith("<?xml"):
        # Spreadsheet XML: cells are <v>…</v> on one line; split rows into lines.
        text = re.sub(r"</row>", "</row>\n", text)
    yield "body", text


def _sqlite_texts(content: bytes) -> Iterator[tuple[str, str]]:
    with tempfile.NamedTemporaryFile(suffix=".sqlite") as handle:
        handle.write(content)
        handle.flush()
        database = sqlite3.connect(handle.name)
        try:
            tables = [
                row[0]
                for row in database.execute(
                    "SELECT name FROM sqlite_master WHERE type='table'"
                )
            ]
            for table in tables:
                for row in database.execute(f'SELECT * FROM "{table}"'):
                    yield table, " ".join(_sqlite_value(value) for value in row)
        finally:
            database.close()


def _sqlite_value(value) -> str:
    if isinstance(value, bytes):
        geometry = _gpkg_geometry(value)
        if geometry is not None:
            return _both_systems(geometry)
        return value.decode("latin-1")
    return str(value)


def _gpkg_geometry(blob: bytes) -> GEOSGeometry | None:
    """A GeoPackage geometry blob (``GP`` header + WKB), or None."""
    if blob[:2] != b"GP":
        return None
    flags = blob[3]
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get((flags >> 1) & 0x07, 0)
    srid = int.from_bytes(blob[4:8], "little" if flags & 1 else "big")
    try:
        geometry = GEOSGeometry(memoryview(blob[8 + envelope :]))
    except Exception:  # noqa: BLE001 - not a geometry: searched as bytes
        return None
    geometry.srid = srid or 4326
    return geometry


def _both_systems(geometry: GEOSGeometry) -> str:
    out = [geometry.wkt]
    for srid in (2154, 4326):
        if geometry.srid != srid:
            out.append(geometry.transform(srid, clone=True).wkt)
    return " | ".join(out)


# Rows unchanged -------------------------------------------------------------------------
def checksums(tables: Iterable[str]) -> dict[str, str]:
    """One md5 per table over all its rows: an unsafe request must leave them equal."""
    out = {}
    with connection.cursor() as cursor:
        for table in sorted(set(tables)):
            cursor.execute(
                f"SELECT count(*), md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))) FROM \"{table}\" t"
            )
            count, digest = cursor.fetchone()
            out[table] = f"{count}:{digest}"
    return out


def writes(tables: Iterable[str]) -> dict[str, int]:
    """Rows the current transaction inserted, updated or deleted so far, per table
    (PostgreSQL's pg_stat_xact_user_tables, refused writes rolled back to a savepoint
    included): a table whose count did not move needs no checksum, one whose count moved
    is checksummed to see whether its rows really changed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del"
            " FROM pg_stat_xact_user_tables"
            " WHERE schemaname = current_schema() AND relname = ANY(%s)",
            [sorted(set(tables))],
        )
        return dict(cursor.fetchall())


def with_query(path: str, params: dict) -> str:
    return f"{path}?{urlencode(params)}" if params else path
