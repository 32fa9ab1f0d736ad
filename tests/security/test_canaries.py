"""Issue 17: the canary planting is sound — every kind of record planted, each published
occurrence sensitive, validated and on its own point, every marker in the database exactly
where planted, every free-text field covered, and B's coordinator reads them (the positive
control of the crawler)."""

import io
import itertools
import re
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from baguage.models import Capture, Ringer, RingSeries, Session, Station
from observations.blurring import BLANKED
from observations.models import (
    CountProgramme,
    CountSite,
    CountVisit,
    Occurrence,
    OccurrenceMedia,
    SiteCount,
    Validation,
)
from referentiel.models import Dataset, Person, Site
from sensibilisation.models import Report
from terrils.models import Campaign as TerrilCampaign
from terrils.models import CampaignRecord
from terrils.models import Visit as TerrilVisit
from tests.security.canaries import plant_canaries
from tests.security.markers import (
    BLURRED,
    CANARY_POINTS,
    CONTEXT_MODELS,
    HIDDEN,
    MARKER_RE,
    MARKER_SQL_RE,
    SKIPPED_FIELDS,
    compute_canary_points,
    free_text_fields,
    planted_fields,
    point_patterns,
)
from zones_humides.models import (
    DriftFence,
    FenceCheck,
    FenceCount,
    NewtCapture,
    NewtIndividual,
    PassageObservation,
    PopAire,
    PopPassage,
    PopSite,
)

pytestmark = pytest.mark.django_db

EXPECTED_MODELS = [
    Occurrence,
    Validation,
    Person,
    Dataset,
    Site,
    PopAire,
    PopSite,
    PopPassage,
    PassageObservation,
    NewtCapture,
    NewtIndividual,
    CountProgramme,
    CountSite,
    CountVisit,
    SiteCount,
    TerrilCampaign,
    TerrilVisit,
    CampaignRecord,
    DriftFence,
    FenceCheck,
    FenceCount,
    Station,
    Ringer,
    RingSeries,
    Session,
    Capture,
    Report,
]


@pytest.fixture
def canaries():
    return plant_canaries()


def test_planting_is_fast_and_covers_every_kind_of_record():
    plant_canaries()  # the first one in a process also imports the URLconf, Pillow…
    start = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        canaries = plant_canaries()
    # ~2.5 s on an idle machine; the query budget is the deterministic part (~860).
    assert time.monotonic() - start < 10
    assert len(queries) < 1000
    for model in EXPECTED_MODELS:
        assert canaries.objects.get(model), model._meta.label
    for model, rows in canaries.objects.items():
        assert rows, model._meta.label
        assert model._meta.db_table in canaries.tables
    sources = {o.source for o in canaries.occurrences}
    assert sources == {
        "saisie",
        "zones_humides",
        "comptage",
        "terrils",
        "baguage",
        "campagne",
    }
    assert {d.is_public for d in canaries.public_datasets} == {True}
    assert not canaries.private_dataset.is_public
    assert all(d.producer_id == canaries.organisation.pk for d in canaries.datasets)
    assert canaries.coordinator.organisation_id == canaries.organisation.pk
    assert canaries.coordinator.sensitivity_clearance == 4


def test_a_second_planting_does_not_clash(canaries):
    again = plant_canaries()
    assert again.organisation.pk != canaries.organisation.pk
    assert not set(again.markers) & set(canaries.markers)


def test_published_occurrences_are_sensitive_validated_and_on_their_point(canaries):
    points = set(canaries.points)
    assert len(points) == len(canaries.points)
    private = canaries.private_dataset
    levels = set()
    for occurrence in Occurrence.objects.filter(pk__in=canaries.ids(Occurrence)):
        xy = (occurrence.geom.x, occurrence.geom.y)
        assert occurrence.geom.geom_type == "Point"
        assert occurrence.geom.srid == settings.SRID == 2154
        assert xy in points, (occurrence.source, xy)
        assert occurrence.validation_status == 1
        assert occurrence.dataset.producer_id == canaries.organisation.pk
        levels.add(occurrence.sensitivity_level)
        if occurrence.dataset_id != private.pk:
            assert occurrence.sensitivity_level >= 1, occurrence.source
        if 1 <= occurrence.sensitivity_level <= 3:
            assert occurrence.blurred_geom is not None
            # An area holding the point, a commune or coarser: never the point itself.
            assert occurrence.blurred_geom.contains(occurrence.geom)
            assert occurrence.blurred_geom.area > 10_000_000
    assert {0, 1, 2, 4} <= levels
    assert (
        Occurrence.objects.filter(
            pk__in=canaries.ids(Occurrence), dataset=private
        ).count()
        >= 2
    )
    # Every point locates at least one occurrence; each kind of record its own point.
    located = {
        (o.geom.x, o.geom.y)
        for o in Occurrence.objects.filter(pk__in=canaries.ids(Occurrence))
    }
    assert located == points
    by_source = {}
    for occurrence in canaries.occurrences:
        by_source.setdefault(occurrence.source, set()).add(
            (occurrence.geom.x, occurrence.geom.y)
        )
    protocol = [xy for s, xys in by_source.items() if s != "saisie" for xy in xys]
    assert len(protocol) == len(set(protocol))


def test_places_are_on_the_canary_points(canaries):
    points = set(canaries.points)

    def xy(geom):
        return (geom.x, geom.y)

    for model in (PopSite, Report):
        for obj in canaries.objects[model]:
            assert xy(obj.geom) in points, model
    for site in canaries.objects[Site]:
        assert xy(site.geom) in points
        assert not site.is_public
    for fence in canaries.objects[DriftFence]:
        assert xy(fence.site.geom) in points
    for station in canaries.objects[Station]:
        assert xy(station.site.geom) in points
    for count_site in canaries.objects[CountSite]:
        assert xy(count_site.site.geom) in points


def test_points_are_inside_one_cell_and_one_commune_far_from_edges(canaries):
    for x, y in canaries.points:
        assert 0.1 <= x % 1 < 0.4 and 0.1 <= y % 1 < 0.4
        assert 500 < x % 10000 < 9500 and 500 < y % 10000 < 9500
    for a, b in itertools.combinations(canaries.points, 2):
        assert ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 > 300
    patterns = point_patterns(canaries.points)
    assert (
        len({p.lon4 for p in patterns})
        == len({p.lat4 for p in patterns})
        == len(patterns)
    )
    codes = {o.commune_id for o in canaries.occurrences}
    assert codes == {"62528"}


def test_points_are_what_compute_canary_points_makes():
    assert compute_canary_points(len(CANARY_POINTS)) == CANARY_POINTS


def test_point_patterns_match_postgis_and_rounding_equals_truncation(canaries):
    patterns = point_patterns(canaries.points)
    assert [(p.x, p.y) for p in patterns] == canaries.points
    with connection.cursor() as cursor:
        for pattern in patterns:
            cursor.execute(
                "SELECT ST_X(g), ST_Y(g) FROM (SELECT ST_Transform("
                "ST_SetSRID(ST_MakePoint(%s, %s), %s), %s) AS g) t",
                [pattern.x, pattern.y, settings.SRID, settings.API_SRID],
            )
            lon, lat = cursor.fetchone()
            assert f"{lon:.4f}" == pattern.lon4 and f"{lat:.4f}" == pattern.lat4
            # Any output with more decimals starts with the 4-decimal text.
            for digits in (5, 6, 7, 8, 15):
                assert f"{lon:.{digits}f}".startswith(pattern.lon4)
                assert f"{lat:.{digits}f}".startswith(pattern.lat4)
            assert 2.5 < lon < 3.0 and 50.3 < lat < 50.6
            assert pattern.found_in(f"[{lon:.7f}, {lat:.7f}]")
            assert pattern.found_in(f"POINT({pattern.x} {pattern.y})")
            assert not pattern.found_in(f"[{lon + 0.001:.7f}, {lat:.7f}]")


def test_markers_are_unique_and_never_substrings_of_each_other(canaries):
    markers = list(canaries.markers)
    assert len(markers) == len(set(markers)) > 100
    for marker in markers:
        assert MARKER_RE.fullmatch(marker)
    folded = [m.casefold() for m in markers]
    for a, b in itertools.permutations(folded, 2):
        assert a not in b


def test_each_marker_is_in_the_database_where_planted(canaries):
    models = {model._meta.label: model for model in canaries.objects}
    in_files = set()
    for marker, info in canaries.markers.items():
        model = models[info.model]
        obj = model._default_manager.get(pk=info.pk)
        if info.in_file:
            in_files.add(marker)
            with getattr(obj, info.field).open("rb") as handle:
                assert marker.encode() in handle.read(), (marker, info)
            continue
        assert marker in getattr(obj, info.field), (marker, info)
    # A text search over the canary tables finds every marker, in its own table, and
    # nothing that is not a registered marker.
    found: dict[str, set[str]] = {}
    with connection.cursor() as cursor:
        for model in canaries.objects:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT DISTINCT (regexp_matches(t::text, %s, 'g'))[1]"
                f" FROM {connection.ops.quote_name(table)} t",
                [MARKER_SQL_RE],
            )
            for (marker,) in cursor.fetchall():
                found.setdefault(marker, set()).add(model._meta.label)
    assert set(found) == set(canaries.markers) - in_files
    for marker, info in canaries.markers.items():
        assert info.in_file or info.model in found[marker]


def test_newt_photo_is_kept_with_its_exif_the_thumbnail_without(canaries):
    (capture,) = canaries.objects[NewtCapture]
    (marker,) = [
        m
        for m, info in canaries.markers.items()
        if info.in_file and info.model == "zones_humides.NewtCapture"
    ]
    pond = next(xy for xy, label in canaries.point_labels.items() if "POP" in label)
    with capture.photo.open("rb") as handle:
        exif = Image.open(io.BytesIO(handle.read())).getexif()
    assert exif[0x010E] == marker
    gps = exif.get_ifd(0x8825)
    lat = sum(float(v) / 60**i for i, v in enumerate(gps[2]))
    lon = sum(float(v) / 60**i for i, v in enumerate(gps[4]))
    (pattern,) = point_patterns([pond])
    assert (round(lon, 4), round(lat, 4)) == (pattern.lon, pattern.lat)
    with capture.thumbnail.open("rb") as handle:
        assert marker.encode() not in handle.read()


def test_observation_media_stored_without_exif_the_sound_as_sent(canaries):
    """Each plain canary has a photo (sent with its position in EXIF: stored without) and
    a recording spelling its marker (stored as sent, so the crawler sees it leak)."""
    media = canaries.objects[OccurrenceMedia]
    photos = [m for m in media if m.kind == "photo"]
    sounds = {m.pk: m for m in media if m.kind == "son"}
    assert len(photos) == len(sounds) == 5
    for photo in photos:
        with photo.file.open("rb") as handle:
            assert not Image.open(io.BytesIO(handle.read())).getexif()
    for marker, info in canaries.markers.items():
        if info.model == "observations.OccurrenceMedia":
            with sounds.pop(info.pk).file.open("rb") as handle:
                assert marker.encode() in handle.read()
    assert not sounds


def test_introspection_covers_every_free_text_field(canaries):
    labels = {model._meta.label for model in canaries.objects}
    for (label, name), reason in SKIPPED_FIELDS.items():
        assert reason
        assert label in labels, label
        model = next(m for m in canaries.objects if m._meta.label == label)
        assert name in {f.name for f in free_text_fields(model)}, (label, name)
    planted_any = 0
    for model, rows in canaries.objects.items():
        label = model._meta.label
        if label in CONTEXT_MODELS:
            assert planted_fields(model) == []
            continue
        planted = {f.name for f in planted_fields(model)}
        skipped = {name for (m, name) in SKIPPED_FIELDS if m == label}
        assert planted | skipped == {f.name for f in free_text_fields(model)}
        for row in rows:
            own = canaries.markers_of(row)
            files = {f for f, m in own.items() if canaries.markers[m].in_file}
            assert set(own) - files == planted, (label, row.pk)
            planted_any += len(own)
    assert planted_any == len(canaries.markers)


def test_exposure_tells_what_a_blurred_reader_may_read(canaries):
    occurrences = {o.pk: o for o in canaries.occurrences}
    for marker, info in canaries.markers.items():
        if info.model == "observations.Occurrence":
            occurrence = occurrences[info.pk]
            if (
                info.field in BLANKED
                or not occurrence.dataset.is_public
                or occurrence.sensitivity_level == 4
            ):
                assert info.exposure == HIDDEN, (marker, info)
            else:
                assert info.exposure == BLURRED, (marker, info)
    hidden = set(canaries.hidden_markers)
    for model in (PopSite, Report, CountVisit, FenceCheck, Capture, Session):
        for row in canaries.objects[model]:
            for field, marker in canaries.markers_of(row).items():
                if (model, field) != (FenceCheck, "observer"):
                    assert marker in hidden, (model, field)


def test_coordinator_of_b_reads_the_markers_and_points(canaries):
    """The positive control: the crawler's checks would find them if they leaked."""
    client = Client()
    client.force_login(canaries.coordinator)
    patterns = {(p.x, p.y): p for p in point_patterns(canaries.points)}
    for occurrence in canaries.occurrences:
        response = client.get(
            reverse("observations:occurrence_detail", args=[occurrence.uuid])
        )
        assert response.status_code == 200
        page = response.content.decode()
        own = canaries.markers_of(occurrence)
        for field in ("place_name", "comment", "proof_text", "cited_name"):
            assert own[field] in page, (occurrence.source, field)
        assert patterns[(occurrence.geom.x, occurrence.geom.y)].found_in(page)
        hits = set(re.findall(MARKER_RE, page))
        assert hits <= set(canaries.markers)
