"""Extracts partners can drive (issue 20, part 4): several formats in one request (one ZIP),
a GeoPackage with one layer per geometry type and the CSV's columns, blurred rows written
as their cell (code, name, and its outline in the spatial formats only), the count of rows
and of blurred rows before launching, communes and taxa by name, areas in ha or km²."""

import csv
import io
import json
import shutil
import sqlite3
import subprocess
import zipfile

import pytest
from django.contrib.gis.geos import (
    GEOSGeometry,
    LineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
)
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from observations.display import area_label
from observations.exports.columns import EXTRACT_COLUMNS
from observations.exports.extracts import extract_create, extract_path, extract_run
from observations.models import Extract
from observations.services import occurrences_refresh_sensitivity
from referentiel.models import Role, SensitivityRule
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    OrganisationFactory,
    TaxonFactory,
    UserFactory,
)

PLACE = "Mare secrète du terril"


@pytest.fixture
def records(organisation):
    """In the producer's public dataset: a point, a line, a polygon, a record made of two
    points, and two sensitive points (level 1: the commune; level 2: the 10 km cell)."""
    CommuneFactory()
    public = DatasetFactory(producer=organisation, is_public=True)
    common = TaxonFactory(scientific_name="Alauda arvensis", vernacular_name="Alouette")
    commune_level = TaxonFactory(scientific_name="Bufo calamita")
    grid_level = TaxonFactory(scientific_name="Bubo bubo")
    SensitivityRule.objects.create(taxon=commune_level, level=1)
    SensitivityRule.objects.create(taxon=grid_level, level=2)
    x, y = LOOS_X, LOOS_Y
    made = {
        "point": OccurrenceFactory(dataset=public, taxon=common),
        "line": OccurrenceFactory(
            dataset=public,
            taxon=common,
            geom=LineString((x, y), (x + 300, y + 200), srid=2154),
        ),
        "polygon": OccurrenceFactory(
            dataset=public,
            taxon=common,
            geom=Polygon(
                (
                    (x - 200, y - 200),
                    (x + 200, y - 200),
                    (x, y + 200),
                    (x - 200, y - 200),
                ),
                srid=2154,
            ),
        ),
        "multipoint": OccurrenceFactory(
            dataset=public,
            taxon=common,
            geom=MultiPoint(Point(x, y + 500), Point(x + 50, y + 550), srid=2154),
        ),
        "commune": OccurrenceFactory(
            dataset=public,
            taxon=commune_level,
            place_name=PLACE,
            geom=Point(x + 1234, y + 567, srid=2154),
        ),
        "grid": OccurrenceFactory(
            dataset=public,
            taxon=grid_level,
            place_name=PLACE,
            geom=Point(x - 777, y + 888, srid=2154),
        ),
    }
    occurrences_refresh_sensitivity()
    for record in made.values():
        record.refresh_from_db()
    return made


@pytest.fixture
def partner(other_organisation):
    return UserFactory(
        username="partenaire-x",
        organisation=other_organisation,
        roles=[Role.PARTENAIRE],
    )


def _run(user, recipient, formats, **filters) -> Extract:
    extract = extract_create(
        user=user, recipient=recipient, filters=filters, area=None, formats=formats
    )
    extract = extract_run(extract.pk)
    assert extract.status == Extract.Status.DONE, extract.error
    return extract


def _csv(content: bytes) -> tuple[list[str], dict[str, dict]]:
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
    rows = {row["idSINPOccTax"]: row for row in reader}
    return reader.fieldnames, rows


def _ogrinfo(path, *args) -> str:
    ogrinfo = shutil.which("ogrinfo")
    assert ogrinfo, "gdal-bin est installé par make system"
    return subprocess.run(
        [ogrinfo, "-ro", "-so", str(path), *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _gpkg_rows(path) -> dict[str, dict[str, dict]]:
    """{layer: {idSINPOccTax: row}} read with sqlite (rows as the file holds them)."""
    database = sqlite3.connect(path)
    database.row_factory = sqlite3.Row
    try:
        layers = [
            name
            for (name,) in database.execute(
                "SELECT table_name FROM gpkg_contents ORDER BY table_name"
            )
        ]
        return {
            layer: {
                row["idSINPOccTax"]: dict(row)
                for row in database.execute(f'SELECT * FROM "{layer}"')
            }
            for layer in layers
        }
    finally:
        database.close()


def _gpkg_geometry(blob: bytes) -> GEOSGeometry:
    flags = blob[3]
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(flags >> 1) & 0x07]
    return GEOSGeometry(memoryview(blob[8 + envelope :]), srid=4326)


@pytest.mark.django_db
def test_geopackage_has_one_layer_per_geometry_type_with_the_csv_columns(
    records, partner, other_organisation
):
    """Each layer declares one geometry type (never "Unknown (any)"), holds the rows of
    its family, and has the CSV's columns in the CSV's order; a blurred row is its cell,
    named and drawn, in the polygons' layer."""
    extract = _run(partner, other_organisation, ["csv", "gpkg"])
    with zipfile.ZipFile(extract_path(extract)) as archive:
        names = archive.namelist()
        header, csv_rows = _csv(archive.read(f"{extract.stem}.csv"))
        gpkg = extract_path(extract).with_name("lu.gpkg")
        gpkg.write_bytes(archive.read(f"{extract.stem}.gpkg"))
    assert names == ["LISEZMOI.txt", f"{extract.stem}.csv", f"{extract.stem}.gpkg"]
    assert header == EXTRACT_COLUMNS

    declared = {
        "observations_points": "Point",
        "observations_lignes": "Multi Line String",
        "observations_polygones": "Multi Polygon",
        "observations_multipoints": "Multi Point",
    }
    attributes = [name for name in header if name != "geometrie"]
    for layer, geometry_type in declared.items():
        info = _ogrinfo(gpkg, layer)
        assert f"Geometry: {geometry_type}\n" in info, info
        assert "Unknown (any)" not in info
        assert "Geometry Column = geometrie" in info
        fields = [
            line.split(":")[0]
            for line in info.split("Geometry Column = geometrie\n")[1].splitlines()
            if ":" in line
        ]
        assert fields == attributes, layer
    info = _ogrinfo(gpkg, "observations_points")
    assert "cdNom: Integer" in info and "denombrementMin: Integer" in info

    layers = _gpkg_rows(gpkg)
    uuid = {key: str(record.uuid) for key, record in records.items()}
    assert set(layers["observations_points"]) == {uuid["point"]}
    assert set(layers["observations_lignes"]) == {uuid["line"]}
    assert set(layers["observations_multipoints"]) == {uuid["multipoint"]}
    assert set(layers["observations_polygones"]) == {
        uuid["polygon"],
        uuid["commune"],
        uuid["grid"],
    }
    assert sum(len(rows) for rows in layers.values()) == extract.rows == 6

    polygons = layers["observations_polygones"]
    commune = polygons[uuid["commune"]]
    assert (
        commune["typeInfoGeo"],
        commune["typeZoneFloutage"],
        commune["codeZoneFloutage"],
        commune["nomZoneFloutage"],
        commune["nomLieu"],
    ) == ("2", "COM", "62528", "Loos-en-Gohelle", "")
    outline = _gpkg_geometry(commune["geometrie"]).transform(2154, clone=True)
    assert outline.geom_type == "MultiPolygon"
    assert abs(outline.area - 6000 * 6000) / outline.area < 0.01  # the commune's square
    grid = polygons[uuid["grid"]]
    assert (grid["typeZoneFloutage"], grid["codeZoneFloutage"]) == (
        "M10",
        records["grid"].grid_10km,
    )
    cell = _gpkg_geometry(grid["geometrie"]).transform(2154, clone=True)
    assert abs(cell.area - 1e8) < 1e4  # 10 km × 10 km
    # The drawn polygon, read precisely, promoted to a MultiPolygon; a line likewise.
    drawn = _gpkg_geometry(polygons[uuid["polygon"]]["geometrie"])
    assert drawn.geom_type == "MultiPolygon"
    assert polygons[uuid["polygon"]]["typeInfoGeo"] == "1"

    # The same rows in the CSV: blurred ones by their cell, no outline, no point.
    assert csv_rows[uuid["commune"]]["geometrie"] == ""
    assert csv_rows[uuid["commune"]]["codeZoneFloutage"] == "62528"
    assert csv_rows[uuid["commune"]]["nomZoneFloutage"] == "Loos-en-Gohelle"
    assert csv_rows[uuid["grid"]]["geometrie"] == ""
    assert csv_rows[uuid["point"]]["geometrie"].startswith("POINT(")
    assert csv_rows[uuid["line"]]["geometrie"].startswith("LINESTRING(")
    gpkg.unlink()


@pytest.mark.django_db
def test_blurred_rows_never_give_their_place_in_any_format(
    records, partner, other_organisation
):
    """The precise points of the sensitive records appear in no file, in neither system;
    their lines of text are short (no commune outline in the CSV or the workbook)."""
    extract = _run(partner, other_organisation, ["csv", "xlsx", "geojson", "gpkg"])
    with zipfile.ZipFile(extract_path(extract)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    stem = extract.stem
    assert set(members) == {
        "LISEZMOI.txt",
        *(f"{stem}.{fmt}" for fmt in ("csv", "xlsx", "geojson", "gpkg")),
    }
    secrets = []
    for key in ("commune", "grid"):
        point = records[key].geom
        wgs = point.transform(4326, clone=True)
        secrets += [f"{wgs.x:.4f}", f"{wgs.y:.4f}", f"{point.x:.0f}", f"{point.y:.0f}"]
    for name, content in members.items():
        if name.endswith(".gpkg"):
            path = extract_path(extract).with_name("lu.gpkg")
            path.write_bytes(content)
            for rows in _gpkg_rows(path).values():
                for row in rows.values():
                    blob = row.pop("geometrie")
                    if blob:
                        geometry = _gpkg_geometry(blob)
                        for key in ("commune", "grid"):
                            seen = records[key].geom.transform(4326, clone=True)
                            assert not geometry.equals_exact(seen, 1e-5), (name, key)
                    assert PLACE not in json.dumps(row, default=str)
            path.unlink()
            continue
        text = content.decode("utf-8", errors="replace")
        assert PLACE not in text, name
        for secret in secrets:
            assert secret not in text, (name, secret)
    header, rows = _csv(members[f"{stem}.csv"])
    for key in ("commune", "grid"):
        line = ";".join(rows[str(records[key].uuid)].values())
        assert len(line) < 700, line  # was ~2 kB with a commune outline
    sheet = load_workbook(io.BytesIO(members[f"{stem}.xlsx"]), read_only=True)
    table = list(sheet["observations"].iter_rows(values_only=True))
    assert list(table[0]) == header
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in table[1:]}
    blurred = by_id[str(records["grid"].uuid)]
    assert blurred["geometrie"] in (None, "")
    assert blurred["typeZoneFloutage"] == "M10"
    features = json.loads(members[f"{stem}.geojson"])["features"]
    assert list(features[0]["properties"]) == [n for n in header if n != "geometrie"]
    shapes = {f["properties"]["idSINPOccTax"]: f["geometry"] for f in features}
    assert shapes[str(records["commune"].uuid)]["type"] == "MultiPolygon"
    assert shapes[str(records["grid"].uuid)]["type"] == "Polygon"
    readme = members["LISEZMOI.txt"].decode("utf-8")
    assert "typeZoneFloutage" in readme and "observations_polygones" in readme
    assert "6 ; à la demande, 2 devaient être floutées" in readme


@pytest.mark.django_db
def test_the_coordinator_reads_the_same_records_precisely(
    records, coordinateur_user, organisation
):
    extract = _run(coordinateur_user, organisation, ["gpkg"])
    assert extract.filename.endswith(".gpkg") and extract.blurred_expected == 0
    layers = _gpkg_rows(extract_path(extract))
    point = layers["observations_points"]
    assert {str(records[k].uuid) for k in ("point", "commune", "grid")} == set(point)
    row = point[str(records["commune"].uuid)]
    assert (row["typeInfoGeo"], row["typeZoneFloutage"], row["nomLieu"]) == (
        "1",
        "",
        PLACE,
    )
    info = _ogrinfo(extract_path(extract))
    assert "observations_multipoints (Multi Point)" in info
    assert "observations_points (Point)" in info


@pytest.mark.django_db
def test_empty_extract_still_has_its_three_layers(coordinateur_user, organisation):
    extract = _run(coordinateur_user, organisation, ["gpkg"])
    assert extract.rows == 0
    info = _ogrinfo(extract_path(extract))
    for layer in ("points (Point)", "lignes (Multi Line", "polygones (Multi Polygon)"):
        assert f"observations_{layer}" in info
    assert "multipoints" not in info


@pytest.mark.django_db
def test_estimate_counts_rows_and_blurred_rows_for_the_recipient(
    client, records, partner, other_organisation, coordinateur_user, organisation
):
    url = reverse("observations:extract_estimate")
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(UserFactory(username="s", organisation=organisation))
    assert client.get(url).status_code == 403
    client.force_login(partner)
    answer = client.get(url, {"recipient": other_organisation.pk, "formats": "csv"})
    assert answer.status_code == 200
    data = answer.json()
    assert (data["rows"], data["blurred"]) == (6, 2)
    assert (
        "6 observation(s) correspondent à ces filtres, dont 2 floutée(s)"
        in (data["text"])
    )
    # The filters of the form, as the page sends them: a taxon keeps one blurred row.
    bubo = records["grid"].taxon_id
    data = client.get(
        url,
        {"recipient": other_organisation.pk, "formats": "csv", "taxa": str(bubo)},
    ).json()
    assert (data["rows"], data["blurred"]) == (1, 1)
    # A drawn square of 2 km: its area in hectares, the records within it.
    corners = [
        Point(LOOS_X + dx, LOOS_Y + dy, srid=2154).transform(4326, clone=True)
        for dx, dy in ((-1000, -1000), (1000, -1000), (1000, 1000), (-1000, 1000))
    ]
    ring = [[c.x, c.y] for c in corners] + [[corners[0].x, corners[0].y]]
    data = client.get(
        url,
        {
            "recipient": other_organisation.pk,
            "formats": "csv",
            "area": json.dumps({"type": "Polygon", "coordinates": [ring]}),
        },
    ).json()
    assert data["area"] in ("400,0 ha", "4,0 km² (400 ha)")
    assert "territoire dessiné : " in data["text"]
    # Refused filters: 400, each field's error, nothing counted.
    refused = client.get(
        url,
        {"recipient": other_organisation.pk, "formats": "csv", "communes": "99999"},
    )
    assert refused.status_code == 400
    assert "99999" in refused.json()["errors"]["communes"][0]
    assert "rows" not in refused.json()
    # A partner may not count for another organisation.
    foreign = client.get(url, {"recipient": organisation.pk, "formats": "csv"})
    assert foreign.status_code == 400 and "recipient" in foreign.json()["errors"]
    # The coordinator counting for its own organisation reads everything precisely.
    client.force_login(coordinateur_user)
    data = client.get(url, {"recipient": organisation.pk, "formats": "csv"}).json()
    assert (data["rows"], data["blurred"]) == (6, 0)


@pytest.mark.django_db
def test_estimate_is_one_query(
    client, records, partner, other_organisation, django_assert_max_num_queries
):
    client.force_login(partner)
    url = reverse("observations:extract_estimate")
    params = {"recipient": other_organisation.pk, "formats": "csv"}
    client.get(url, params)  # session, user, caches
    # Session, user and roles, the recipient and the reader's organisation and datasets,
    # then one COUNT … FILTER for both figures.
    with django_assert_max_num_queries(7) as captured:
        client.get(url, params)
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1 and "FILTER (WHERE" in counts[0]


@pytest.mark.django_db
def test_several_formats_from_the_form_and_the_page_says_so(
    client, records, partner, other_organisation
):
    client.force_login(partner)
    response = client.post(
        reverse("observations:extract_list"),
        {
            "recipient": other_organisation.pk,
            "formats": ["gpkg", "csv"],
            "communes": "62528",
            "taxa": "",
            "action": "launch",
        },
    )
    extract = Extract.objects.get()
    assert extract.formats == ["csv", "gpkg"]  # in the order of the list of formats
    assert extract.filename.endswith(".zip")
    assert (extract.rows_expected, extract.blurred_expected) == (6, 2)
    page = client.get(response.url).content.decode()
    assert "CSV (tableur, séparateur point-virgule), GeoPackage (QGIS)" in page
    assert "un fichier ZIP" in page and "6, dont 2 floutées pour Eden 62" in page
    extract_run(extract.pk)
    download = client.get(reverse("observations:extract_download", args=[extract.uuid]))
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].endswith(f'{extract.stem}.zip"')
    log = client.get(reverse("observations:extract_list")).content.decode()
    assert "CSV + GPKG" in log
    refused = client.post(
        reverse("observations:extract_list"),
        {"recipient": other_organisation.pk, "action": "launch"},
    )
    assert refused.status_code == 400
    assert "Choisissez au moins un format." in refused.content.decode()


@pytest.mark.django_db
def test_communes_and_taxa_are_shown_by_name(client, records, partner):
    """Codes typed or pasted come back as named chips; the search APIs the page uses
    answer a list of codes in one request."""
    client.force_login(partner)
    bufo = records["commune"].taxon
    response = client.post(
        reverse("observations:extract_list"),
        {
            "recipient": partner.organisation_id,
            "formats": ["csv"],
            "communes": "62528, 99999",
            "taxa": f"{bufo.cd_nom}",
            "action": "count",
        },
    )
    assert response.status_code == 400  # 99999 is no commune
    assert response.context["chosen_communes"] == [
        {"value": "62528", "label": "Loos-en-Gohelle (62528)"}
    ]
    assert response.context["chosen_taxa"] == [
        {"value": str(bufo.cd_nom), "label": "Bufo calamita"}
    ]
    page = response.content.decode()
    assert "data-autocomplete-multiple" in page and "Loos-en-Gohelle (62528)" in page
    assert 'role="combobox"' in page
    communes = client.get("/api/v1/communes/", {"insee": "62528,99999"}).json()
    assert [c["name"] for c in communes["results"]] == ["Loos-en-Gohelle"]
    other = TaxonFactory(scientific_name="Alytes obstetricans")
    taxa = client.get(
        "/api/v1/taxa/", {"cd_nom": f"{bufo.cd_nom},{other.cd_nom},1"}
    ).json()
    assert {t["scientific_name"] for t in taxa["results"]} == {
        "Bufo calamita",
        "Alytes obstetricans",
    }


def test_areas_read_in_hectares_or_square_kilometres():
    with translation.override("fr"):
        assert area_label(850) == "850 m²"
        assert area_label(273_000) == "27,3 ha"
        assert area_label(277_089_866) == "277,1 km² (27\xa0709 ha)"
        assert area_label(999_999) == "1,0 km² (100 ha)"


@pytest.mark.django_db
def test_the_extract_page_shows_the_drawn_area_in_km2(
    client, coordinateur_user, organisation
):
    CommuneFactory()
    square = Polygon.from_bbox((LOOS_X, LOOS_Y, LOOS_X + 16650, LOOS_Y + 16642))
    square.srid = 2154
    extract = extract_create(
        user=coordinateur_user,
        recipient=organisation,
        filters={},
        area=MultiPolygon(square, srid=2154),
        formats=["csv"],
    )
    client.force_login(coordinateur_user)
    page = client.get(reverse("observations:extract_detail", args=[extract.uuid]))
    html = page.content.decode()
    assert "polygone dessiné de 277,1 km² (27\xa0709 ha)" in html
    assert "m²)" not in html.replace("km²", "")


@pytest.mark.django_db
def test_a_record_without_clearance_of_another_partner_is_not_counted(
    client, records, other_organisation
):
    """A third organisation's private record is neither counted nor blurred-counted."""
    third = OrganisationFactory(name="Tiers")
    OccurrenceFactory(dataset=DatasetFactory(producer=third, is_public=False))
    partner = UserFactory(
        username="p2", organisation=other_organisation, roles=[Role.PARTENAIRE]
    )
    client.force_login(partner)
    data = client.get(
        reverse("observations:extract_estimate"),
        {"recipient": other_organisation.pk, "formats": "csv"},
    ).json()
    assert (data["rows"], data["blurred"]) == (6, 2)
