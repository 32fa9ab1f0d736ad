"""Import batches: creation from an uploaded file, column mapping, saved mappings, undo."""

import hashlib
from pathlib import Path

from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpie_naturaliste.core.tabular.errors import ImportRefused, Mode
from cpie_naturaliste.core.tabular.files import (
    import_max_bytes,
    size_refusal,
    table_inspect,
)
from observations.models import ImportBatch, ImportMapping, Occurrence
from observations.services.occurrences import occurrences_tombstone
from observations.signals import occurrences_changed_on_commit
from referentiel.models import Dataset, Organisation

from .columns import file_format, mapping_clean, mapping_guess, mapping_problems
from .selectors import import_batch_can_undo, import_batch_is_coordinated_by

DEFAULT_MAPPING_NAME = "Modèle par défaut"


def import_batch_create(
    *,
    user,
    dataset: Dataset,
    file: File,
    filename: str,
    dry_run: bool = False,
    mode: str = Mode.ALL_OR_NOTHING,
    mapping: dict | None = None,
) -> ImportBatch:
    """Store an uploaded file as a new batch, after the file-level checks.

    The batch gets a mapping when ``mapping`` fits the file or when its headers are the SINP
    names; otherwise its mapping stays empty and the user maps the columns next. Raises
    ``ImportRefused`` (and keeps nothing) for an unreadable or hostile file."""
    if file.size is not None and file.size > import_max_bytes():
        raise size_refusal(file.size)
    if user is not None and not (
        Dataset.objects.writable_by(user).filter(pk=dataset.pk).exists()
    ):
        raise ImportRefused(
            _("Vous ne pouvez pas importer dans le jeu de données « %s ».") % dataset
        )
    batch = ImportBatch(
        dataset=dataset,
        filename=Path(filename).name[:255],
        dry_run=dry_run,
        mode=mode,
        created_by=user if user and user.is_authenticated else None,
    )
    batch.file.save(batch.filename, file, save=False)
    path = Path(batch.file.path)
    try:
        info = table_inspect(path=path, filename=batch.filename)
    except ImportRefused:
        batch.file.delete(save=False)
        raise
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    batch.file_sha256 = digest.hexdigest()
    batch.total_rows = info.estimated_rows
    proposed = mapping if mapping else mapping_guess(info.headers)
    ready = not mapping_problems(proposed, info.headers)
    batch.mapping = {
        **(mapping_clean(proposed, info.headers) if ready else {}),
        "headers": info.headers,
        "kind": info.kind,
        "format": file_format(info.headers, info.kind),
    }
    batch.save()
    return batch


def import_batch_needs_mapping(batch: ImportBatch) -> bool:
    return not batch.mapping.get("columns")


def import_mapping_propose(*, organisation: Organisation | None, headers: list[str]):
    """(mapping, French note) to preselect in the mapping step: the SINP names found, then
    the organisation's default mapping for the columns this file has."""
    proposed = mapping_guess(headers)
    default = (
        organisation.import_mappings.filter(is_default=True).first()
        if organisation
        else None
    )
    if default is None:
        return proposed, ""
    saved = mapping_clean(default.mapping, headers)
    proposed["columns"].update(saved["columns"])
    proposed["srid"] = saved["srid"]
    return proposed, _("Modèle « %s » de votre organisme proposé.") % default.name


def import_batch_set_mapping(
    *,
    batch: ImportBatch,
    mapping: dict,
    organisation: Organisation | None = None,
    save_as_default: bool = False,
    name: str = DEFAULT_MAPPING_NAME,
) -> ImportBatch:
    """Give a pending batch its mapping; optionally save it as the organisation's default."""
    headers = batch.mapping.get("headers", [])
    problems = mapping_problems(mapping, headers)
    if problems:
        raise ImportRefused(" ".join(problems))
    if batch.status != ImportBatch.Status.PENDING:
        raise ImportRefused(
            _("Cet import est déjà lancé : sa correspondance est fixée.")
        )
    cleaned = mapping_clean(mapping, headers)
    with transaction.atomic():
        if save_as_default and organisation is not None:
            import_mapping_save(
                organisation=organisation, name=name, mapping=cleaned, is_default=True
            )
        batch.mapping = {**batch.mapping, **cleaned}
        batch.save(update_fields=["mapping", "updated_at"])
    return batch


@transaction.atomic
def import_mapping_save(
    *, organisation: Organisation, name: str, mapping: dict, is_default: bool
) -> ImportMapping:
    """Create or replace the organisation's mapping called ``name``."""
    name = (name or DEFAULT_MAPPING_NAME).strip()[:100]
    if is_default:
        organisation.import_mappings.filter(is_default=True).exclude(name=name).update(
            is_default=False
        )
    saved, _created = ImportMapping.objects.update_or_create(
        organisation=organisation,
        name=name,
        defaults={
            "mapping": {"columns": mapping["columns"], "srid": mapping["srid"]},
            "is_default": is_default,
        },
    )
    return saved


def import_batch_undo(*, batch: ImportBatch, user, force: bool = False) -> int:
    """Delete the occurrences the batch created and mark it "Annulé"; returns how many.

    Refused when some were validated since the import, unless ``force`` by a coordinator of
    the dataset. Occurrences the batch only updated keep their new values (their history
    shows the change)."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if not import_batch_can_undo(user, batch):
            raise ImportRefused(
                _("Vous ne pouvez pas annuler cet import (ou il n'est pas terminé).")
            )
        validated = batch.occurrences.exclude(validation_status=0).count()
        if validated and not (force and import_batch_is_coordinated_by(user, batch)):
            raise ImportRefused(
                _(
                    "%(count)d observation(s) de cet import ont été validées depuis : "
                    "seul un coordinateur peut forcer l'annulation."
                )
                % {"count": validated}
            )
        try:
            deleted = _delete_created(batch, user=user)
        except IntegrityError as error:
            raise ImportRefused(
                _(
                    "Des observations de cet import sont utilisées ailleurs (protocole, "
                    "suivi…) : annulation impossible."
                )
            ) from error
        batch.status = ImportBatch.Status.UNDONE
        batch.message = _(
            "Import annulé le %(date)s par %(user)s : %(count)d "
            "observation(s) supprimée(s)."
        ) % {
            "date": timezone.localtime().strftime("%d/%m/%Y à %H:%M"),
            "user": user.get_full_name() or user.get_username(),
            "count": deleted,
        }
        batch.save(update_fields=["status", "message", "updated_at"])
        occurrences_changed_on_commit("undo")
    return deleted


def _delete_created(batch: ImportBatch, *, user) -> int:
    """Delete the batch's occurrences and the rows that depend on them, set-based."""
    meta = Occurrence._meta
    ids = f"SELECT id FROM {meta.db_table} WHERE import_batch_id = %s"
    occurrences_tombstone(where="import_batch_id = %s", params=[batch.pk], user=user)
    with connection.cursor() as cursor:
        for field in meta.many_to_many:
            through = field.remote_field.through._meta
            column = field.m2m_column_name()
            cursor.execute(
                f"DELETE FROM {through.db_table} WHERE {column} IN ({ids})", [batch.pk]
            )
        for relation in meta.related_objects:
            table = relation.related_model._meta.db_table
            column = relation.field.column
            if relation.on_delete.__name__ == "CASCADE":
                sql = f"DELETE FROM {table} WHERE {column} IN ({ids})"
            elif relation.on_delete.__name__ == "SET_NULL":
                sql = f"UPDATE {table} SET {column} = NULL WHERE {column} IN ({ids})"
            else:
                continue  # PROTECT and the like: the foreign key refuses below
            cursor.execute(sql, [batch.pk])
        cursor.execute(
            f"DELETE FROM {meta.db_table} WHERE import_batch_id = %s", [batch.pk]
        )
        deleted = cursor.rowcount
        # Django's foreign keys are deferred: check now, so a row that other tables still
        # reference fails here with a clear message rather than at commit.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return deleted
