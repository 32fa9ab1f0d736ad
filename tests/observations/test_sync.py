"""Incremental sync of the occurrence API (issue 20): updated_since and cursor pages, the
deletions feed and who is told what, ETag / Last-Modified, strict query parameters, page
size bounds, CSV by content negotiation, modification stamps and tombstones on every write
path, the purge."""

import csv
import datetime as dt
import io
import uuid
from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from observations.models import Occurrence, OccurrenceDeletion, SinpExportItem
from observations.services import (
    occurrence_delete,
    occurrence_deletions_purge,
    occurrence_update,
    occurrences_refresh_sensitivity,
    occurrences_tombstone,
    occurrences_validate,
)
from referentiel.models import Role, SensitivityRule
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    DatasetFactory,
    TaxonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/occurrences/"
DELETIONS = f"{URL}deletions/"
LONG_AGO = "2000-01-01T00:00:00Z"


@pytest.fixture
def public(organisation):
    return DatasetFactory(producer=organisation, is_public=True, title="Public A")


@pytest.fixture
def private(organisation):
    return DatasetFactory(producer=organisation, is_public=False, title="Privé A")


@pytest.fixture
def partner(other_organisation):
    return UserFactory(
        username="partenaire-b",
        organisation=other_organisation,
        roles=[Role.PARTENAIRE],
    )


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def walk(client, url, params=None) -> tuple[list[dict], str]:
    """Every row of a cursor walk, and the last page's ``until``."""
    rows, response = [], client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows.extend(body["results"])
        if not body["next"]:
            return rows, body["until"]
        response = client.get(body["next"])


def make_sensitive(occurrence, level):
    SensitivityRule.objects.create(taxon=occurrence.taxon, level=level)
    occurrences_refresh_sensitivity()
    occurrence.refresh_from_db()
    assert occurrence.sensitivity_level == level


# --- updated_since and cursor pages -------------------------------------------------------


def test_cursor_walk_misses_nothing_and_repeats_nothing_under_concurrent_writes(
    saisie_user, public
):
    records = [OccurrenceFactory(dataset=public) for _ in range(5)]
    client = client_of(saisie_user)
    first = client.get(URL, {"updated_since": LONG_AGO, "page_size": 2}).json()
    assert set(first) == {"next", "until", "results"}
    seen = [r["uuid"] for r in first["results"]]
    assert seen == [str(o.uuid) for o in records[:2]]
    # While the client reads: an already-read row changes, an unread one goes, one comes.
    occurrence_update(occurrence=records[0], user=saisie_user, comment="revu")
    occurrence_delete(occurrence=records[2], user=saisie_user)
    new = OccurrenceFactory(dataset=public)
    rest, until = walk(client, first["next"])
    assert until == first["until"]  # the walk's watermark, carried by the cursor
    uuids = seen + [r["uuid"] for r in rest]
    expected_tail = [records[3], records[4], records[0], new]
    assert [r["uuid"] for r in rest] == [str(o.uuid) for o in expected_tail]
    assert rest[2]["comment"] == "revu"  # the changed row again, as it is now
    assert str(records[2].uuid) not in uuids[2:]


def test_updated_since_filters_orders_and_reads_a_naive_time_as_paris(
    saisie_user, public
):
    old = OccurrenceFactory(dataset=public)
    recent = OccurrenceFactory(dataset=public)
    Occurrence.objects.filter(pk=old.pk).update(
        updated_at=dt.datetime(2024, 6, 1, 10, 0, tzinfo=dt.UTC)
    )
    Occurrence.objects.filter(pk=recent.pk).update(
        updated_at=dt.datetime(2024, 6, 1, 11, 0, tzinfo=dt.UTC)
    )
    client = client_of(saisie_user)
    # 12:30 in Paris (summer time) is 10:30 UTC: only the second record.
    rows, _until = walk(client, URL, {"updated_since": "2024-06-01T12:30:00"})
    assert [r["uuid"] for r in rows] == [str(recent.uuid)]
    rows, _until = walk(client, URL, {"updated_since": "2024-06-01T12:30:00+02:00"})
    assert [r["uuid"] for r in rows] == [str(recent.uuid)]
    rows, _until = walk(client, URL, {"updated_since": "2024-06-01T09:00:00Z"})
    assert [r["uuid"] for r in rows] == [str(old.uuid), str(recent.uuid)]
    response = client.get(URL, {"updated_since": "hier"})
    assert response.status_code == 400
    assert "updated_since" in response.json()


def test_without_updated_since_pages_keep_their_numbers(saisie_user, public):
    OccurrenceFactory.create_batch(3, dataset=public)
    body = client_of(saisie_user).get(URL, {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2
    assert "page=2" in body["next"]


def test_a_tampered_cursor_is_a_400(saisie_user):
    response = client_of(saisie_user).get(URL, {"cursor": "pas-un-curseur"})
    assert response.status_code == 400
    assert "Curseur invalide" in response.json()["detail"]


def test_until_stays_before_an_open_transaction(saisie_user, public):
    """A row written by a transaction still open when the client reads is stamped after
    the transaction began; ``until`` must not pass that instant."""
    import psycopg
    from django.db import connection

    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"],
        host=db["HOST"],
        port=db["PORT"],
        autocommit=False,
    ) as other:
        other.execute("SELECT 1")  # opens a transaction
        started = other.execute("SELECT now()").fetchone()[0]
        until = (
            client_of(saisie_user).get(URL, {"updated_since": LONG_AGO}).json()["until"]
        )
        assert dt.datetime.fromisoformat(until) <= started
        other.rollback()


# --- Strict parameters, page size, schema ----------------------------------------------


def test_unknown_parameters_are_refused_naming_the_accepted_ones(saisie_user):
    client = client_of(saisie_user)
    response = client.get(URL, {"updated_min": "2026-01-01"})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "updated_min" in detail and "updated_since" in detail and "commune" in detail
    assert client.get(f"{URL}geojson/", {"bogus": "1"}).status_code == 400
    assert client.get(DELETIONS, {"updated_since": LONG_AGO}).status_code == 400
    response = client.get(URL, {"updated_since": LONG_AGO, "format": "json"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("commune", "xyz"),
        ("departement", "99"),
        ("grid_10km", "E065N698"),
        ("taxon", "123456789"),
        ("year", "an"),
        ("page_size", "501"),
        ("page_size", "0"),
    ],
)
def test_invalid_filter_values_are_refused(saisie_user, name, value):
    response = client_of(saisie_user).get(URL, {name: value})
    assert response.status_code == 400, response.content


def test_schema_declares_page_size_bounds_cursor_and_the_deletions_feed(saisie_user):
    schema = client_of(saisie_user).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/occurrences/"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["page_size"]["schema"]["maximum"] == 500
    assert {"cursor", "updated_since", "page"} <= set(params)
    assert "text/csv" in operation["responses"]["200"]["content"]
    deletions = schema["paths"]["/api/v1/occurrences/deletions/"]["get"]
    assert {p["name"] for p in deletions["parameters"]} >= {"since", "cursor"}
    assert "410" in deletions["responses"]


# --- ETag / Last-Modified ----------------------------------------------------------------


def test_list_and_detail_answer_304_when_the_copy_is_current(saisie_user, public):
    occurrence = OccurrenceFactory(dataset=public)
    client = client_of(saisie_user)
    for url in (URL, f"{URL}{occurrence.uuid}/"):
        response = client.get(url)
        etag, modified = response["ETag"], response["Last-Modified"]
        assert "Accept" in response["Vary"]
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
        assert client.get(url, HTTP_IF_NONE_MATCH='"autre"').status_code == 200
    occurrence_update(occurrence=occurrence, user=saisie_user, comment="changé")
    for url in (URL, f"{URL}{occurrence.uuid}/"):
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_the_list_validator_is_not_read_along_the_updated_at_index(saisie_user, public):
    """Last-Modified is the maximum of updated_at over the filtered records, asked for as an
    expression: for a bare max(updated_at), PostgreSQL walks the updated_at index backwards
    until a record passes the filters, which after a bulk update of other records (a
    sensitivity refresh: 1.8 M rows at 10 M) read millions of rows, 3 s a page."""
    OccurrenceFactory(dataset=public)
    with CaptureQueriesContext(connection) as queries:
        assert client_of(saisie_user).get(URL).status_code == 200
    maxima = [
        q["sql"] for q in queries if "MAX(" in q["sql"] and "updated_at" in q["sql"]
    ]
    assert maxima, [q["sql"] for q in queries]
    assert not any(
        'MAX("observations_occurrence"."updated_at")' in sql for sql in maxima
    )
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + maxima[0])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "occ_updated_keyset" not in plan, plan


def test_a_deletion_changes_the_list_validators(saisie_user, public):
    kept, gone = OccurrenceFactory.create_batch(2, dataset=public)
    client = client_of(saisie_user)
    etag = client.get(URL)["ETag"]
    occurrence_delete(occurrence=gone, user=saisie_user)
    assert client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 200


# --- CSV ---------------------------------------------------------------------------------


def csv_of(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_csv_by_accept_or_format_same_columns_and_blurring(partner, public):
    precise = OccurrenceFactory(dataset=public, place_name="Mare du bois")
    blurred = OccurrenceFactory(
        dataset=public,
        place_name="Gîte secret",
        comment="sous le pont",
        geom=Point(LOOS_X + 1234, LOOS_Y + 567, srid=2154),
    )
    make_sensitive(blurred, 2)
    client = client_of(partner)
    json_rows = {r["uuid"]: r for r in client.get(URL).json()["results"]}
    for response in (
        client.get(URL, HTTP_ACCEPT="text/csv"),
        client.get(URL, {"format": "csv"}),
    ):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = {r["uuid"]: r for r in csv_of(response)}
        assert set(rows) == set(json_rows) == {str(precise.uuid), str(blurred.uuid)}
        assert list(next(iter(rows.values()))) == list(json_rows[str(precise.uuid)])
    row = rows[str(blurred.uuid)]
    assert row["blurred"] == "true" and row["blurred_to"] == "maille 10 km"
    assert row["place_name"] == "" and row["comment"] == ""
    assert row["geometry"].startswith("POLYGON")
    assert rows[str(precise.uuid)]["place_name"] == "Mare du bois"
    assert rows[str(precise.uuid)]["geometry"].startswith("POINT")
    assert "Gîte secret" not in str(rows) and "sous le pont" not in str(rows)


def test_csv_keeps_the_filters_and_errors_stay_json(saisie_user, public):
    OccurrenceFactory(dataset=public, validation_status=1)
    OccurrenceFactory(dataset=public, validation_status=0)
    client = client_of(saisie_user)
    rows = csv_of(client.get(URL, {"format": "csv", "validation_status": 1}))
    assert [r["validation_status"] for r in rows] == ["1"]
    response = client.get(URL, {"format": "csv", "commune": "xyz"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


# --- The deletions feed --------------------------------------------------------------------


def deletions_of(user, since=None) -> dict[str, str]:
    since = since or (timezone.now() - timedelta(days=1)).isoformat()
    rows, _until = walk(client_of(user), DELETIONS, {"since": since})
    return {r["uuid"]: r["reason"] for r in rows}


def test_a_deletion_is_told_only_to_readers_who_could_read_the_record(
    saisie_user, partner, public, private
):
    shared = OccurrenceFactory(dataset=public)
    own = OccurrenceFactory(dataset=private)
    occurrence_delete(occurrence=shared, user=saisie_user)
    occurrence_delete(occurrence=own, user=saisie_user)
    assert deletions_of(saisie_user) == {
        str(shared.uuid): "deleted",
        str(own.uuid): "deleted",
    }
    # Eden 62 could read the public record, never the private one.
    assert deletions_of(partner) == {str(shared.uuid): "deleted"}


def test_a_record_a_reader_could_not_place_at_all_is_not_told_to_him(
    saisie_user, partner, public
):
    """Level 4 from its creation: the partner never read it, and is told nothing of it,
    not even its identifier."""
    taxon = TaxonFactory()
    SensitivityRule.objects.create(taxon=taxon, level=4)
    occurrences_refresh_sensitivity()  # expands the rule's taxa
    hidden = OccurrenceFactory(dataset=public, taxon=taxon)
    assert hidden.sensitivity_level == 4
    occurrence_delete(occurrence=hidden, user=saisie_user)
    assert deletions_of(saisie_user) == {str(hidden.uuid): "deleted"}
    assert deletions_of(partner) == {}


def test_moved_to_a_private_dataset_is_withdrawn_for_those_who_lose_it(
    saisie_user, partner, public, private
):
    moved = OccurrenceFactory(dataset=public, created_by=saisie_user)
    occurrence_update(occurrence=moved, user=saisie_user, dataset=private)
    assert deletions_of(partner) == {str(moved.uuid): "withdrawn"}
    # The producer still reads it: it comes back in the changed records, not here.
    assert deletions_of(saisie_user) == {}
    rows, _until = walk(client_of(saisie_user), URL, {"updated_since": LONG_AGO})
    assert [r["uuid"] for r in rows] == [str(moved.uuid)]
    # Moved back: the partner reads it again, and is no longer told to drop it.
    occurrence_update(occurrence=moved, user=saisie_user, dataset=public)
    assert deletions_of(partner) == {}


def test_made_too_sensitive_is_withdrawn_and_made_blurred_is_changed(
    saisie_user, partner, public
):
    blurred = OccurrenceFactory(dataset=public)
    hidden = OccurrenceFactory(dataset=public)
    before = timezone.now()
    make_sensitive(blurred, 2)
    make_sensitive(hidden, 4)
    assert deletions_of(partner) == {str(hidden.uuid): "withdrawn"}
    rows, _until = walk(client_of(partner), URL, {"updated_since": before.isoformat()})
    assert [(r["uuid"], r["blurred"]) for r in rows] == [(str(blurred.uuid), True)]
    assert deletions_of(saisie_user) == {}  # the producer reads both precisely


def test_a_sql_bulk_delete_leaves_tombstones(saisie_user, partner, public):
    records = OccurrenceFactory.create_batch(3, dataset=public)
    ids = [o.pk for o in records]
    occurrences_tombstone(where="id = ANY(%s)", params=[ids], user=saisie_user)
    Occurrence.objects.filter(pk__in=ids).delete()
    assert set(deletions_of(partner)) == {str(o.uuid) for o in records}


def test_deleted_again_after_a_reimport_is_told_again(saisie_user, partner, public):
    record = OccurrenceFactory(dataset=public)
    uuid = record.uuid
    occurrence_delete(occurrence=record, user=saisie_user)
    again = OccurrenceFactory(dataset=public, uuid=uuid)
    assert deletions_of(partner) == {}  # read again: nothing to drop
    occurrence_delete(occurrence=again, user=saisie_user)
    assert OccurrenceDeletion.objects.filter(uuid=uuid).count() == 2
    assert deletions_of(partner) == {str(uuid): "deleted"}


def test_since_filters_and_a_since_past_the_retention_is_gone(
    saisie_user, public, settings
):
    record = OccurrenceFactory(dataset=public)
    occurrence_delete(occurrence=record, user=saisie_user)
    OccurrenceDeletion.objects.update(
        deleted_at=dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    )
    settings.SYNC_DELETIONS_RETENTION_DAYS = 36500
    assert deletions_of(saisie_user, "2026-03-01T13:00:00+01:00") == {
        str(record.uuid): "deleted"
    }
    assert deletions_of(saisie_user, "2026-03-01T14:00:00+01:00") == {}
    settings.SYNC_DELETIONS_RETENTION_DAYS = 30
    response = client_of(saisie_user).get(DELETIONS, {"since": "2026-01-01"})
    assert response.status_code == 410
    assert "resynchronisez" in response.json()["detail"]
    assert client_of(saisie_user).get(DELETIONS, {"since": "jamais"}).status_code == 400


# --- Every write path stamps the record and leaves its tombstone -------------------------


def test_validation_and_sensitivity_refresh_move_updated_at(
    saisie_user, validateur_user, public
):
    record = OccurrenceFactory(dataset=public)
    stamps = [record.updated_at]
    occurrences_validate(occurrences=[record], validator=validateur_user, status=1)
    record.refresh_from_db()
    stamps.append(record.updated_at)
    make_sensitive(record, 1)
    stamps.append(record.updated_at)
    assert stamps == sorted(stamps) and len(set(stamps)) == 3


def test_protocol_apps_delete_their_occurrence_through_the_service(saisie_user, public):
    """Every protocol app deletes its published occurrence with ``occurrence_delete`` (the
    one place that writes the tombstone): no other delete of the occurrence table."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = []
    for app in (
        "baguage",
        "terrils",
        "zones_humides",
        "sensibilisation",
        "observations",
    ):
        for path in (root / app).rglob("*.py"):
            text = path.read_text()
            if re.search(
                r"occurrence\.delete\(\)|Occurrence\.objects[^\n]*\.delete\(", text
            ):
                if "occurrences_tombstone" not in text:
                    offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_the_admin_deletes_through_the_service(saisie_user, public):
    from django.contrib.admin.sites import site

    record = OccurrenceFactory(dataset=public)
    model_admin = site._registry[Occurrence]
    model_admin.delete_queryset(
        type("Request", (), {"user": saisie_user})(), Occurrence.objects.all()
    )
    assert OccurrenceDeletion.objects.filter(uuid=record.uuid).exists()


def test_purge_keeps_what_the_retention_and_the_sinp_export_need(
    saisie_user, public, settings
):
    settings.SYNC_DELETIONS_RETENTION_DAYS = 30
    old, sent, recent = OccurrenceFactory.create_batch(3, dataset=public)
    for record in (old, sent, recent):
        occurrence_delete(occurrence=record, user=saisie_user)
    long_ago = timezone.now() - timedelta(days=40)
    OccurrenceDeletion.objects.filter(uuid__in=[old.uuid, sent.uuid]).update(
        deleted_at=long_ago
    )
    export = _sinp_export()
    SinpExportItem.objects.create(
        export=export, uuid=sent.uuid, fingerprint=uuid.uuid4()
    )
    assert occurrence_deletions_purge() == 1
    left = set(OccurrenceDeletion.objects.values_list("uuid", flat=True))
    assert left == {sent.uuid, recent.uuid}


def _sinp_export():
    from observations.models import SinpExport

    return SinpExport.objects.create(year=2020, pole=SinpExport.Pole.values[0])


def test_an_import_stamps_what_it_rewrites_and_its_undo_leaves_tombstones(
    tmp_path, coordinateur_user
):
    from observations.imports import import_batch_undo
    from tests.observations.imports_support import (
        SINP_HEADER,
        good_rows,
        referential_create,
        run_import,
        write_csv,
    )

    referential_create()
    dataset = DatasetFactory(producer=coordinateur_user.organisation)
    rows = good_rows()
    batch = run_import(
        write_csv(tmp_path / "a.csv", SINP_HEADER, rows),
        user=coordinateur_user,
        dataset=dataset,
    )
    occurrence = Occurrence.objects.get(comment="Chant")
    Occurrence.objects.update(
        updated_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    )  # as if imported long ago
    rows[0][9] = "Chant, 2 mâles"
    run_import(
        write_csv(tmp_path / "b.csv", SINP_HEADER, rows),
        user=coordinateur_user,
        dataset=dataset,
    )
    rewritten = Occurrence.objects.filter(
        updated_at__gt=dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    )
    assert list(rewritten) == [occurrence]
    uuids = set(Occurrence.objects.values_list("uuid", flat=True))
    import_batch_undo(batch=batch, user=coordinateur_user)
    assert set(deletions_of(coordinateur_user)) == {str(u) for u in uuids}


def test_the_purge_is_scheduled_every_night():
    from django_celery_beat.models import PeriodicTask

    from cpie_naturaliste.celery import app
    from observations import tasks

    task = PeriodicTask.objects.get(
        task="observations.tasks.occurrence_deletions_purge_task"
    )
    assert task.enabled and task.crontab.hour == "2"
    assert task.task in app.tasks and tasks.occurrence_deletions_purge_task
