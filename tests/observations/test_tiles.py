"""Vector tiles of occurrences (``/api/v1/occurrences/tiles/<z>/<x>/<y>.mvt``, issue 21):
decoded here (``tests/mvt.py``) and compared, reader by reader, with what the API shows.

The world of ``test_blurring``: one record per sensitivity level (0–4) at the same place in
Loos-en-Gohelle. A reader who may place a record finds its point in the tile of its place;
another finds it only at the point on surface of its blurred area (commune, 10 km cell,
département), in the tile holding that point, never a vertex at the place; a record the reader may not see is not in the tile, nor counted in its cells."""

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point, Polygon

from observations import selectors
from observations.models import Occurrence
from observations.selectors import TILE_EXTENT, tile_cell_size
from tests.factories.observations import OccurrenceFactory
from tests.mvt import decode, lonlat_of_tile, to_lonlat
from tests.observations import test_blurring
from tests.observations.test_blurring import POINT, READERS, _api, _area

pytestmark = pytest.mark.django_db

MVT = "application/vnd.mapbox-vector-tile"
# The world and readers of the blurring tests.
world = test_blurring.world
readers = test_blurring.readers


def _tile_of(x_l93: float, y_l93: float, z: int) -> tuple[int, int]:
    point = Point(x_l93, y_l93, srid=settings.SRID).transform(4326, clone=True)
    return lonlat_of_tile(point.x, point.y, z)


def _url(z, x, y, query=""):
    return f"/api/v1/occurrences/tiles/{z}/{x}/{y}.mvt{query}"


def _get_layers(client, z, x, y, query=""):
    response = client.get(_url(z, x, y, query))
    if response.status_code == 204:
        return {}
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == MVT
    return {layer.name: layer for layer in decode(response.content)}


def _l93(vertex, z, x, y) -> Point:
    lon, lat = to_lonlat(vertex, z, x, y)
    return Point(lon, lat, srid=4326).transform(settings.SRID, clone=True)


def _features(client, z, x, y) -> dict:
    layer = _get_layers(client, z, x, y).get("occurrences")
    return {f.properties["uuid"]: f for f in (layer.features if layer else [])}


@pytest.mark.parametrize("name", READERS[1:])
def test_a_tile_shows_each_record_as_its_reader_sees_it(world, readers, name):
    user, precise, seen = readers[name]
    client = _api(user)
    z = 14
    home = _tile_of(*POINT, z)
    at_home = _features(client, z, *home)
    place = Point(*POINT, srid=settings.SRID)
    for level, record in world["records"].items():
        # Where the map draws it for a reader who may not place it: a point of its
        # blurred area alone (Loos' is 141 m from the place, the others kilometres).
        spot = _area(world, level).point_on_surface
        there = _tile_of(spot.x, spot.y, z)
        at_spot = at_home if there == home else _features(client, z, *there)
        uuid = str(record.uuid)
        if level not in seen:
            assert uuid not in at_home and uuid not in at_spot, level
            continue
        if level in precise:
            feature = at_home[uuid]
            assert feature.properties["blurred"] is False
            assert feature.type == "Point"
            # One tile unit at zoom 14 is under 2.5 m.
            assert _l93(feature.vertices[0], z, *home).distance(place) < 2.5
            continue
        # Only in the tile of that point: a tile, however small, places it no better
        # than its blurred area.
        if there != home:
            assert uuid not in at_home, level
        feature = at_spot[uuid]
        assert feature.properties["blurred"] is True
        assert feature.properties["sensitivity_level"] == level
        assert feature.type == "Point"
        assert _l93(feature.vertices[0], z, *there).distance(spot) < 2.5
    private = world["private"]
    readable = Occurrence.objects.visible_to(user).filter(pk=private.pk).exists()
    assert (str(private.uuid) in at_home) is readable


@pytest.mark.parametrize("name", ["partenaire B", "coordinateur régional"])
@pytest.mark.parametrize("z", [9, 11])
def test_low_zoom_tiles_count_blurred_records_in_their_areas_cell(
    world, readers, name, z
):
    """Below zoom 12, counts per Lambert-93 cell: a blurred record in the cell of its
    blurred area's point on surface, as the GeoJSON layer's cells (10 km cells from the
    stored grid codes at zoom 9, from the geometry at zoom 11)."""
    user, precise, seen = readers[name]
    cell_m = tile_cell_size(z)
    assert cell_m == {9: 10000, 11: 2000}[z]
    x, y = _tile_of(*POINT, z)
    layers = _get_layers(_api(user), z, x, y)
    assert set(layers) == {"cells"}
    counts = {}
    for feature in layers["cells"].features:
        assert feature.properties["cell_size_m"] == cell_m
        corners = [_l93(v, z, x, y) for v in feature.vertices]
        # A cell is a square of the Lambert-93 grid (convex, also once clipped to the
        # tile): the middle of its box names it.
        cx = (min(p.x for p in corners) + max(p.x for p in corners)) / 2
        cy = (min(p.y for p in corners) + max(p.y for p in corners)) / 2
        key = (int(cx // cell_m), int(cy // cell_m))
        counts[key] = feature.properties["count"]
        # Its centre, for the map's label and table: the same cell, whichever tile.
        centre = Point(
            feature.properties["lon"], feature.properties["lat"], srid=4326
        ).transform(settings.SRID, clone=True)
        assert abs(centre.x - (key[0] + 0.5) * cell_m) < 1
        assert abs(centre.y - (key[1] + 0.5) * cell_m) < 1
    expected = {}
    for occurrence in Occurrence.objects.visible_to(user):
        if occurrence.is_precise:
            spot = occurrence.geom.point_on_surface
        else:
            spot = occurrence.blurred_geom.point_on_surface
            if cell_m >= 10000 and occurrence.sensitivity_level == 2:
                spot = occurrence.geom  # the stored code of its own (blurred) cell
        key = (int(spot.x // cell_m), int(spot.y // cell_m))
        expected[key] = expected.get(key, 0) + 1
    home = (int(POINT[0] // cell_m), int(POINT[1] // cell_m))
    assert counts[home] == expected[home]
    for key, n in counts.items():
        assert expected.get(key) == n, key


@pytest.mark.parametrize("name", ["partenaire B", "coordinateur régional"])
def test_a_points_tile_over_the_point_limit_is_counted_in_cells(
    world, readers, name, monkeypatch
):
    """A zoom ≥ 12 tile shows its records as points up to ``MAP_POINT_LIMIT``, as cells
    beyond it."""
    user, _precise, _seen = readers[name]
    client = _api(user)
    # A second record next to the first (the blurred ones are drawn elsewhere).
    OccurrenceFactory(
        dataset=world["records"][0].dataset,
        geom=Point(POINT[0] + 50, POINT[1] + 50, srid=settings.SRID),
        validation_status=1,
    )
    z = 14
    x, y = _tile_of(*POINT, z)
    points = _get_layers(client, z, x, y)["occurrences"].features
    assert len(points) >= 2
    # The partner's tile holds a blurred record too (Loos' point on surface is in it):
    # the limit counts the records of both reads, at their point and blurred.
    assert any(f.properties["blurred"] for f in points) is (name == "partenaire B")
    monkeypatch.setattr(selectors, "MAP_POINT_LIMIT", len(points))
    assert len(_get_layers(client, z, x, y)["occurrences"].features) == len(points)
    monkeypatch.setattr(selectors, "MAP_POINT_LIMIT", len(points) - 1)
    layers = _get_layers(client, z, x, y)
    assert set(layers) == {"cells"}
    # Each record in the cell of its map point: the tile's points, all in its cells.
    counted = sum(f.properties["count"] for f in layers["cells"].features)
    assert counted == len(points)


def test_filters_unknown_parameters_and_errors(world, readers):
    user, _precise, _seen = readers["coordinateur régional"]
    client = _api(user)
    z = 14
    x, y = _tile_of(*POINT, z)
    record = world["records"][0]
    layer = _get_layers(client, z, x, y, f"?taxon={record.taxon_id}")["occurrences"]
    assert {f.properties["uuid"] for f in layer.features} == {str(record.uuid)}
    unknown = client.get(_url(z, x, y, "?taxon_id=1"))
    assert unknown.status_code == 400
    assert "Paramètre(s) inconnu(s) : taxon_id" in unknown.json()["detail"]
    for bad in ("23/0/0", "3/8/0", "3/0/8", "0/1/0"):
        response = client.get(f"/api/v1/occurrences/tiles/{bad}.mvt")
        assert response.status_code == 400, bad
        assert "invalide" in response.json()["detail"]
    assert client.get(_url(z, x, y, "?date_min=hier")).status_code == 400


def test_headers_etag_and_empty_tiles(world, readers):
    user, _precise, _seen = readers["partenaire B"]
    client = _api(user)
    z = 14
    x, y = _tile_of(*POINT, z)
    response = client.get(_url(z, x, y))
    assert response.status_code == 200
    assert response["Content-Type"] == MVT
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert "Cookie" in response["Vary"] and "Authorization" in response["Vary"]
    etag = response["ETag"]
    again = client.get(_url(z, x, y), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    # Another reader's tile differs (the blurred records), so does its ETag.
    other, _p, _s = readers["coordinateur régional"]
    assert _api(other).get(_url(z, x, y))["ETag"] != etag
    # The open sea off the coast, and the other side of the world: empty tiles.
    for z_, x_, y_ in ((14, 8000, 5400), (5, 0, 0)):
        empty = client.get(_url(z_, x_, y_))
        assert empty.status_code == 204
        assert empty.content == b""
    assert _api(None).get(_url(z, x, y)).status_code in (401, 403)


def test_the_tests_decoder_reads_what_gdal_reads(world, readers, tmp_path):
    """``tests/mvt.py`` (used here and by the security crawler) against GDAL's MVT driver:
    same features, same properties, same tile-local vertices (GDAL's y points up)."""
    from django.contrib.gis.gdal import DataSource

    user, _precise, _seen = readers["partenaire B"]
    kinds = set()
    # A points tile, and a tile of cells (polygons).
    for z in (14, 11):
        x, y = _tile_of(*POINT, z)
        response = _api(user).get(_url(z, x, y))
        assert response.status_code == 200
        path = tmp_path / f"tile-{z}.mvt"
        path.write_bytes(response.content)
        kinds |= _compare_with_gdal(decode(response.content), DataSource(str(path)))
    assert kinds == {"Point", "Polygon"}


def _key(properties):
    return properties.get("uuid") or (properties["lon"], properties["lat"])


def _compare_with_gdal(layers, gdal) -> set:
    ours = {layer.name: layer for layer in layers}
    assert {layer.name for layer in gdal} == set(ours)
    kinds = set()
    for layer in gdal:
        mine = {_key(f.properties): f for f in ours[layer.name].features}
        assert len(layer) == len(mine)
        for feature in layer:
            names = {"uuid"} if layer.name == "occurrences" else {"lon", "lat"}
            decoded = mine[_key({n: feature.get(n) for n in names})]
            if decoded.id is not None:
                assert feature.get("mvt_id") == decoded.id
            for name, value in decoded.properties.items():
                assert feature.get(name) == value, name
            flipped = [(px, TILE_EXTENT - py) for px, py in decoded.vertices]
            if decoded.type == "Point":
                assert feature.geom.coords == flipped[0]
            else:
                # GDAL clips polygons to the tile (its CLIP option): compare areas.
                ours_clipped = Polygon([*flipped, flipped[0]]).intersection(
                    Polygon.from_bbox((0, 0, TILE_EXTENT, TILE_EXTENT))
                )
                theirs = feature.geom.geos
                theirs.srid = None
                assert ours_clipped.sym_difference(theirs).area < 1
                assert ours_clipped.area > 0
            kinds.add(decoded.type)
    return kinds
