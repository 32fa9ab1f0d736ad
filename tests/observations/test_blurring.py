"""Blurring as a permission: readers × channels × sensitivity levels.

One record per sensitivity level (0–4) at the same place in Loos-en-Gohelle, validated, in a
public dataset of the producer; readers from anonymous to the regional coordinator. Every
channel (API JSON list and detail, GeoJSON layer, aggregated cells, bbox, commune, grid,
département, site and text filters, list and detail pages, export columns, admin) must show
each record precisely, blurred to the expected area, or not at all — and no filter may place
a blurred record better than its area."""

import csv
import datetime as dt
import io
import json

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.contrib.gis.geos import GEOSGeometry, Point
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cpie_naturaliste.core.geo import grid_10km_code, grid_10km_polygon
from observations.blurring import Reader
from observations.exports.columns import export_values
from observations.exports.writers import write_csv
from observations.models import Occurrence
from observations.services import occurrences_refresh_sensitivity
from referentiel.models import Organisation, Role, SensitivityRule
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    DepartementFactory,
    OrganisationFactory,
    SiteFactory,
    TaxonFactory,
    UserFactory,
    square,
)

pytestmark = pytest.mark.django_db

PLACE = "Grotte secrète du terril"
COMMENT = "Entrée derrière le grillage"
POINT = (LOOS_X + 100, LOOS_Y + 100)
# Same commune (Loos, a 6 km square around the town hall) and same 10 km cell, 3.4 km
# away from the records.
ELSEWHERE_IN_COMMUNE = (LOOS_X - 2400, LOOS_Y + 2400)
AREA_TYPES = {1: "commune", 2: "grid", 3: "departement"}
# What a blurred reader is told of the area (API ``blurred_to``, the detail page's notice).
AREA_NAMES = {1: "commune", 2: "maille 10 km", 3: "département"}
AREA_SCALES = {1: "de la commune", 2: "de la maille 10 km", 3: "du département"}


@pytest.fixture
def world(organisation, other_organisation):
    dep = DepartementFactory()
    loos = CommuneFactory()
    # The commune east of Loos, sharing its border.
    CommuneFactory(
        insee="62000",
        name="Voisine",
        departement=dep,
        geom=square(LOOS_X + 3000, LOOS_Y - 3000, 6000),
    )
    site = SiteFactory(name="Terril 74")
    dataset = DatasetFactory(producer=organisation, is_public=True)
    private = DatasetFactory(producer=organisation, is_public=False)
    records = {}
    for level in range(5):
        taxon = TaxonFactory(scientific_name=f"Taxon niveau{level}")
        if level:
            SensitivityRule.objects.create(taxon=taxon, level=level)
        records[level] = OccurrenceFactory(
            taxon=taxon,
            dataset=dataset,
            geom=Point(*POINT, srid=2154),
            place_name=PLACE,
            comment=COMMENT,
            site=site,
            altitude_min=80,
            validation_status=1,
        )
    hidden = OccurrenceFactory(dataset=private, validation_status=1)
    occurrences_refresh_sensitivity()
    for occurrence in records.values():
        occurrence.refresh_from_db()
    assert [records[level].sensitivity_level for level in range(5)] == [0, 1, 2, 3, 4]
    return {
        "records": records,
        "private": hidden,
        "loos": loos,
        "dep": dep,
        "site": site,
        "grid": records[0].grid_10km,
    }


def _user(name, organisation, *roles, **extra):
    return UserFactory(username=name, organisation=organisation, roles=roles, **extra)


@pytest.fixture
def readers(world, organisation, other_organisation):
    """Reader name → (user or None, set of levels seen precisely, set of levels seen)."""
    third = OrganisationFactory(name="Bureau d'études")
    authority = OrganisationFactory(name="DREAL", kind="etat", sensitivity_clearance=4)
    cleared = OrganisationFactory(name="Conservatoire", sensitivity_clearance=2)
    everything = {0, 1, 2, 3, 4}
    public = {0, 1, 2, 3}
    return {
        "anonyme": (None, {0}, public),
        "saisie producteur": (
            _user("s-prod", organisation, Role.SAISIE),
            everything,
            everything,
        ),
        "saisie autre organisme": (_user("s-autre", third, Role.SAISIE), {0}, public),
        "partenaire B": (
            _user("p-b", other_organisation, Role.PARTENAIRE),
            {0},
            public,
        ),
        "partenaire habilité niveau 2": (
            _user("p-c", cleared, Role.PARTENAIRE),
            {0, 1, 2},
            public,
        ),
        "partenaire autorité publique": (
            _user("p-dreal", authority, Role.PARTENAIRE),
            everything,
            everything,
        ),
        "validateur autre organisme": (
            _user("v-autre", third, Role.VALIDATEUR),
            everything,
            everything,
        ),
        "coordinateur régional": (
            _user("c-reg", third, Role.COORDINATEUR, is_regional=True),
            everything,
            everything,
        ),
    }


def _api(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _area(world, level) -> GEOSGeometry:
    record = world["records"][level]
    if level == 1:
        return world["loos"].geom
    if level == 2:
        return grid_10km_polygon(record.grid_10km)
    return world["dep"].geom


def _wgs84(geometry: dict) -> GEOSGeometry:
    geom = GEOSGeometry(json.dumps(geometry), srid=4326)
    return geom.transform(2154, clone=True)


def _assert_shown(world, level, geometry, precise):
    shown = _wgs84(geometry)
    if precise:
        assert shown.geom_type == "Point"
        assert shown.distance(Point(*POINT, srid=2154)) < 0.5
    else:
        expected = _area(world, level)
        assert shown.geom_type in ("Polygon", "MultiPolygon")
        # Same area (up to the 6-decimal rounding of WGS84 coordinates).
        assert abs(shown.area - expected.area) / expected.area < 1e-3
        assert shown.sym_difference(expected).area / expected.area < 1e-3


def _bbox(x, y, half=50):
    low = Point(x - half, y - half, srid=2154).transform(4326, clone=True)
    high = Point(x + half, y + half, srid=2154).transform(4326, clone=True)
    return f"{low.x},{low.y},{high.x},{high.y}"


READERS = [
    "anonyme",
    "saisie producteur",
    "saisie autre organisme",
    "partenaire B",
    "partenaire habilité niveau 2",
    "partenaire autorité publique",
    "validateur autre organisme",
    "coordinateur régional",
]


@pytest.mark.parametrize("name", READERS)
def test_api_list_and_detail(world, readers, name):
    user, precise, seen = readers[name]
    client = _api(user)
    if user is None:
        assert client.get("/api/v1/occurrences/").status_code in (401, 403)
        return
    rows = {
        row["uuid"]: row
        for row in client.get("/api/v1/occurrences/?page_size=100").json()["results"]
    }
    assert (
        str(world["private"].uuid) not in rows
        or user.read_scope == "all"
        or (user.organisation_id == world["records"][0].dataset.producer_id)
    )
    for level, record in world["records"].items():
        row = rows.get(str(record.uuid))
        detail = client.get(f"/api/v1/occurrences/{record.uuid}/")
        if level not in seen:
            assert row is None
            assert detail.status_code == 404
            continue
        assert detail.status_code == 200
        for data in (row, detail.json()):
            _assert_shown(world, level, data["geometry"], level in precise)
            assert data["blurred"] is (level not in precise)
            if level in precise:
                assert data["place_name"] == PLACE
                assert data["comment"] == COMMENT
                assert data["site"] == world["site"].pk
            else:
                assert data["place_name"] == "" and data["comment"] == ""
                assert data["site"] is None and data["precision_m"] is None
                assert data["diffusion_level"] == level
                assert data["blurred_to"] == AREA_NAMES[level]
                assert PLACE not in json.dumps(data) and COMMENT not in json.dumps(data)
                assert data["grid_10km"] == (record.grid_10km if level == 2 else "")
                assert data["communes"] == (["62528"] if level == 1 else [])
            assert data["dee_blurring"] == "NON"  # the producer's value stays


@pytest.mark.parametrize("name", READERS[1:])
def test_geojson_layer_and_cells(world, readers, name):
    user, precise, seen = readers[name]
    client = _api(user)
    layer = client.get("/api/v1/occurrences/geojson/").json()
    features = {f["properties"]["uuid"]: f for f in layer["features"]}
    for level, record in world["records"].items():
        feature = features.get(str(record.uuid))
        if level not in seen:
            assert feature is None
            continue
        _assert_shown(world, level, feature["geometry"], level in precise)
        assert feature["properties"]["blurred"] is (level not in precise)
        assert PLACE not in json.dumps(feature)


@pytest.mark.parametrize("name", ["partenaire B", "coordinateur régional"])
def test_aggregated_cells_use_the_blurred_area(world, readers, name, monkeypatch):
    from observations import api
    from observations.selectors import occurrences_grid_cells

    user, precise, seen = readers[name]
    monkeypatch.setattr(api, "MAP_POINT_LIMIT", 0)
    cells = _api(user).get("/api/v1/occurrences/geojson/").json()
    assert cells["aggregated"] is True
    total = sum(f["properties"]["count"] for f in cells["features"])
    visible = Occurrence.objects.visible_to(user)
    assert total == visible.count()
    # A blurred record counts in the cell of its area's point on surface (its own cell
    # when blurred to a cell), never in the cell of its precise place.
    by_cell = {
        c["properties"]["grid_10km"]: c["properties"]["count"]
        for c in occurrences_grid_cells(queryset=visible, cell_m=10000)
    }
    expected = {}
    for occurrence in visible:
        if occurrence.is_precise or occurrence.sensitivity_level == 2:
            cell = occurrence.grid_10km
        else:
            cell = grid_10km_code(occurrence.blurred_geom.point_on_surface)
        expected[cell] = expected.get(cell, 0) + 1
    assert by_cell == expected
    dep_cell = grid_10km_code(world["dep"].geom.point_on_surface)
    if 3 in seen and 3 not in precise and dep_cell != world["grid"]:
        assert by_cell[dep_cell] >= 1


@pytest.mark.parametrize("name", READERS)
def test_the_cell_summary_counts_as_the_records_do(world, readers, name):
    """The summary (CellCount) a map without filters reads: per 10 km cell, what
    visible_to gives the reader, each blurred record in its area's cell."""
    from observations.selectors import _grid_code_counts, summary_code_counts

    user, _precise, _seen = readers[name]
    if user is None:
        # Anonymous visitors read validated records only: not in the summary's keys.
        assert summary_code_counts(AnonymousUser()) is None
        return
    from_records = _grid_code_counts(Occurrence.objects.visible_to(user))
    assert summary_code_counts(user) == from_records
    assert sum(from_records.values()) == Occurrence.objects.visible_to(user).count()


@pytest.mark.parametrize("name", READERS[1:])
@pytest.mark.parametrize("cell_m", [1000, 2000, 5000])
def test_the_fine_cell_summary_counts_as_the_records_do(world, readers, name, cell_m):
    """The 1 km summary (FineCellCount) the tiles of zooms 10 to 12 read: per cell, what
    visible_to gives the reader, each blurred record in its area's cell."""
    from observations.selectors import _geometry_cells, summary_fine_cells

    user, _precise, _seen = readers[name]
    area = GEOSGeometry("SRID=4326;POLYGON((0 47, 6 47, 6 53, 0 53, 0 47))")
    expected = _geometry_cells(Occurrence.objects.visible_to(user), area, cell_m)
    cells = summary_fine_cells(user, area, cell_m)
    assert sorted(cells) == sorted(tuple(row) for row in expected)
    assert sum(n for *_, n in cells) == Occurrence.objects.visible_to(user).count()


@pytest.mark.parametrize("name", READERS[1:])
def test_bbox_probe_cannot_narrow_a_blurred_record(world, readers, name):
    """A tiny box on the true place and one elsewhere in the same commune return the same
    blurred records: probing locates them no better than their area."""
    user, precise, seen = readers[name]
    client = _api(user)

    def uuids(x, y):
        response = client.get(
            f"/api/v1/occurrences/?page_size=100&in_bbox={_bbox(x, y)}"
        )
        assert response.status_code == 200
        return {row["uuid"] for row in response.json()["results"]}

    at_place, elsewhere = uuids(*POINT), uuids(*ELSEWHERE_IN_COMMUNE)
    for level, record in world["records"].items():
        key = str(record.uuid)
        if level not in seen:
            assert key not in at_place and key not in elsewhere
        elif level in precise:
            assert key in at_place and key not in elsewhere
        else:
            assert key in at_place and key in elsewhere


@pytest.mark.parametrize("name", ["partenaire B", "coordinateur régional"])
def test_the_geojson_layer_finds_a_blurred_record_at_its_map_point(
    world, readers, name
):
    """The map layer's box (as the tiles'): a record its reader may not place is in the
    view when its area's point on surface is, drawn by its whole area; a box on its
    true place alone does not find it."""
    user, precise, seen = readers[name]
    client = _api(user)

    def layer(x, y, half=50):
        response = client.get(
            f"/api/v1/occurrences/geojson/?in_bbox={_bbox(x, y, half)}"
        )
        assert response.status_code == 200
        return {f["properties"]["uuid"]: f for f in response.json()["features"]}

    at_place = layer(*POINT)
    for level in (2, 3):
        record = world["records"][level]
        key = str(record.uuid)
        spot = _area(world, level).point_on_surface
        assert spot.distance(Point(*POINT, srid=2154)) > 1000
        at_spot = layer(spot.x, spot.y)
        if level in precise:
            assert key in at_place and key not in at_spot
            continue
        assert key not in at_place and key in at_spot
        _assert_shown(world, level, at_spot[key]["geometry"], False)


@pytest.mark.parametrize("name", ["partenaire B", "saisie producteur"])
def test_area_and_attribute_filters(world, readers, name):
    user, precise, seen = readers[name]
    client = _api(user)

    def uuids(query):
        response = client.get(f"/api/v1/occurrences/?page_size=100&{query}")
        assert response.status_code == 200
        return {row["uuid"] for row in response.json()["results"]}

    records = world["records"]
    loos, neighbour = uuids("commune=62528"), uuids("commune=62000")
    by_site = uuids(f"site={world['site'].pk}")
    by_text = uuids("q=grotte")
    by_grid = uuids(f"grid_10km={world['grid']}")
    by_dep = uuids("departement=62")
    for level in seen:
        key = str(records[level].uuid)
        if level in precise:
            assert key in loos and key not in neighbour
            assert key in by_site and key in by_text and key in by_grid
        else:
            # Dropped attributes never match; areas match through the blurred area only.
            assert key not in by_site and key not in by_text
            assert (key in loos) is True
            assert (key in neighbour) is (level in (2, 3))
            assert (key in by_grid) is True
        assert key in by_dep


@pytest.mark.parametrize("name", READERS[1:])
def test_pages(world, readers, name):
    user, precise, seen = readers[name]
    client = Client()
    client.force_login(user)
    listing = client.get(reverse("observations:occurrence_list")).content.decode()
    for level, record in world["records"].items():
        detail = client.get(
            reverse("observations:occurrence_detail", args=[record.uuid])
        )
        if level not in seen:
            assert str(record.uuid) not in listing
            assert detail.status_code == 404
            continue
        assert detail.status_code == 200
        page = detail.content.decode()
        if level in precise:
            assert PLACE in page
        else:
            assert PLACE not in page and COMMENT not in page
            assert 'data-testid="blurred-notice"' in page
            assert f"à l'échelle {AREA_SCALES[level]} ;" in page
            assert "Terril 74" not in page


@pytest.mark.parametrize("name", READERS[1:])
def test_export_columns(world, readers, name):
    user, precise, seen = readers[name]
    out = io.BytesIO()
    write_csv(export_values(Occurrence.objects.visible_to(user)), out)
    rows = {
        row["idSINPOccTax"]: row
        for row in csv.DictReader(
            io.StringIO(out.getvalue().decode("utf-8-sig")), delimiter=";"
        )
    }
    for level, record in world["records"].items():
        row = rows.get(str(record.uuid))
        if level not in seen:
            assert row is None
            continue
        shown = GEOSGeometry(row["geometrie"], srid=4326).transform(2154, clone=True)
        if level in precise:
            assert row["nomLieu"] == PLACE and shown.geom_type == "Point"
        else:
            assert row["nomLieu"] == "" and row["commentaire"] == ""
            assert row["altitudeMin"] == "" and row["uRLPreuveNumerique"] == ""
            assert abs(shown.area - _area(world, level).area) / shown.area < 1e-3
            assert row["diffusionNiveauPrecision"] == str(level)
            assert row["codeCommune"] == ("62528" if level == 1 else "")
            assert row["codeMaille"] == (record.grid_10km if level == 2 else "")
            assert row["codeDepartement"] == ("" if level == 2 else "62")
        assert row["sensiNiveau"] == str(level)
        assert row["dEEFloutage"] == "NON"


@pytest.mark.parametrize("name", READERS)
def test_python_and_sql_rules_agree(world, readers, name):
    user, precise, seen = readers[name]
    if user is None:
        from django.contrib.auth.models import AnonymousUser

        user = AnonymousUser()
    reader = Reader.for_user(user)
    rows = Occurrence.objects.visible_to(user)
    for occurrence in rows:
        assert reader.sees_precisely(occurrence) is occurrence.is_precise
    levels = {o.sensitivity_level for o in rows if o.pk != world["private"].pk}
    assert levels == seen


def test_partner_extract_reads_with_the_recipient_clearance(world, readers):
    """A coordinator of the producer who extracts for partner B gives B's precision."""
    coordinator = UserFactory(
        username="coord",
        organisation=world["records"][0].dataset.producer,
        roles=[Role.COORDINATEUR],
    )
    partner = Organisation.objects.get(name="Eden 62")
    rows = Occurrence.objects.visible_to(
        coordinator, reader=Reader.for_organisation(partner)
    )
    levels = {o.sensitivity_level: o.is_precise for o in rows}
    assert levels == {0: True, 1: False, 2: False, 3: False}


def test_rule_spanning_31_december_blurs_winter_records_only(world, readers):
    taxon = TaxonFactory(scientific_name="Myotis hibernans")
    SensitivityRule.objects.create(
        taxon=taxon, level=2, start_month=11, start_day=1, end_month=2, end_day=28
    )
    dataset = world["records"][0].dataset
    winter = OccurrenceFactory(
        taxon=taxon,
        dataset=dataset,
        date_start=dt.date(2020, 1, 10),
        place_name=PLACE,
        validation_status=1,
    )
    summer = OccurrenceFactory(
        taxon=taxon,
        dataset=dataset,
        date_start=dt.date(2020, 6, 10),
        place_name=PLACE,
        validation_status=1,
    )
    assert (winter.sensitivity_level, summer.sensitivity_level) == (2, 0)
    user = readers["partenaire B"][0]
    data = {
        row["uuid"]: row
        for row in _api(user)
        .get("/api/v1/occurrences/?page_size=100")
        .json()["results"]
    }
    assert data[str(winter.uuid)]["blurred"] is True
    assert data[str(winter.uuid)]["place_name"] == ""
    assert data[str(summer.uuid)]["place_name"] == PLACE


def test_admin_hides_blurred_records(world, readers, organisation):
    staff = UserFactory(
        username="staff-partner",
        organisation=Organisation.objects.get(name="Eden 62"),
        roles=[Role.PARTENAIRE],
        is_staff=True,
    )
    staff.user_permissions.add(Permission.objects.get(codename="view_occurrence"))
    client = Client()
    client.force_login(staff)
    changelist = client.get(reverse("admin:observations_occurrence_changelist"))
    assert changelist.status_code == 200
    page = changelist.content.decode()
    assert "Taxon niveau4" not in page
    assert "floutée" in page
    blurred = world["records"][2]
    change = client.get(
        reverse("admin:observations_occurrence_change", args=[blurred.pk])
    )
    assert change.status_code in (302, 403)
    precise = world["records"][0]
    assert (
        client.get(
            reverse("admin:observations_occurrence_change", args=[precise.pk])
        ).status_code
        == 200
    )


def test_blurred_instance_cannot_be_saved(world, readers):
    from observations.blurring import blur_instance

    record = Occurrence.objects.get(pk=world["records"][2].pk)
    assert blur_instance(record, Reader.public())
    with pytest.raises(RuntimeError):
        record.save()
