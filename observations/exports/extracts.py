"""Partner extracts: which records an extract holds, who may ask for one and for whom, and the
job that writes its file (Celery, idempotent, on the core's job services, file kept for a
while).

Rows are what the requester may read (``visible_to``), blurred for the recipient: an extract
made for a partner organisation carries that partner's precision, whoever clicks the button.
An extract asks for one format or several; several come as one ZIP holding a file per
format and a ``LISEZMOI.txt`` that says how blurred rows are written
(``observations.exports.columns.extract_values``).
"""

import logging
import os
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.gis.db.models import Union
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cpie_naturaliste.core.jobs.services import (
    job_claim,
    job_create,
    job_fail,
    job_finish,
    job_step,
)
from cpie_naturaliste.core.replica import replica_reads
from observations.blurring import (
    Reader,
    area_q,
    attribute_q,
    is_blurred_queryset,
    precise_condition,
)
from observations.exports.columns import extract_values
from observations.exports.files import file_sha256, zip_write
from observations.exports.writers import (
    write_csv,
    write_geojson,
    write_gpkg,
    write_xlsx,
)
from observations.models import Extract, Occurrence
from referentiel.models import Commune, Organisation, Scope, Taxon
from referentiel.permissions import can_coordinate, can_extract

logger = logging.getLogger(__name__)
DEFAULT_RETENTION_DAYS = 30
# Excel stops at 1,048,576 lines.
XLSX_MAX_ROWS = 1_048_575
LOCK_NAMESPACE = 7_315_002  # pg advisory lock space of extracts (imports: 7_315_001)


def extract_retention_days() -> int:
    """How long a file is kept: the page announces it, the nightly task deletes it after."""
    return int(getattr(settings, "EXTRACT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def extract_recipients(user) -> QuerySet[Organisation]:
    """Coordinators extract for any organisation; a partner only for its own."""
    if can_coordinate(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(pk=user.organisation_id)


def extracts_visible_to(user) -> QuerySet[Extract]:
    """The exchange log as the user may read it: regional coordinators all of it, others
    the extracts their organisation asked for or received."""
    extracts = Extract.objects.select_related("requested_by", "recipient")
    if not can_extract(user):
        return extracts.none()
    if user.read_scope == Scope.ALL:
        return extracts
    return extracts.filter(
        Q(requested_by__organisation_id=user.organisation_id)
        | Q(recipient_id=user.organisation_id)
        | Q(requested_by=user)
    )


def extract_reader(*, user, recipient: Organisation) -> Reader:
    """Internal extracts read as the requester; extracts for another organisation read
    with that organisation's clearance (and its own datasets precise)."""
    if recipient.pk == user.organisation_id:
        return Reader.for_user(user)
    return Reader.for_organisation(recipient)


def extract_queryset(*, user, reader: Reader, filters: dict, area=None) -> QuerySet:
    """The records of an extract. ``filters`` holds lists (communes, sites, atlas_groups,
    taxa, programmes, validation) and years (year_min, year_max); the territory is the union
    of the drawn ``area``, the communes and the sites."""
    qs = Occurrence.objects.visible_to(user, reader=reader)
    territory = Q()
    if area is not None:
        territory |= area_q(qs, precise=Q(geom__intersects=area), area=area)
    if communes := filters.get("communes"):
        union = Commune.objects.filter(insee__in=communes).aggregate(u=Union("geom"))
        territory |= area_q(qs, precise=Q(communes__overlap=communes), area=union["u"])
    if sites := filters.get("sites"):
        territory |= attribute_q(qs, Q(site_id__in=sites))
    if territory:
        qs = qs.filter(territory)
    taxa = Q()
    if groups := filters.get("atlas_groups"):
        taxa |= Q(atlas_group__code__in=groups)
    if cd_noms := filters.get("taxa"):
        refs = set()
        for taxon in Taxon.objects.filter(pk__in=cd_noms):
            refs.update(Taxon.objects.descendant_refs(taxon.cd_ref))
        taxa |= Q(taxon__cd_ref__in=sorted(refs))
    if taxa:
        qs = qs.filter(taxa)
    if year_min := filters.get("year_min"):
        qs = qs.filter(date_start__year__gte=year_min)
    if year_max := filters.get("year_max"):
        qs = qs.filter(date_start__year__lte=year_max)
    if programmes := filters.get("programmes"):
        qs = qs.filter(programme__code__in=programmes)
    if statuses := filters.get("validation"):
        qs = qs.filter(validation_status__in=statuses)
    return qs


def extract_estimate(*, user, reader: Reader, filters: dict, area=None) -> dict:
    """How many rows the request gives, and how many of them come blurred for ``reader``:
    one ``COUNT … FILTER`` over the same records as the file."""
    records = extract_queryset(user=user, reader=reader, filters=filters, area=area)
    blurred = (
        Count("pk", filter=~precise_condition(records))
        if is_blurred_queryset(records)
        else None
    )
    counts = records.order_by().aggregate(
        rows=Count("pk"), **({"blurred": blurred} if blurred is not None else {})
    )
    return {"rows": counts["rows"], "blurred": counts.get("blurred", 0)}


def extract_records(extract: Extract) -> QuerySet:
    return extract_queryset(
        user=extract.requested_by,
        reader=extract_reader(user=extract.requested_by, recipient=extract.recipient),
        filters=extract.filters,
        area=extract.area,
    )


@transaction.atomic
def extract_create(
    *,
    user,
    recipient: Organisation,
    filters: dict,
    area,
    formats: list[str],
    purpose: str = "",
) -> Extract:
    """Log the request (the data exchange) and queue its file once the transaction commits.
    ``formats``: one or several of ``Extract.Format`` (several: one ZIP)."""
    if not can_extract(user):
        raise PermissionError(_("Vous ne pouvez pas demander d'extraction."))
    if not extract_recipients(user).filter(pk=recipient.pk).exists():
        raise PermissionError(_("Vous ne pouvez pas extraire pour cet organisme."))
    formats = [fmt for fmt in Extract.Format.values if fmt in formats]
    if not formats:
        raise ValueError(_("Choisissez au moins un format."))
    reader = extract_reader(user=user, recipient=recipient)
    expected = extract_estimate(user=user, reader=reader, filters=filters, area=area)
    from observations.tasks import extract_run_task

    return job_create(
        Extract,
        task=extract_run_task,
        requested_by=user,
        recipient=recipient,
        purpose=purpose,
        filters=filters,
        area=area,
        formats=formats,
        clearance=reader.clearance,
        rows_expected=expected["rows"],
        blurred_expected=expected["blurred"],
    )


def extract_path(extract: Extract) -> Path:
    return (
        Path(settings.MEDIA_ROOT) / "extracts" / f"{extract.uuid}.{extract.extension}"
    )


@contextmanager
def _extract_lock(extract_id: int):
    """Session advisory lock held for the whole run: a second delivery of the task waits
    for the first (which would otherwise write the same partial file), then finds the
    extract finished, or takes over the one a killed worker left running."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, extract_id])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, extract_id]
            )


def extract_run(extract_id: int, *, task_id: str = "") -> Extract:
    """Write the extract's file. Safe to run twice: a finished extract is left alone, a
    running one is re-run from the start into the same file name (written aside and moved
    into place), attempts are capped; two runs never overlap (lock)."""
    with _extract_lock(extract_id):
        extract = job_claim(Extract, extract_id, task_id=task_id)
        if not extract.is_finished:
            _run(extract)
        return extract


def _run(extract: Extract) -> None:
    final = extract_path(extract)
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_name(f".{final.name}.part")
    try:
        # The rows are read on the replica when there is one (core/replica.py).
        with replica_reads():
            rows = _write_all(extract, partial)
        digest, size = file_sha256(partial), partial.stat().st_size
        os.replace(partial, final)
    except Exception as exc:
        logger.exception("Extraction %s en échec", extract.pk)
        partial.unlink(missing_ok=True)
        job_fail(extract, _("L'extraction a échoué : %(error)s") % {"error": exc})
        return
    now = timezone.now()
    job_finish(
        extract,
        finished_at=now,
        rows=rows,
        file=str(final.relative_to(settings.MEDIA_ROOT)),
        size=size,
        sha256=digest,
        expires_at=now + timedelta(days=extract_retention_days()),
    )


STEP_LABELS = {
    Extract.Format.CSV: _("Écriture du CSV"),
    Extract.Format.XLSX: _("Écriture du classeur XLSX"),
    Extract.Format.GEOJSON: _("Écriture du GeoJSON"),
    Extract.Format.GPKG: _("Écriture du GeoPackage"),
}


def _write_all(extract: Extract, path: Path) -> int:
    """One file at ``path``, or, for several formats, each beside it and then zipped into
    it (with ``LISEZMOI.txt``); returns the rows of the extract."""
    formats = extract.formats
    if not extract.is_zip:
        return _write(extract, formats[0], path, _progress(extract, 0, 1))
    members, rows = [], 0
    try:
        for index, fmt in enumerate(formats):
            member = path.with_name(f"{path.name}.{fmt}")
            members.append((f"{extract.stem}.{fmt}", member))
            rows = _write(extract, fmt, member, _progress(extract, index, len(formats)))
        zip_write(path, [("LISEZMOI.txt", extract_readme(extract, rows)), *members])
    finally:
        for _name, member in members:
            member.unlink(missing_ok=True)
    return rows


def _progress(extract: Extract, index: int, count: int):
    """Rows written so far of the ``index``-th of ``count`` files (the writers report
    every ``PROGRESS_EVERY`` or so), through the cache only: the CSV writer reports from
    inside its COPY, while the connection can run nothing else."""
    expected = max(extract.rows_expected, 1)
    label = STEP_LABELS[extract.formats[index]]
    if count > 1:
        label = f"{label} ({index + 1}/{count})"

    def report(done: int) -> None:
        share = min(done, expected) / expected
        percent = min(99, int((index + share) * 100 / count))
        job_step(extract, percent, str(label), rows=done, total=expected, save=False)

    if index:  # the next file's step shows at once (the first waits for its rows)
        report(0)
    return report


def _write(extract: Extract, fmt: str, path: Path, progress) -> int:
    records = extract_records(extract)
    if fmt in (Extract.Format.GEOJSON, Extract.Format.GPKG):
        values = extract_values(records, spatial=True)
        if fmt == Extract.Format.GPKG:
            return write_gpkg(values, path, progress=progress, date=extract.created_at)
        with path.open("wb") as out:
            return write_geojson(values, out, progress=progress)
    values = extract_values(records, spatial=False)
    with path.open("wb") as out:
        if fmt == Extract.Format.XLSX:
            return write_xlsx(values[:XLSX_MAX_ROWS], out, progress=progress)
        return write_csv(values, out, progress=progress)


README = """\
Extraction de données naturalistes — CPIE Naturaliste
Demandée le {created} par {requester} pour {recipient}.
{purpose}
Fichiers : {files}.
Lignes : {rows} ; à la demande, {blurred} devaient être floutées pour ce destinataire.

Les colonnes portent les noms du standard SINP « Occurrences de taxon » ; les
nomenclatures sont données par leur code SINP. Géométries en WGS84 (EPSG:4326).

Données sensibles : une observation que le destinataire ne peut pas lire en précis est
floutée (typeInfoGeo = 2, « rattachement »), sans lieu-dit, altitude, précision ni
commentaire. Elle est rattachée à une zone :
  typeZoneFloutage   COM commune, M10 maille 10 km INPN, DEP département, REG région ;
  codeZoneFloutage   code INSEE de la commune, code de la maille (10kmL93E…N…) ou du
                     département ;
  nomZoneFloutage    nom de la commune, de la maille ou du département.
Dans le GeoPackage et le GeoJSON, sa géométrie est celle de cette zone. Dans le CSV et le
classeur XLSX, sa colonne « geometrie » est vide : la zone est donnée par son code et son
nom (ni contour ni centroïde, qui se lirait comme le lieu de l'observation). Les
observations lues en précis (typeInfoGeo = 1) gardent leur géométrie.

GeoPackage : une couche par type de géométrie, mêmes colonnes dans le même ordre que le
CSV — observations_points (Point), observations_lignes (MultiLineString),
observations_polygones (MultiPolygon : polygones dessinés et zones de floutage), et
observations_multipoints (MultiPoint) s'il y en a.
"""


def extract_readme(extract: Extract, rows: int) -> bytes:
    """``LISEZMOI.txt`` of a multi-format ZIP: what the files hold and how blurred rows
    are written (also said on the extract page)."""
    requester = extract.requested_by
    text = README.format(
        created=timezone.localtime(extract.created_at).strftime("%d/%m/%Y %H:%M"),
        requester=requester.get_full_name() or requester.username,
        recipient=extract.recipient,
        purpose=f"Objet : {extract.purpose}\n" if extract.purpose else "",
        files=", ".join(f"{extract.stem}.{fmt}" for fmt in extract.formats),
        rows=rows,
        blurred=extract.blurred_expected,
    )
    return text.replace("\n", "\r\n").encode("utf-8")


def extracts_expire() -> int:
    """Delete the files of extracts past their date; the log rows stay (annual report)."""
    expired = 0
    for extract in Extract.objects.filter(
        status=Extract.Status.DONE, expires_at__lt=timezone.now()
    ):
        extract_path(extract).unlink(missing_ok=True)
        Extract.objects.filter(pk=extract.pk).update(
            status=Extract.Status.EXPIRED, file=""
        )
        expired += 1
    return expired
