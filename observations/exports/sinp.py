"""The SINP/RAIN annual export: the validated records of one year for the faune or flore
regional pole, precise, with their computed sensitivity, as one ZIP file.

The ZIP holds, in this order:

- ``export.json``: what the file is (year, pole, mode, perimeter, counts, columns, format);
- ``occurrences.csv``: the standard "Occurrences de taxon" columns (observations.exports.
  columns, SINP DEE names), one row per record, sorted by idSINPOccTax. Semicolon, UTF-8
  *without* BOM (a file for machines: a BOM would end up in the first column's name), LF line
  ends, nomenclatures as SINP codes, geometry as WKT in WGS84 (EPSG:4326), precise: poles are
  public authorities (``Reader.authority()``), so ``sensiNiveau`` carries the computed level
  and ``dEEFloutage`` keeps the producer's value (no blurring was done);
- ``suppressions.csv`` (incremental exports only): idSINPOccTax, idSINPJdd and reason of the
  records the pole holds that are no longer exported (``supprimee``: deleted;
  ``non_validee``: no longer validated; ``hors_perimetre``: moved to another year or pole);
- ``jdd/<idSINPJdd>.json``: the metadata of each dataset in the file (sinp.md §2d).

Same data, same bytes: fixed member order and timestamps, sorted rows, nothing in the files
that depends on when or by whom the export was made.

What was sent is logged per record (observations.models.exports): the fingerprint of each row
sent (md5 of its exported line) or its deletion. An incremental export compares, in SQL, the
rows it would send now with the latest item per record of the previous exports of the same
year, pole and perimeter (back to the last complete one): it sends the new and changed rows and
the deletion of the records the pole holds that are gone. Comparing the exported line rather
than ``updated_at`` also catches what bulk updates change without touching it (sensitivity
recomputed, taxon renamed, dataset retitled).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from cpie_naturaliste.core.jobs.services import (
    job_claim,
    job_fail,
    job_finish,
    job_step,
)
from cpie_naturaliste.core.sql import queryset_sql
from observations.blurring import Reader
from observations.exports.columns import COLUMNS, export_values
from observations.exports.files import file_sha256, zip_write
from observations.exports.sinp_manifest import (
    DATASET_DIR,
    DELETIONS,
    MANIFEST,
    OCCURRENCES,
    datasets_metadata,
    json_bytes,
    manifest,
)
from observations.exports.writers import write_csv
from observations.models import (
    Occurrence,
    OccurrenceDeletion,
    SinpExport,
    SinpExportItem,
)
from referentiel.models import Scope
from referentiel.permissions import can_coordinate

logger = logging.getLogger(__name__)

# The pole of a record follows its taxon's TAXREF kingdom: animals go to the faune pole,
# everything else (Plantae, Fungi, Chromista, Protozoa, Bacteria…) to the flore pole, so
# that every record belongs to exactly one pole. This is the only place that says so.
FAUNE_KINGDOMS = ("Animalia",)

YEAR_MIN = 1800

# progress(percent, rows_written, rows_to_write)
Progress = Callable[[int, int, int], None] | None


class SinpExportRefused(ValueError):
    """A request the export cannot honour; ``str()`` is the French message to show."""


def pole_q(pole: str) -> Q:
    """The records of a pole, as a filter (see ``FAUNE_KINGDOMS``)."""
    animals = Q(taxon__kingdom__in=FAUNE_KINGDOMS)
    if pole == SinpExport.Pole.FAUNE:
        return animals
    if pole == SinpExport.Pole.FLORE:
        return ~animals
    raise SinpExportRefused(_("Pôle inconnu : « faune » ou « flore »."))


def pole_of_kingdom(kingdom: str) -> str:
    """``pole_q`` for one kingdom name."""
    if kingdom in FAUNE_KINGDOMS:
        return SinpExport.Pole.FAUNE
    return SinpExport.Pole.FLORE


def sinp_year_check(year) -> int:
    """The year as an int, or a French refusal (the current year is not over: accepted, but
    the annual export is made in January for the year before)."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise SinpExportRefused(
            _(
                "Année invalide : indiquez une année sur quatre chiffres, par exemple 2020."
            )
        ) from None
    last = timezone.localdate().year
    if not YEAR_MIN <= year <= last:
        raise SinpExportRefused(
            _("L'année doit être comprise entre %(min)s et %(max)s.")
            % {"min": YEAR_MIN, "max": last}
        )
    return year


def sinp_export_perimeter(user):
    """The organisation whose datasets a user's export covers, or None for the whole
    network (the command, the yearly task, superusers and regional coordinators)."""
    if user is None or user.read_scope == Scope.ALL:
        return None
    return user.organisation


def sinp_exports_visible_to(user) -> QuerySet:
    """Exports a user may list and download: all for the network, else their perimeter's."""
    exports = SinpExport.objects.select_related("created_by", "organisation")
    if not can_coordinate(user):
        return exports.none()
    organisation = sinp_export_perimeter(user)
    if organisation is None:
        return exports
    return exports.filter(organisation=organisation)


def sinp_queryset(export: SinpExport) -> QuerySet:
    """The records an export covers: validated, dated in its year, of its pole and perimeter,
    read by a public authority (precise, with their sensitivity)."""
    user = export.created_by
    if user is not None:
        records = Occurrence.objects.visible_to(user, reader=Reader.authority())
    else:
        records = Reader.authority().restrict(Occurrence.objects.all())
    records = records.validated().filter(
        pole_q(export.pole),
        date_start__gte=f"{export.year}-01-01",
        date_start__lt=f"{export.year + 1}-01-01",
    )
    if export.organisation_id is not None:
        records = records.filter(dataset__producer_id=export.organisation_id)
    return records


def sinp_rows(export: SinpExport) -> QuerySet:
    """The standard columns of the export's records, sorted by idSINPOccTax (the uuid's
    order is its text's order)."""
    return export_values(sinp_queryset(export), list(COLUMNS)).order_by("uuid")


# --- Creating and running an export ----------------------------------------------------------


def sinp_export_create(
    *, year, pole: str, incremental: bool = False, user=None
) -> SinpExport:
    year = sinp_year_check(year)
    pole_q(pole)  # refuses an unknown pole
    return SinpExport.objects.create(
        year=year,
        pole=pole,
        mode=SinpExport.Mode.INCREMENTAL if incremental else SinpExport.Mode.COMPLETE,
        organisation=sinp_export_perimeter(user),
        created_by=user,
    )


def sinp_export(
    *,
    year,
    pole: str,
    out_path: Path | str | None = None,
    incremental: bool = False,
    user=None,
    progress: Progress = None,
) -> SinpExport:
    """Export now (command line): the file is kept under MEDIA_ROOT (listed on the exports
    page) and copied to ``out_path`` if given. Raises on failure, after logging it."""
    export = sinp_export_create(
        year=year, pole=pole, incremental=incremental, user=user
    )
    export = sinp_export_process(export.pk, progress=progress)
    if out_path is not None:
        out_path = Path(out_path)
        partial = out_path.with_name(f".{out_path.name}.partiel")
        with export.file.open("rb") as src, partial.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        os.replace(partial, out_path)
    return export


def sinp_export_process(
    export_id: int, *, task_id: str = "", progress: Progress = None
) -> SinpExport:
    """Write an export's file and log what it sent. Safe to run twice (Celery acks_late): a
    finished or failed export is left as it is; a run interrupted by a lost worker starts
    again from nothing (its items and file are written in one transaction, the file through
    a temporary name)."""
    export = job_claim(SinpExport, export_id, task_id=task_id, error="")
    if export.is_finished:
        return export
    try:
        _run(export, progress)
    except Exception as exc:
        logger.exception("Export SINP %s en échec", export.pk)
        job_fail(
            export,
            _("L'export a échoué, aucun fichier n'a été produit : %(error)s")
            % {"error": exc},
        )
        raise
    export.refresh_from_db()
    return export


def _reporter(export: SinpExport, progress: Progress):
    """Each step to the job (read by its page before the export commits) and ``progress``."""

    def report(percent: int, rows: int = 0, total: int = 0, save: bool = True) -> None:
        job_step(export, percent, rows=rows, total=total, save=save)
        if progress is not None:
            progress(percent, rows, total)

    return report


@contextmanager
def _chain_lock(export: SinpExport):
    """One export at a time per year, pole and perimeter. Outside any transaction the lock is
    taken before the export's transaction starts, so that its snapshot sees the export that
    held it."""
    key = f"{export.year}:{export.pole}:{export.organisation_id or ''}"
    lock_sql = "SELECT {}(hashtext('sinp-export'), hashtext(%s))"
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(lock_sql.format("pg_advisory_xact_lock"), [key])
        yield False
        return
    with connection.cursor() as cursor:
        cursor.execute(lock_sql.format("pg_advisory_lock"), [key])
    try:
        yield True
    finally:
        with connection.cursor() as cursor:
            cursor.execute(lock_sql.format("pg_advisory_unlock"), [key])


def _chain(export: SinpExport) -> QuerySet:
    """The finished exports of the same year, pole and perimeter."""
    return SinpExport.objects.filter(
        year=export.year,
        pole=export.pole,
        organisation_id=export.organisation_id,
        status=SinpExport.Status.DONE,
    ).exclude(pk=export.pk)


def _run(export: SinpExport, progress: Progress) -> None:
    report = _reporter(export, progress)
    report(1)
    relative = f"exports/sinp/{export.filename}"
    final = Path(settings.MEDIA_ROOT) / relative
    final.parent.mkdir(parents=True, exist_ok=True)
    with _chain_lock(export) as own_transaction, transaction.atomic():
        if own_transaction:
            with connection.cursor() as cursor:
                # The fingerprints, the files and the log read one snapshot.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        chain = _chain(export)
        last = chain.aggregate(sequence=Max("sequence"))["sequence"] or 0
        SinpExportItem.objects.filter(export=export).delete()
        rows, deletions = _record_items(export, chain)
        report(10, 0, rows)
        sent = SinpExportItem.objects.filter(export=export, deleted=False).values(
            "uuid"
        )
        with tempfile.TemporaryDirectory(dir=final.parent, prefix=".sinp-") as tmp:
            tmp = Path(tmp)
            members: list[tuple[str, Path | bytes]] = []
            occurrences = tmp / OCCURRENCES

            def copy_progress(done: int) -> None:
                # Inside the COPY: the connection runs nothing else (cache only).
                percent = 10 + int(80 * min(done, rows) / max(rows, 1))
                report(percent, done, rows, save=False)

            with occurrences.open("wb") as out:
                written = write_csv(
                    sinp_rows(export).filter(uuid__in=sent),
                    out,
                    bom=False,
                    progress=copy_progress,
                )
            if written != rows:
                raise RuntimeError(
                    _("%(written)s lignes écrites pour %(rows)s attendues.")
                    % {"written": written, "rows": rows}
                )
            files = {OCCURRENCES: occurrences}
            if export.mode == SinpExport.Mode.INCREMENTAL:
                files[DELETIONS] = tmp / DELETIONS
                with files[DELETIONS].open("wb") as out:
                    write_csv(_deletion_rows(export), out, bom=False)
            report(92, rows, rows)
            datasets = datasets_metadata(export)
            members.append(
                (
                    MANIFEST,
                    json_bytes(manifest(export, rows, deletions, files, datasets)),
                )
            )
            members.extend(files.items())
            members.extend(
                (f"{DATASET_DIR}/{key}.json", json_bytes(value))
                for key, value in datasets.items()
            )
            partial = tmp / "export.zip"
            zip_write(partial, members)
            digest = file_sha256(partial)
            os.replace(partial, final)
        job_finish(
            export,
            rows_sent=rows,
            deletions_sent=deletions,
            file=relative,
            sha256=digest,
            sequence=last + 1,
        )
    if progress is not None:
        progress(100, rows, rows)


def _record_items(export: SinpExport, chain: QuerySet) -> tuple[int, int]:
    """Log, in SQL, the rows this export sends (all of them, or the new and changed ones)
    and the deletions; returns their counts."""
    item, table = SinpExportItem._meta.db_table, SinpExport._meta.db_table
    query, params = queryset_sql(sinp_rows(export).order_by())
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sinp_current, sinp_previous")
        cursor.execute(
            'CREATE TEMP TABLE sinp_current AS SELECT t."idSINPOccTax"::uuid AS uuid,'
            f" md5(t::text)::uuid AS fingerprint FROM ({query}) t",
            params,
        )
        if export.mode == SinpExport.Mode.COMPLETE:
            cursor.execute(
                f"INSERT INTO {item} (export_id, uuid, fingerprint, deleted)"
                " SELECT %s, uuid, fingerprint, false FROM sinp_current",
                [export.pk],
            )
            rows = cursor.rowcount
            cursor.execute("DROP TABLE sinp_current")
            return rows, 0
        # What the pole holds: the latest item per record since the last complete export.
        since = (
            chain.filter(mode=SinpExport.Mode.COMPLETE).aggregate(s=Max("sequence"))[
                "s"
            ]
            or 0
        )
        exports = list(chain.filter(sequence__gte=since).values_list("pk", flat=True))
        cursor.execute("ANALYZE sinp_current")
        cursor.execute(
            "CREATE TEMP TABLE sinp_previous AS SELECT uuid, fingerprint FROM ("
            " SELECT DISTINCT ON (i.uuid) i.uuid, i.fingerprint, i.deleted"
            f" FROM {item} i JOIN {table} e ON e.id = i.export_id"
            " WHERE i.export_id = ANY(%s) ORDER BY i.uuid, e.sequence DESC"
            ") s WHERE NOT s.deleted",
            [exports],
        )
        cursor.execute("ANALYZE sinp_previous")
        cursor.execute(
            f"INSERT INTO {item} (export_id, uuid, fingerprint, deleted)"
            " SELECT %s, c.uuid, c.fingerprint, false FROM sinp_current c"
            " WHERE NOT EXISTS (SELECT 1 FROM sinp_previous p"
            " WHERE p.uuid = c.uuid AND p.fingerprint = c.fingerprint)",
            [export.pk],
        )
        rows = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {item} (export_id, uuid, fingerprint, deleted)"
            " SELECT %s, p.uuid, NULL, true FROM sinp_previous p"
            " WHERE NOT EXISTS (SELECT 1 FROM sinp_current c WHERE c.uuid = p.uuid)",
            [export.pk],
        )
        deletions = cursor.rowcount
        cursor.execute("DROP TABLE sinp_current, sinp_previous")
    return rows, deletions


def _deletion_rows(export: SinpExport) -> QuerySet:
    record = Occurrence.objects.filter(uuid=OuterRef("uuid"))
    tombstone = OccurrenceDeletion.objects.filter(uuid=OuterRef("uuid"))
    return (
        SinpExportItem.objects.filter(export=export, deleted=True)
        .order_by("uuid")
        .values(
            idSINPOccTax=Cast("uuid", CharField()),
            idSINPJdd=Cast(
                Coalesce(
                    Subquery(record.values("dataset__uuid")[:1]),
                    Subquery(tombstone.values("dataset__uuid")[:1]),
                ),
                CharField(),
            ),
            motif=Case(
                When(
                    Exists(record.filter(validation_status__in=[1, 2])),
                    then=Value("hors_perimetre"),
                ),
                When(Exists(record), then=Value("non_validee")),
                default=Value("supprimee"),
                output_field=CharField(),
            ),
        )
    )


# --- The yearly export -------------------------------------------------------------------------


def sinp_export_annual(*, today=None) -> list[SinpExport]:
    """Each January: the year before, both poles, for the whole network; complete the first
    time, incremental when that year was already exported. A second delivery of the task
    finds the exports made less than 12 hours ago and makes no other."""
    today = today or timezone.localdate()
    year = today.year - 1
    exports = []
    for pole in SinpExport.Pole.values:
        automatic = SinpExport.objects.filter(
            year=year, pole=pole, organisation=None, created_by=None
        )
        recent = automatic.filter(
            created_at__gte=timezone.now() - timedelta(hours=12)
        ).exclude(status=SinpExport.Status.FAILED)
        if recent.exists():
            continue
        done_before = _chain(SinpExport(year=year, pole=pole)).exists()
        export = sinp_export_create(year=year, pole=pole, incremental=done_before)
        try:
            exports.append(sinp_export_process(export.pk))
        except Exception:
            export.refresh_from_db()
            exports.append(export)
    return exports
