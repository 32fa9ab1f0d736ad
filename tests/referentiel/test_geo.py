"""cpie_naturaliste.core.geo: the INPN 10 km grid, storage SRID and territory helpers."""

import pytest
from django.contrib.gis.geos import Point

from cpie_naturaliste.core.geo import (
    grid_10km_code,
    grid_10km_polygon,
    territory_polygon,
    to_storage_srid,
)
from tests.factories.referentiel import LOOS_X, LOOS_Y


@pytest.mark.parametrize(
    ("x", "y", "code"),
    [
        (LOOS_X, LOOS_Y, "10kmL93E068N704"),
        (680000.0, 7030000.0, "10kmL93E068N703"),  # the south-west corner is inside
        (679999.99, 7039999.99, "10kmL93E067N703"),
        (99999.0, 6100000.0, "10kmL93E009N610"),  # three digits, zero-padded
    ],
)
def test_grid_code_of_a_lambert93_point(x, y, code):
    assert grid_10km_code(Point(x, y, srid=2154)) == code


def test_grid_code_of_a_wgs84_point_or_one_without_srid():
    # Loos-en-Gohelle town hall.
    assert grid_10km_code(Point(2.7785, 50.4577, srid=4326)) == "10kmL93E068N704"
    assert grid_10km_code(Point(2.7785, 50.4577)) == "10kmL93E068N704"


def test_grid_polygon_is_the_cell_of_its_code():
    cell = grid_10km_polygon("10kmL93E068N704")

    assert cell.srid == 2154
    assert cell.extent == (680000.0, 7040000.0, 690000.0, 7050000.0)
    assert cell.area == 1e8
    assert cell.contains(Point(LOOS_X, LOOS_Y, srid=2154))
    assert grid_10km_code(cell.centroid) == "10kmL93E068N704"


@pytest.mark.parametrize("code", ["E068N703", "10kmL93E68N703", "10kmL93E068N703 ", ""])
def test_grid_polygon_rejects_a_bad_code(code):
    with pytest.raises(ValueError, match="Code de maille 10 km invalide"):
        grid_10km_polygon(code)


def test_to_storage_srid():
    wgs84 = Point(2.7785, 50.4577)

    stored = to_storage_srid(wgs84)

    assert stored.srid == 2154
    assert (stored.x, stored.y) == pytest.approx((684247.6, 7040049.5), abs=1)
    assert wgs84.srid is None  # the argument is left alone
    lambert = Point(LOOS_X, LOOS_Y, srid=2154)
    assert to_storage_srid(lambert) is lambert


def test_territory_holds_the_region_and_not_elsewhere():
    territory = territory_polygon()

    assert territory.srid == 2154
    assert territory.contains(Point(LOOS_X, LOOS_Y, srid=2154))
    assert territory.contains(to_storage_srid(Point(2.2957, 49.8941)))  # Amiens
    assert not territory.contains(to_storage_srid(Point(5.3698, 43.2965)))  # Marseille
    assert territory_polygon(with_srid=False).srid is None
