"""import_communes: GeoJSON in WGS84 → Lambert-93 MultiPolygons, all or nothing."""

import json
from pathlib import Path

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.core.management.base import CommandError

from referentiel.models import Commune, Departement
from referentiel.services.imports import ImportFileError, communes_import
from referentiel.services.imports.communes import departement_code_of
from tests.factories.referentiel import LOOS_X, LOOS_Y, SiteFactory
from tests.referentiel.conftest import COMMUNES_62, DEPARTEMENT_62, run

pytestmark = pytest.mark.django_db
SHIPPED = Path(__file__).resolve().parents[2] / "referentiel" / "data" / "communes"


def square(x0, y0, x1, y1) -> dict:
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(code, nom, geometry) -> dict:
    return {
        "type": "Feature",
        "properties": {"code": code, "nom": nom},
        "geometry": geometry,
    }


def geojson_write(path: Path, *features, **extra) -> Path:
    data = {"type": "FeatureCollection", "features": list(features), **extra}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def territories() -> list[tuple]:
    return list(Departement.objects.values_list("code", "name", "geom")) + list(
        Commune.objects.values_list("insee", "name", "geom")
    )


def test_imports_departement_and_communes_in_lambert93():
    output = run("import_communes", COMMUNES_62, DEPARTEMENT_62)  # order is free

    assert "départements 1 créés, 0 mis à jour ; communes 2 créées" in output
    loos = Commune.objects.get(insee="62528")
    assert (loos.name, loos.departement_id) == ("Loos-en-Gohelle", "62")
    assert loos.geom.srid == 2154 and loos.geom.geom_type == "MultiPolygon"
    # The WGS84 square around the town holds its Lambert-93 centre.
    assert loos.geom.contains(GEOSGeometry(f"SRID=2154;POINT({LOOS_X} {LOOS_Y})"))
    assert 5.0e6 < loos.geom.area < 6.5e7  # square metres, not degrees
    assert Departement.objects.get(code="62").geom.geom_type == "MultiPolygon"


def test_reimport_updates_by_code_and_links_sites():
    site = SiteFactory()  # a point in Loos-en-Gohelle, created before the communes
    run("import_communes", DEPARTEMENT_62, COMMUNES_62)
    assert list(site.communes.values_list("insee", flat=True)) == ["62528"]

    output = run("import_communes", DEPARTEMENT_62, COMMUNES_62)

    assert "départements 0 créés, 1 mis à jour ; communes 0 créées, 2 mises à jour" in (
        output
    )
    assert Commune.objects.count() == 2
    assert list(site.communes.values_list("insee", flat=True)) == ["62528"]


def test_shipped_files_import():
    result = communes_import(
        paths=[
            SHIPPED / "departement-62-pas-de-calais.geojson",
            SHIPPED / "communes-62-pas-de-calais.geojson",
        ]
    )

    assert (result.departements_created, result.communes_created) == (1, 891)
    loos = Commune.objects.get(insee="62528")
    assert loos.name == "Loos-en-Gohelle"
    # The town hall, 50.4577 N 2.7785 E, in Lambert-93.
    assert loos.geom.contains(GEOSGeometry("SRID=2154;POINT(684247 7040049)"))
    assert not Commune.objects.filter(geom__isvalid=False).exists()


def test_invalid_geometry_is_repaired(tmp_path):
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[2.7, 50.4], [2.8, 50.5], [2.8, 50.4], [2.7, 50.5], [2.7, 50.4]]
        ],
    }
    path = geojson_write(tmp_path / "c.geojson", feature("62528", "Loos", bowtie))

    communes_import(paths=[DEPARTEMENT_62, path])

    geom = Commune.objects.get(insee="62528").geom
    assert geom.valid and geom.geom_type == "MultiPolygon" and len(geom) == 2


def test_lambert93_file_with_a_crs_member(tmp_path):
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}
    path = geojson_write(
        tmp_path / "c.geojson",
        feature(
            "62528",
            "Loos",
            square(LOOS_X - 500, LOOS_Y - 500, LOOS_X + 500, LOOS_Y + 500),
        ),
        crs=crs,
    )

    communes_import(paths=[DEPARTEMENT_62, path])

    assert Commune.objects.get(insee="62528").geom.area == pytest.approx(1e6)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "code;nom\n62528;Loos\n",
            "« bad.geojson » n'est pas un fichier GeoJSON : JSON",
        ),
        (
            '{"type": "Topology"}',
            "« bad.geojson » n'est pas un fichier GeoJSON : un objet",
        ),
        (
            json.dumps(
                {"type": "FeatureCollection", "features": [{"type": "Feature"}]}
            ),
            "« bad.geojson », entité n° 1 : les propriétés « code » et « nom » sont",
        ),
        (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        feature("62528", "Loos", square(2.74, 50.43, 2.82, 50.48)),
                        feature(
                            "62498",
                            "Lens",
                            {"type": "Point", "coordinates": [2.8, 50.4]},
                        ),
                    ],
                }
            ),
            "« bad.geojson », entité n° 2 (62498) : géométrie de type « Point »",
        ),
        (
            json.dumps({"type": "FeatureCollection", "features": []}),
            "« bad.geojson » ne contient aucune entité.",
        ),
        (
            json.dumps(
                {
                    "type": "Feature",
                    "crs": {"type": "name", "properties": {"name": "EPSG:99999"}},
                    **feature("62", "Pas-de-Calais", square(2, 50, 3, 51)),
                }
            ),
            "« bad.geojson » : système de coordonnées (crs) non reconnu",
        ),
        (
            json.dumps(feature("6252", "Loos", square(2.74, 50.43, 2.82, 50.48))),
            "code « 6252 » : 2 ou 3 caractères pour un département, 5",
        ),
        (
            json.dumps(
                feature("62528", "Loos", square(684000, 7035000, 685000, 7036000))
            ),
            "coordonnées hors des bornes WGS84",
        ),
    ],
)
def test_bad_files_are_named_and_nothing_is_imported(tmp_path, content, expected):
    run("import_communes", DEPARTEMENT_62)
    before = territories()
    bad = tmp_path / "bad.geojson"
    bad.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError) as error:
        # A good file in the same command is not imported either.
        run("import_communes", COMMUNES_62, bad)

    assert expected in str(error.value)
    assert territories() == before


def test_commune_without_its_departement(tmp_path):
    path = geojson_write(
        tmp_path / "c.geojson", feature("59350", "Lille", square(3.0, 50.6, 3.1, 50.7))
    )

    with pytest.raises(ImportFileError) as error:
        communes_import(paths=[DEPARTEMENT_62, path])

    assert error.value.errors == [
        "« c.geojson », entité n° 1 (59350) : la commune 59350 (Lille) appartient au "
        "département 59, absent des fichiers importés et de la base ; importez aussi son "
        "contour (departement-59-….geojson)."
    ]
    assert not Departement.objects.exists()


def test_departement_already_in_the_database_is_enough():
    run("import_communes", DEPARTEMENT_62)

    assert "communes 2 créées" in run("import_communes", COMMUNES_62)


def test_duplicate_code(tmp_path):
    path = geojson_write(
        tmp_path / "c.geojson",
        feature("62528", "Loos", square(2.74, 50.43, 2.82, 50.48)),
        feature("62528", "Loos bis", square(2.74, 50.43, 2.82, 50.48)),
    )

    with pytest.raises(ImportFileError) as error:
        communes_import(paths=[DEPARTEMENT_62, path])

    assert "entité n° 2 (62528) : code 62528 déjà lu (« c.geojson », entité n° 1" in (
        error.value.message
    )


@pytest.mark.parametrize(
    ("insee", "departement"), [("62528", "62"), ("2A004", "2A"), ("97411", "974")]
)
def test_departement_of_a_commune(insee, departement):
    assert departement_code_of(insee) == departement
