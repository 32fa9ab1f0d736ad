"""GDAL's OGC API – Features driver (``OAPIF``, GDAL ≥ 3.1) reads /ogc/ from a live server:
``ogrinfo`` lists the layers each reader may read with their feature counts, and
``ogr2ogr`` copying the occurrences as a reader who sees a sensitive record blurred gets
its commune, never its point — signed in with the API token (``GDAL_HTTP_HEADERS``) or
HTTP Basic (``GDAL_HTTP_USERPWD``), as QGIS users and scripts sign in."""

import json
import re
import subprocess

import pytest
from django.contrib.gis.geos import GEOSGeometry
from rest_framework.authtoken.models import Token

from observations.models import Occurrence
from tests.no_leak import point_texts
from tests.ogc.conftest import SECRET_COMMENT, SECRET_PLACE, SECRET_POINT

# gdal-bin is installed by the Makefile and the Dockerfile.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "motdepasse-de-test"  # tests.factories.referentiel.UserFactory's


def gdal(*args: str) -> str:
    done = subprocess.run(
        args, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "ERROR" not in done.stderr, done.stderr
    return done.stdout


def layer_counts(summary: str) -> dict[str, int]:
    """``{layer name: feature count}`` from ``ogrinfo -so -al``."""
    names = re.findall(r"^Layer name: (\S+)$", summary, re.M)
    counts = [int(n) for n in re.findall(r"^Feature Count: (\d+)$", summary, re.M)]
    return dict(zip(names, counts, strict=True))


def test_ogrinfo_lists_each_readers_layers_and_counts(
    world, live_server, saisie_user, partenaire_user
):
    root = f"OAPIF:{live_server.url}/ogc/"
    anonymous = layer_counts(gdal("ogrinfo", "-ro", "-so", "-al", root))
    assert anonymous == {"sites": 2}  # the public site and the public wetland

    token = Token.objects.create(user=saisie_user)
    summary = gdal(
        "ogrinfo",
        "-ro",
        "-so",
        "-al",
        "--config",
        "GDAL_HTTP_HEADERS",
        f"Authorization: Token {token.key}",
        root,
    )
    assert layer_counts(summary) == {
        "sites": 3,  # and its organisation's protected site
        "occurrences": 4,  # its organisation's records, the private dataset's too
        "occurrences-points": 4,  # all placed
        "occurrences-zones": 0,
        "terrils": 1,
        "pop-aires": 1,
        # The wetland, and the two sites of a wetland kind (marais).
        "zones-humides": 3,
    }
    assert "Geometry: Multi Polygon" in summary  # terrils, aires

    partner = layer_counts(
        gdal(
            "ogrinfo",
            "-ro",
            "-so",
            "-al",
            "--config",
            "GDAL_HTTP_USERPWD",
            f"{partenaire_user.username}:{PASSWORD}",
            root,
        )
    )
    assert partner["occurrences"] == 3 and partner["sites"] == 2
    assert partner["occurrences-points"] == 2 and partner["occurrences-zones"] == 1


def test_ogr2ogr_gets_the_blurred_geometry_never_the_point(
    world, live_server, partenaire_user, saisie_user, tmp_path
):
    sensitive = world["sensitive"]
    secrets = [SECRET_PLACE, SECRET_COMMENT, *point_texts(*SECRET_POINT)[:6]]
    token = Token.objects.create(user=partenaire_user)
    for auth in (
        ("GDAL_HTTP_HEADERS", f"Authorization: Token {token.key}"),
        ("GDAL_HTTP_USERPWD", f"{partenaire_user.username}:{PASSWORD}"),
    ):
        out = tmp_path / f"{auth[0]}.geojson"
        gdal(
            "ogr2ogr",
            "-f",
            "GeoJSON",
            "--config",
            *auth,
            # Two features a page: the copy follows the next links.
            "-oo",
            "PAGE_SIZE=2",
            str(out),
            f"OAPIF:{live_server.url}/ogc/",
            "occurrences",
        )
        text = out.read_text()
        assert json.loads(text)["features"], auth
        for secret in secrets:
            assert secret not in text
        copied = {f["properties"]["uuid"]: f for f in json.loads(text)["features"]}
        assert len(copied) == 3
        blurred = copied[str(sensitive.uuid)]
        assert blurred["properties"]["blurred"] is True
        geometry = GEOSGeometry(json.dumps(blurred["geometry"]))
        commune = world["loos"].geom.transform(4326, clone=True)
        assert geometry.geom_type == "MultiPolygon"
        assert geometry.equals_exact(commune, 1e-5)

    # Its producer's staff copy the point.
    own = tmp_path / "own.geojson"
    gdal(
        "ogr2ogr",
        "-f",
        "GeoJSON",
        "--config",
        "GDAL_HTTP_USERPWD",
        f"{saisie_user.username}:{PASSWORD}",
        str(own),
        f"OAPIF:{live_server.url}/ogc/",
        "occurrences",
    )
    rows = {f["properties"]["uuid"]: f for f in json.loads(own.read_text())["features"]}
    assert len(rows) == Occurrence.objects.count() == 4
    point = GEOSGeometry(json.dumps(rows[str(sensitive.uuid)]["geometry"]), srid=4326)
    point.transform(2154)
    assert (
        point.distance(
            GEOSGeometry(f"POINT({SECRET_POINT[0]} {SECRET_POINT[1]})", srid=2154)
        )
        < 0.5
    )


def test_a_bbox_and_a_where_through_gdal(world, live_server, partenaire_user):
    """``-spat`` becomes the ``bbox`` parameter: a box in the commune away from the
    precise point still returns the blurred record (through its commune), as the API."""
    out = gdal(
        "ogrinfo",
        "-ro",
        "-al",
        "-q",
        "-geom=NO",
        "--config",
        "GDAL_HTTP_USERPWD",
        f"{partenaire_user.username}:{PASSWORD}",
        "-spat",
        "2.737",
        "50.431",
        "2.745",
        "50.435",
        f"OAPIF:{live_server.url}/ogc/",
        "occurrences",
    )
    assert str(world["sensitive"].uuid) in out
    assert str(world["plain"].uuid) not in out
