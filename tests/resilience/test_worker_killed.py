"""A Celery worker killed (SIGKILL) in the middle of a job: once another worker takes the
message back, the job is done exactly once, on its second attempt.

Real parts: the test database, the test Redis, worker processes (prefork, one pool process).
Killing the pool process has the worker requeue the message at once (acks_late with
REJECT_ON_WORKER_LOST); killing the whole worker leaves the message unacknowledged in Redis,
which hands it to the next worker after the visibility timeout (5 s in worker_settings)."""

import csv
from pathlib import Path

import psycopg
import pytest
from django.core.cache import cache
from django.core.files import File
from django.db import connection, transaction

from cpie_naturaliste.core.jobs.services import job_progress_key
from observations.exports.extracts import extract_create, extract_path, extract_run
from observations.exports.files import file_sha256
from observations.imports import import_batch_create
from observations.models import Extract, ImportBatch, Occurrence
from observations.tasks import import_batch_run
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import CommuneFactory, DatasetFactory, TaxonFactory
from tests.observations.imports_support import (
    LAT,
    LON,
    SINP_HEADER,
    dataset_create,
    referential_create,
)
from tests.resilience.workers import wait_until

# Enough rows for the job to last a few seconds on a 2-core machine, so that the kill
# lands in its middle: the extract reports progress every 20,000 rows.
EXTRACT_ROWS = 40_000
IMPORT_ROWS = 10_000
JOB_TIMEOUT = 90
pytestmark = pytest.mark.resilience


def _occurrences_create(count: int, *, dataset, taxon) -> None:
    """``count`` records: one through the factory (derived fields), copied in SQL."""
    model = OccurrenceFactory(dataset=dataset, taxon=taxon)
    columns = [f.column for f in Occurrence._meta.concrete_fields if not f.primary_key]
    values = ["gen_random_uuid()" if c == "uuid" else c for c in columns]
    table = Occurrence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)})"
            f" SELECT {', '.join(values)} FROM {table}, generate_series(2, %s)"
            f" WHERE id = %s",
            [count, model.pk],
        )


def _enqueue_on(queue: str):
    """``job_enqueue`` as the app does it (after the commit), onto the test's queue."""

    def job_enqueue(task, job, **kwargs) -> None:
        transaction.on_commit(lambda: task.apply_async(args=[job.pk], queue=queue))

    return job_enqueue


def _kill(victim: str, workers, worker):
    """Kill the pool process or the whole worker; returns the worker that takes over."""
    if victim == "pool":
        worker.kill_pool_process()  # the worker requeues the message and forks anew
        return worker
    worker.kill()
    return workers()  # a new worker, as the service manager would start one


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_extract_is_written_once_after_a_killed_worker(
    workers, queue, coordinateur_user, organisation, monkeypatch
):
    """The same extract three times: its pool process killed, its whole worker killed,
    undisturbed (but delivered twice). One file each, the same bytes."""
    CommuneFactory()
    dataset = DatasetFactory(producer=organisation)
    _occurrences_create(EXTRACT_ROWS, dataset=dataset, taxon=TaxonFactory())
    monkeypatch.setattr(
        "cpie_naturaliste.core.jobs.services.job_enqueue", _enqueue_on(queue)
    )
    worker = workers()
    checksums = []
    for victim in ("pool", "worker"):
        extract = extract_create(
            user=coordinateur_user,
            recipient=organisation,
            filters={},
            area=None,
            formats=[Extract.Format.GEOJSON],
        )
        key = job_progress_key(extract)
        cache.delete(
            key
        )  # none from an earlier run (the first report is 20,000 rows in)
        done = wait_until(
            lambda key=key: cache.get(key), timeout=JOB_TIMEOUT, what="progression"
        )
        assert 0 < done["rows"] < EXTRACT_ROWS
        worker = _kill(victim, workers, worker)

        wait_until(
            lambda pk=extract.pk: Extract.objects.get(pk=pk).is_finished,
            timeout=JOB_TIMEOUT,
            what="extraction terminée",
        )
        extract.refresh_from_db()
        assert (extract.status, extract.attempts, extract.rows) == (
            Extract.Status.DONE,
            2,
            EXTRACT_ROWS,
        ), extract.error
        assert file_sha256(extract_path(extract)) == extract.sha256
        checksums.append(extract.sha256)

    # Undisturbed, in the worker, while a second delivery of its task runs here: that
    # one waits for the first (lock), then leaves the finished extract alone.
    undisturbed = extract_create(
        user=coordinateur_user,
        recipient=organisation,
        filters={},
        area=None,
        formats=[Extract.Format.GEOJSON],
    )
    key = job_progress_key(undisturbed)
    cache.delete(key)
    wait_until(lambda: cache.get(key), timeout=JOB_TIMEOUT, what="progression")
    undisturbed = extract_run(undisturbed.pk)
    assert (undisturbed.status, undisturbed.attempts) == (Extract.Status.DONE, 1)
    assert checksums == [undisturbed.sha256] * 2
    # One file per extract, no partial file left over.
    files = {p.name for p in extract_path(undisturbed).parent.iterdir()}
    assert files == {extract_path(e).name for e in Extract.objects.all()}, files


def _session() -> psycopg.Connection:
    """Another session on the test database, in a transaction."""
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]
    )


def _advisory_waiter() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
        )
        return cursor.fetchone()[0] > 0


def _sessions() -> list[tuple]:
    """What each session of the test database is doing (for a failure's message)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, wait_event_type, wait_event, left(query, 80)"
            " FROM pg_stat_activity WHERE datname = current_database()"
        )
        return cursor.fetchall()


def _import_file(path: Path, rows: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(SINP_HEADER)
        for i in range(rows):
            writer.writerow(
                [3676, "", "2020-05-12", "DUPONT Lise", LON, LAT, i + 1, i + 1, "", ""]
            )
    return path


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("victim", "phase"),
    [
        ("pool", ImportBatch.Status.CHECKING),
        ("worker", ImportBatch.Status.CHECKING),
        # The whole worker, not its pool process: once in three runs of make test, the
        # task redelivered after a SIGKILL of the only pool process in this phase was
        # received but not started within 90 s (billiard respawning the pool; the
        # application had nothing to do yet). The pool-process case is covered while
        # checking, and for extracts.
        ("worker", ImportBatch.Status.IMPORTING),
    ],
)
def test_import_is_done_once_after_a_killed_worker(
    victim, phase, workers, queue, saisie_user, tmp_path
):
    referential_create()
    dataset = dataset_create(saisie_user)
    path = _import_file(tmp_path / "gros.csv", IMPORT_ROWS)
    with path.open("rb") as handle:
        batch = import_batch_create(
            user=saisie_user,
            dataset=dataset,
            file=File(handle, name=path.name),
            filename=path.name,
        )
    with _session() as blocker:
        if phase == ImportBatch.Status.IMPORTING:
            # The occurrence table locked elsewhere: the batch's INSERT waits, in a
            # database session that outlives the killed worker until the lock is freed.
            blocker.execute(f"LOCK TABLE {Occurrence._meta.db_table} IN SHARE MODE")
        worker = workers()
        import_batch_run.apply_async(args=[batch.pk], queue=queue)
        wait_until(
            lambda: _import_state(batch, phase),
            timeout=JOB_TIMEOUT,
            what=f"import en cours ({phase})",
        )
        _kill(victim, workers, worker)
        if phase == ImportBatch.Status.IMPORTING:
            # The second delivery must wait for the first session, not give up.
            try:
                wait_until(
                    _advisory_waiter, timeout=JOB_TIMEOUT, what="seconde livraison"
                )
            except AssertionError as error:
                raise AssertionError(f"{error} ; sessions : {_sessions()}") from None
            blocker.rollback()

    wait_until(
        lambda: ImportBatch.objects.get(pk=batch.pk).status not in RUNNING,
        timeout=JOB_TIMEOUT,
        what="import terminé",
    )
    batch.refresh_from_db()
    assert (batch.status, batch.attempts) == (ImportBatch.Status.DONE, 2), batch.message
    assert batch.created_count == IMPORT_ROWS
    assert Occurrence.objects.filter(import_batch=batch).count() == IMPORT_ROWS
    assert Occurrence.objects.count() == IMPORT_ROWS


RUNNING = {ImportBatch.Status.CHECKING, ImportBatch.Status.IMPORTING}


def _import_state(batch: ImportBatch, phase: str) -> bool:
    """The batch is in ``phase``, with rows read when checking; fails if it got past."""
    state = ImportBatch.objects.filter(pk=batch.pk).values("status", "processed_rows")[
        0
    ]
    assert state["status"] not in {ImportBatch.Status.DONE, ImportBatch.Status.FAILED}
    if phase == ImportBatch.Status.CHECKING:
        return state["status"] == phase and state["processed_rows"] > 0
    return state["status"] == phase
