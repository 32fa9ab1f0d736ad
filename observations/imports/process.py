"""Running a batch: read and check every row, then insert all of them or none.

Phase 1 streams the file into a staging table with COPY, 5,000 rows at a time, in autocommit:
each chunk is committed at once and memory stays flat whatever the file size; the progress goes
to the cache at each chunk (the page polling the batch reads it first) and to the batch's row
about once a second. While this process reads and checks the next chunk, the server moves the
last one into the staging table and computes its places (communes, grid cell), the costliest
derived fields: two cores at work instead of one. The occurrence table is not touched.
Phase 2 runs the set-based checks. Phase 3, only when there is no error at all, writes every row
in one transaction (insert, history, derived fields, batch counts): all rows or none.
"""

import logging
import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from cpie_naturaliste.core.jobs.services import (
    job_claim,
    job_fail,
    job_finish,
    job_step,
)
from cpie_naturaliste.core.tabular.errors import (
    MAX_REPORTED_ERRORS,
    ErrorLog,
    ImportRefused,
    Mode,
)
from cpie_naturaliste.core.tabular.files import table_open
from observations.models import ImportBatch
from observations.signals import occurrences_changed_on_commit
from referentiel.models import Scope
from referentiel.services.taxon_names import taxa_by_names

from . import staging
from .columns import mapping_problems
from .merge import MergePlan, foreign_changes_check, merge_foreign_changes, merge_run
from .rows import RowReader

logger = logging.getLogger(__name__)
CHUNK_ROWS = 5000
PROGRESS_SAVE_S = 1.0  # the batch's row gets the progress at most this often
LOCK_NAMESPACE = 7_315_001  # pg advisory lock space of import batches


@contextmanager
def _batch_lock(batch_id: int):
    """Session advisory lock: a second delivery of the same task waits for it, then finds
    the batch finished, or takes over the one a killed worker left checking or importing.
    Waiting, not leaving: a killed worker's session can outlive it for as long as its last
    statement runs, and a delivery that left would leave the batch "running" for ever."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, batch_id])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, batch_id]
            )


def import_batch_process(*, batch_id: int, task_id: str = "") -> ImportBatch:
    """Check and import a batch that has its mapping. Idempotent: a finished batch is
    returned as it is; one that another worker is running is waited for first."""
    with _batch_lock(batch_id):
        batch = ImportBatch.objects.get(pk=batch_id)
        if batch.is_finished or not batch.mapping.get("columns"):
            return batch
        batch = job_claim(
            ImportBatch,
            batch_id,
            task_id=task_id,
            status=ImportBatch.Status.CHECKING,
            processed_rows=0,
            errors=[],
            refused_lines=[],
            message="",
        )
        if batch.is_finished:
            return batch
        try:
            _run(batch)
        except ImportRefused as refusal:
            _finish(
                batch,
                ImportBatch.Status.INVALID,
                errors=[refusal.as_error()],
                message=_("Fichier refusé : %s") % refusal.as_text(),
            )
        except Exception:
            logger.exception("Import %s en échec", batch.uuid)
            if not _broken_transaction():
                job_fail(
                    batch,
                    _(
                        "L'import a échoué sur une erreur inattendue ; rien n'a été "
                        "importé. L'équipe technique en est informée."
                    ),
                )
        finally:
            if not connection.in_atomic_block and connection.is_usable():
                with connection.cursor() as cursor:
                    staging.staging_drop(cursor=cursor)
    return batch


def _broken_transaction() -> bool:
    """Inside a broken outer transaction (tests) nothing can be written."""
    return connection.in_atomic_block and connection.needs_rollback


def _finish(batch: ImportBatch, status: str, **fields) -> None:
    if _broken_transaction():
        return
    job_finish(batch, status=status, **fields)
    if status == ImportBatch.Status.DONE:
        occurrences_changed_on_commit("import")


def _run(batch: ImportBatch) -> None:
    errors = ErrorLog(
        limit=int(getattr(settings, "IMPORT_MAX_REPORTED_ERRORS", MAX_REPORTED_ERRORS))
    )
    clock = [time.perf_counter()]
    table = table_open(path=batch.file.path, filename=batch.filename)
    try:
        rows = _stage(batch, table, errors)
    except ImportRefused as refusal:
        # The file stops being readable here: report it with the row errors found so far.
        errors.add(refusal.line, refusal.column, refusal.message)
        _finish(
            batch,
            ImportBatch.Status.INVALID,
            errors=errors.sorted_entries(),
            message=errors.summary(),
        )
        return
    finally:
        table.close()
    clock.append(time.perf_counter())
    plan = MergePlan.for_mapping(
        columns=batch.mapping["columns"],
        dataset_id=batch.dataset_id,
        programme_id=batch.dataset.programme_id,
        user_id=batch.created_by_id,
        batch_id=batch.pk,
    )
    with connection.cursor() as cursor:
        _check(batch, plan, cursor, errors)
        clock.append(time.perf_counter())
        kept, refused = _kept_lines(batch, plan, cursor, errors, rows)
        if errors and not kept:
            _finish(
                batch,
                ImportBatch.Status.INVALID,
                total_rows=rows,
                errors=errors.sorted_entries(),
                message=errors.summary(),
            )
            return
        skipped = errors.summary(skipped_lines=rows - kept) + " " if errors else ""
        if batch.dry_run:
            _finish(
                batch,
                ImportBatch.Status.CHECKED,
                total_rows=rows,
                errors=errors.sorted_entries(),
                message=skipped + _dry_run_message(cursor, plan, kept),
            )
            return
        job_step(batch, 95, status=ImportBatch.Status.IMPORTING, total_rows=rows)
        with transaction.atomic():
            # JIT compilation costs ~0.5 s per big statement here and never pays back.
            cursor.execute("SET LOCAL jit = off")
            # Derived fields (communes, grid, sensitivity…) are computed by the INSERT
            # itself: see observations/services/derived.py for why.
            created, updated = merge_run(
                cursor=cursor, plan=plan, batch_label=str(batch.uuid)
            )
            clock.append(time.perf_counter())
            _finish(
                batch,
                ImportBatch.Status.DONE,
                created_count=created,
                updated_count=updated,
                errors=errors.sorted_entries(),
                refused_lines=refused,
                message=skipped
                + _(
                    "%(rows)d ligne(s) lue(s) : %(created)d observation(s) créée(s), "
                    "%(updated)d mise(s) à jour, %(same)d déjà présente(s) à l'identique."
                )
                % {
                    "rows": rows,
                    "created": created,
                    "updated": updated,
                    "same": kept - created - updated,
                },
            )
        clock.append(time.perf_counter())  # after the commit and its deferred FK checks
        logger.info(
            "Import %s : %d lignes ; lecture %.1f s, contrôles %.1f s, écriture %.1f s,"
            " validation (commit) %.1f s",
            batch.uuid,
            rows,
            *(b - a for a, b in zip(clock, clock[1:], strict=False)),
        )


def _stage(batch: ImportBatch, table, errors: ErrorLog) -> int:
    """Read, check and COPY every row; returns the number of data rows."""
    problems = mapping_problems(batch.mapping, table.headers)
    if problems:
        raise ImportRefused(" ".join(problems), line=1)
    mapped = set(batch.mapping["columns"].values())
    doubled = sorted(h for h in mapped if table.headers.count(h) > 1)
    if doubled:
        raise ImportRefused(
            _("Colonne(s) en double dans l'en-tête : %s.") % ", ".join(doubled), line=1
        )
    reader = RowReader(
        headers=table.headers,
        mapping=batch.mapping,
        dataset_uuid=batch.dataset.uuid,
        errors=errors,
        has_nul=table.has_nul,
        formulas=table.kind == "xlsx",
    )
    if reader.name_column is not None:
        # One pass more over the file, then one query for all its distinct names.
        scan = table_open(path=batch.file.path, filename=batch.filename)
        try:
            reader.taxon_names = taxa_by_names(reader.names_to_resolve(scan.rows()))
        finally:
            scan.close()
    rows, buffer = 0, []
    with connection.cursor() as cursor:
        staging.staging_create(cursor=cursor)
    absorb = _Absorb(connection.connection)
    saved = [0.0]  # when the progress was last saved: the first chunk's is
    try:
        for line, cells in table.rows():
            staged = reader.read(line, cells)
            if staged is None:
                continue
            buffer.append(staged)
            rows += 1
            if len(buffer) >= CHUNK_ROWS:
                absorb.wait()  # the connection is free again
                _copy(connection.connection, buffer)
                _progress(batch, rows, saved)
                absorb.start()
        absorb.wait()
        if buffer:
            _copy(connection.connection, buffer)
            absorb.start()
            absorb.wait()
    finally:
        absorb.join()  # a refusal of the file: its chunk finished before anything else
    saved[0] = 0.0
    _progress(batch, rows, saved)
    if not rows:
        errors.add(None, "", _("Le fichier ne contient aucune ligne de données."))
    return rows


def _progress(batch: ImportBatch, rows: int, saved: list[float]) -> None:
    """Reading and checking fill the bar up to 90 %, the insertion the rest. The cache
    gets each step, the batch's row one a second (``saved``: when it last did)."""
    percent = 90 * rows // max(batch.total_rows, rows, 1)
    save = time.monotonic() - saved[0] >= PROGRESS_SAVE_S
    if save:
        saved[0] = time.monotonic()
    job_step(
        batch,
        percent,
        rows=rows,
        total=batch.total_rows,
        save=save,
        **({"processed_rows": rows} if save else {}),
    )


def _copy(raw_connection, buffer: list) -> None:
    with raw_connection.cursor() as cursor:
        with cursor.copy(staging.copy_statement()) as copy:
            write = copy.write_row
            for row in buffer:
                write(row)
    buffer.clear()


class _Absorb:
    """The server moves the chunk just COPY'd into the staging table, with its places
    (``staging.chunk_absorb_sql``), in a thread of this process that only waits for it,
    while the main thread reads the next chunk. Nothing else uses the connection until
    ``wait``: the next COPY, a progress save and the checks all come after it."""

    def __init__(self, raw_connection):
        self.raw = raw_connection
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            with self.raw.cursor() as cursor:
                cursor.execute(staging.chunk_absorb_sql())
        except BaseException as error:  # raised again in the main thread
            self.error = error

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None

    def wait(self) -> None:
        self.join()
        if self.error is not None:
            error, self.error = self.error, None
            raise error


def _check(batch: ImportBatch, plan: MergePlan, cursor, errors: ErrorLog) -> None:
    """The set-based checks, whose errors join the row errors."""
    columns = batch.mapping["columns"]
    staging.staging_prepare(cursor=cursor, dataset_id=batch.dataset_id)
    for entries, total in staging.staging_check(
        cursor=cursor,
        dataset_id=batch.dataset_id,
        columns=columns,
        limit=errors.limit,
    ):
        errors.extend(entries, total)
    user = batch.created_by
    if user is not None and user.write_scope == Scope.OWN:
        errors.extend(
            *merge_foreign_changes(
                cursor=cursor,
                plan=plan,
                owner_id=user.pk,
                column=columns.get("idSINPOccTax") or columns.get("idOrigine") or "",
                limit=errors.limit,
            )
        )


def _kept_lines(
    batch, plan: MergePlan, cursor, errors: ErrorLog, rows: int
) -> tuple[int, list[int]]:
    """(lines to write, lines left out): all of them when nothing is wrong; in the
    all-or-nothing mode none when something is; in the valid-lines mode those without
    error (the others are removed from the staging table, their errors kept for the
    page and their numbers for the CSV of refused lines)."""
    if not errors:
        return rows, []
    if batch.mode != Mode.VALID_LINES:
        return 0, []
    also = []
    user = batch.created_by
    if user is not None and user.write_scope == Scope.OWN:
        also.append(foreign_changes_check(plan, user.pk))
    return staging.staging_keep_valid(
        cursor=cursor,
        dataset_id=batch.dataset_id,
        columns=batch.mapping["columns"],
        also=also,
    )


def _dry_run_message(cursor, plan: MergePlan, rows: int) -> str:
    cursor.execute(
        f"SELECT count(*) FILTER (WHERE existing_id IS NULL) FROM {staging.TABLE}"
    )
    new = cursor.fetchone()[0]
    cursor.execute(f"SELECT count(*) FROM ({plan.changed_rows_sql()}) AS changed")
    changed = cursor.fetchone()[0]
    return _(
        "Essai à blanc réussi, rien n'a été enregistré : %(rows)d ligne(s) valide(s), "
        "%(new)d nouvelle(s) observation(s), %(changed)d à mettre à jour, %(same)d déjà "
        "présente(s) à l'identique."
    ) % {"rows": rows, "new": new, "changed": changed, "same": rows - new - changed}
