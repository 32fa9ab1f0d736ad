"""The import computes derived fields in its INSERT: they must equal what the service
``occurrences_refresh_derived`` computes (communes, département, grid, atlas group,
sensitivity), whatever the geometry."""

import pytest
from django.contrib.gis.geos import Point, Polygon

from observations.models import Occurrence
from observations.services import occurrences_refresh_derived
from referentiel.models import AtlasGroup
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    TaxonFactory,
    TaxonStatusFactory,
    square,
)
from tests.observations.imports_support import run_import, write_csv

pytestmark = pytest.mark.django_db
DERIVED = [
    "communes",
    "commune_id",
    "departement_id",
    "grid_10km",
    "atlas_group_id",
    "sensitivity_level",
    "diffusion_level",
]


def ewkt(geom) -> str:
    """Lambert-93 EWKT: exact coordinates, so a point on a boundary stays on it."""
    return f"SRID=2154;{geom.wkt}"


@pytest.mark.parametrize("chunk", [5000, 2], ids=["one-chunk", "chunks-of-2"])
def test_imported_derived_fields_equal_the_service(
    tmp_path, coordinateur_user, monkeypatch, chunk
):
    """With chunks of 2 rows, the places of each chunk are computed by the server while
    the next one is read (observations.imports.process._Absorb)."""
    monkeypatch.setattr("observations.imports.process.CHUNK_ROWS", chunk)
    west = CommuneFactory()  # Loos-en-Gohelle: LOOS ± 3 km
    east = CommuneFactory(
        insee="62498", name="Lens", geom=square(LOOS_X + 3000, LOOS_Y - 3000, 6000)
    )
    TaxonStatusFactory(
        taxon=TaxonFactory(cd_nom=2, scientific_name="Sensible"), sensitivity_level=2
    )
    TaxonFactory(
        cd_nom=3676,
        scientific_name="Alauda arvensis",
        atlas_group=AtlasGroup.objects.get(code="oiseaux"),
    )
    synonym = TaxonFactory(cd_nom=3, cd_ref=2, scientific_name="Synonyme sensible")
    dataset = DatasetFactory(producer=coordinateur_user.organisation)
    geometries = [
        Point(LOOS_X + 100, LOOS_Y + 100),  # inside one commune
        Point(LOOS_X + 3000, LOOS_Y),  # on the boundary of two communes
        Point(LOOS_X - 6000, LOOS_Y),  # inside the territory, in no commune
        Polygon.from_bbox((LOOS_X + 2500, LOOS_Y, LOOS_X + 3500, LOOS_Y + 400)),
        Point(LOOS_X + 4000, LOOS_Y + 10),
    ]
    taxa = [3676, 3676, 2, synonym.cd_nom, 2]
    rows = [
        [cd_nom, "2020-05-12", f"Obs {i}", ewkt(geom)]
        for i, (cd_nom, geom) in enumerate(zip(taxa, geometries, strict=True))
    ]
    header = ["cdNom", "dateDebut", "observateur", "geometrie"]
    batch = run_import(
        write_csv(tmp_path / "a.csv", header, rows),
        user=coordinateur_user,
        dataset=dataset,
    )
    assert batch.created_count == 5, batch.errors
    imported = list(Occurrence.objects.order_by("observers_label").values(*DERIVED))
    assert imported[1]["communes"] in (["62528", "62498"], ["62498", "62528"])
    assert imported[3]["commune_id"] in ("62528", "62498")
    assert imported[2]["communes"] == [] and imported[2]["commune_id"] is None
    assert imported[4]["commune_id"] == east.insee
    assert imported[0]["atlas_group_id"] is not None
    assert imported[2]["sensitivity_level"] == 2 and imported[2]["diffusion_level"] == 2
    assert imported[3]["sensitivity_level"] == 2  # through the synonym's cd_ref
    assert imported[0]["diffusion_level"] == 5
    assert west.insee in imported[0]["communes"]
    occurrences_refresh_derived(batch_id=batch.pk)
    refreshed = list(Occurrence.objects.order_by("observers_label").values(*DERIVED))
    assert refreshed == imported
