"""Writes on occurrences. Every app that publishes a naturalist fact goes through these."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.gis.gdal import GDALException
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cpie_naturaliste.core.geo import to_storage_srid
from cpie_naturaliste.core.validation import (
    check_constraints,
    save_validated,
    validate_fields,
)
from observations.models import (
    Occurrence,
    OccurrenceChange,
    OccurrenceDeletion,
    SinpExportItem,
    Validation,
)
from observations.signals import occurrences_changed_on_commit
from referentiel.models import Person

from .codes import nomenclature_labels
from .derived import occurrence_refresh_derived, occurrences_refresh_derived

# Fields whose change is recorded in the history (derived and bookkeeping fields are not).
TRACKED_FIELDS = [
    "dataset_id",
    "taxon_id",
    "cited_name",
    "observation_status",
    "date_start",
    "date_end",
    "time_start",
    "time_end",
    "geom",
    "precision_m",
    "place_name",
    "site_id",
    "programme_id",
    "observers_label",
    "determiner_id",
    "determiner_label",
    "count_min",
    "count_max",
    *Occurrence.NOMENCLATURES,
    "proof_url",
    "proof_text",
    "comment",
]
TRACKED_FIELDS = list(dict.fromkeys(TRACKED_FIELDS))


def occurrence_check(occurrence: Occurrence, *, constraints: bool = True) -> None:
    """Raise a ``ValidationError`` (French messages per field) if the record is not acceptable.

    Runs the model's validation and checks every nomenclature field against its SINP code
    list. The CHECK constraints (dates in order, place within the territory…) are evaluated
    in one query, so that a form shows every error at once; with ``constraints=False``
    (a protocol row, checked by its own protocol) they are left to PostgreSQL at the save,
    with the same French messages (``core.validation``)."""
    errors: dict[str, list[str]] = {}
    if occurrence.geom is not None:
        try:
            occurrence.geom = to_storage_srid(occurrence.geom)
        except GDALException:  # PROJ cannot place it at all (longitude 1e300…)
            raise ValidationError(
                {
                    "geom": [
                        _(
                            "Coordonnées impossibles à convertir en Lambert-93 : "
                            "longitude et latitude en degrés attendues."
                        )
                    ]
                }
            ) from None
    if occurrence.date_start and not occurrence.date_end:
        occurrence.date_end = occurrence.date_start
    if occurrence.observation_status == "No" and occurrence.count_min is None:
        occurrence.count_min = occurrence.count_max = 0
    for field, mnemonic in Occurrence.NOMENCLATURES.items():
        value = getattr(occurrence, field)
        if value not in nomenclature_labels(mnemonic):
            errors.setdefault(field, []).append(
                _("Code « %(code)s » inconnu pour %(field)s.")
                % {
                    "code": value,
                    "field": Occurrence._meta.get_field(field).verbose_name,
                }
            )
    if occurrence.date_end and occurrence.date_end > timezone.localdate():
        errors.setdefault("date_end", []).append(
            _("La date ne peut pas être dans le futur.")
        )
    try:
        validate_fields(occurrence, exclude=["communes"])
        if constraints:
            check_constraints(occurrence, exclude=["communes"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(
                m for m in messages if m not in errors.get(field, [])
            )
    if errors:
        raise ValidationError(errors)


def people_label(people: Iterable[Person]) -> str:
    """Observers as the standard writes them: « NOM Prénom (Organisme) », comma-separated."""
    return ", ".join(
        f"{p}{f' ({p.organisation})' if p.organisation_id else ''}" for p in people
    )


def _determiner_label(occurrence: Occurrence, fields: dict, previous_id=None) -> None:
    """A determiner chosen among people (form, API) is also written as text, as the
    observers are. The text a source wrote (« Gil ») stays while the person does not
    change; a text given with the fields wins."""
    if fields.get("determiner_label") or not (
        "determiner" in fields or "determiner_id" in fields
    ):
        return
    if occurrence.determiner_id == previous_id and occurrence.determiner_label:
        return
    occurrence.determiner_label = (
        str(occurrence.determiner) if occurrence.determiner_id else ""
    )


def _snapshot(occurrence: Occurrence) -> dict[str, Any]:
    return {field: getattr(occurrence, field) for field in TRACKED_FIELDS}


def _jsonable(value: Any) -> Any:
    if hasattr(value, "wkt"):
        return value.wkt
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


@transaction.atomic
def occurrence_create(
    *,
    user,
    observers: Iterable[Person] = (),
    **fields: Any,
) -> Occurrence:
    """Create an occurrence from its fields; derived fields are computed, history started."""
    return _create(user=user, observers=observers, **fields)


def _create(
    *,
    user,
    observers: Iterable[Person] = (),
    constraints: bool = True,
    **fields: Any,
) -> Occurrence:
    occurrence = Occurrence(created_by=user, updated_by=user, **fields)
    _determiner_label(occurrence, fields)
    observers = list(observers)
    if observers and not occurrence.observers_label:
        occurrence.observers_label = people_label(observers)
    occurrence_check(occurrence, constraints=constraints)
    save_validated(occurrence)
    if observers:
        occurrence.observers.add(*observers)
    occurrence_refresh_derived(occurrence)
    OccurrenceChange.objects.create(
        occurrence=occurrence, action=OccurrenceChange.Action.CREATE, user=user
    )
    return occurrence


@transaction.atomic
def occurrence_update(
    *,
    occurrence: Occurrence,
    user,
    observers: Iterable[Person] | None = None,
    **fields: Any,
) -> Occurrence:
    """Change an occurrence. A validated record that changes goes back to "en attente": its
    previous validation stays in the validation history."""
    return _update(occurrence=occurrence, user=user, observers=observers, **fields)


def _update(
    *,
    occurrence: Occurrence,
    user,
    observers: Iterable[Person] | None = None,
    constraints: bool = True,
    **fields: Any,
) -> Occurrence:
    stored = Occurrence.objects.get(pk=occurrence.pk)
    before = _snapshot(stored)
    read_before = tuple(getattr(stored, c) for c in READ_COLUMNS)
    previous_determiner = occurrence.determiner_id
    for name, value in fields.items():
        setattr(occurrence, name, value)
    _determiner_label(occurrence, fields, previous_determiner)
    if observers is not None:
        observers = list(observers)
        occurrence.observers_label = people_label(observers)
    occurrence.updated_by = user
    occurrence_check(occurrence, constraints=constraints)
    after = _snapshot(occurrence)
    changes = {
        f: [_jsonable(before[f]), _jsonable(after[f])]
        for f in TRACKED_FIELDS
        if _jsonable(before[f]) != _jsonable(after[f])
    }
    if not changes and observers is None:
        return occurrence
    if changes and occurrence.validation_status != 0:
        occurrence.validation_status = 0
        occurrence.validator = None
        occurrence.validated_at = None
        occurrence.validation_comment = ""
        Validation.objects.create(
            occurrence=occurrence,
            status=0,
            validator=user,
            comment=_("Remise en attente après modification."),
            is_automatic=True,
        )
    save_validated(occurrence)
    if observers is not None:
        occurrence.observers.set(observers)
    occurrence_refresh_derived(occurrence)
    _withdrawn_if_changed(occurrence, read_before, user=user)
    if changes:
        OccurrenceChange.objects.create(
            occurrence=occurrence,
            action=OccurrenceChange.Action.UPDATE,
            changes=changes,
            user=user,
        )
    return occurrence


@transaction.atomic
def occurrence_delete(*, occurrence: Occurrence, user=None) -> None:
    occurrences_tombstone(where="id = %s", params=[occurrence.pk], user=user)
    occurrence.observers.clear()
    occurrence.delete()


# What the read rule reads on an occurrence (readable_q, Reader.restrict): a tombstone keeps
# these, taken before the record leaves, and no other column of it.
READ_COLUMNS = ("dataset_id", "created_by_id", "validation_status", "sensitivity_level")
# Those of them whose change may take a record out of a signed-in reader's view (the
# validation status only narrows what anonymous visitors read, and they have no API).
WITHDRAWING = ("dataset_id", "created_by_id", "sensitivity_level")


def occurrences_tombstone(
    *,
    where: str,
    params: list,
    user=None,
    reason: str = OccurrenceDeletion.Reason.DELETED,
    alias: str = "",
) -> int:
    """Keep the identity of the occurrences about to be deleted (``where`` over the
    occurrence table, aliased ``alias`` if given) and what the read rule needs of them, so
    that the next SINP export sends their deletion and every reader who could read them
    finds them in the deletions feed. Called *before* the rows change or go, in the same
    transaction; with ``reason=WITHDRAWN`` before a change that may take a record out of
    some readers' view (another dataset, a sensitivity that hides it)."""
    occ, tomb = Occurrence._meta.db_table, OccurrenceDeletion._meta.db_table
    columns = ", ".join(READ_COLUMNS)
    source = f"{occ} {alias}" if alias else occ
    prefix = f"{alias}." if alias else ""
    selected = ", ".join(f"{prefix}{c}" for c in ("uuid", "taxon_id", "date_start"))
    read = ", ".join(f"{prefix}{c}" for c in READ_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {tomb} (uuid, taxon_id, date_start, {columns}, reason,"
            f" deleted_at, deleted_by_id)"
            f" SELECT {selected}, {read}, %s, statement_timestamp(), %s"
            f" FROM {source} WHERE {where}",
            [reason, getattr(user, "pk", None), *params],
        )
        return cursor.rowcount


def occurrence_deletions_purge(*, now=None) -> int:
    """Delete the tombstones older than ``SYNC_DELETIONS_RETENTION_DAYS`` (the deletions
    feed's retention), except those of records once sent to the SINP: an incremental
    export that later reports their deletion names their dataset from here."""
    now = now or timezone.now()
    horizon = now - dt.timedelta(days=settings.SYNC_DELETIONS_RETENTION_DAYS)
    sent = SinpExportItem.objects.filter(deleted=False).values("uuid")
    old = OccurrenceDeletion.objects.filter(deleted_at__lt=horizon)
    kept = Q(reason=OccurrenceDeletion.Reason.DELETED, uuid__in=sent)
    return old.exclude(kept).delete()[0]


def _withdrawn_if_changed(occurrence: Occurrence, before: tuple, *, user) -> None:
    """A tombstone "withdrawn" with the read state ``before`` when a write changed it: a
    reader who could read the record then and cannot now is told to drop it (the feed
    leaves out those who still read it)."""
    # As saved, with the level its refresh set (occurrence_refresh_derived).
    after = tuple(getattr(occurrence, c) for c in READ_COLUMNS)
    if all(
        after[READ_COLUMNS.index(c)] == before[READ_COLUMNS.index(c)]
        for c in WITHDRAWING
    ):
        return
    OccurrenceDeletion.objects.create(
        uuid=occurrence.uuid,
        reason=OccurrenceDeletion.Reason.WITHDRAWN,
        taxon_id=occurrence.taxon_id,
        date_start=occurrence.date_start,
        deleted_by=user,
        **dict(zip(READ_COLUMNS, before, strict=True)),
    )


@transaction.atomic
def occurrences_validate(
    *, occurrences: Iterable[Occurrence], validator, status: int, comment: str = ""
) -> int:
    """Give one validation status (1–6, or 0 to reopen) to many records; history is kept."""
    if status not in range(7):
        raise ValidationError({"status": _("Statut de validation inconnu (0 à 6).")})
    now = timezone.now()
    ids = [o.pk for o in occurrences]
    Occurrence.objects.filter(pk__in=ids).update(
        validation_status=status,
        validator=validator if status else None,
        validated_at=now if status else None,
        validation_comment=comment,
        updated_at=now,
        updated_by=validator,
    )
    Validation.objects.bulk_create(
        Validation(
            occurrence_id=pk, status=status, validator=validator, comment=comment
        )
        for pk in ids
    )
    OccurrenceChange.objects.bulk_create(
        OccurrenceChange(
            occurrence_id=pk,
            action=OccurrenceChange.Action.VALIDATE,
            changes={"validation_status": status, "comment": comment},
            user=validator,
        )
        for pk in ids
    )
    occurrences_changed_on_commit("validation")
    return len(ids)


@transaction.atomic
def occurrences_publish_bulk(
    *, occurrences: list[Occurrence], observer_ids: list[list[int]], user
) -> list[int]:
    """For protocol apps writing many rows at once (a season's import): insert checked,
    unsaved occurrences with their observers and creation history, then compute their
    derived fields in one statement. Each occurrence must already have passed
    ``occurrence_check`` (or the same checks); returns the new ids, in order."""
    Occurrence.objects.bulk_create(occurrences, batch_size=500)
    through = Occurrence.observers.through
    through.objects.bulk_create(
        (
            through(occurrence_id=occurrence.pk, person_id=person)
            for occurrence, people in zip(occurrences, observer_ids, strict=True)
            for person in people
        ),
        batch_size=5000,
    )
    ids = [occurrence.pk for occurrence in occurrences]
    occurrences_refresh_derived(ids=ids)
    OccurrenceChange.objects.bulk_create(
        (
            OccurrenceChange(
                occurrence_id=pk, action=OccurrenceChange.Action.CREATE, user=user
            )
            for pk in ids
        ),
        batch_size=5000,
    )
    return ids


def occurrence_publish(
    *,
    occurrence: Occurrence | None,
    user,
    source: str,
    observers: Iterable[Person] = (),
    **fields: Any,
) -> Occurrence:
    """For protocol apps: create the occurrence of a protocol row, or update the one it links to.

    Call it in the same transaction as the protocol row's own save, and keep the returned
    occurrence in the row's one-to-one link: it takes no savepoint of its own (two
    queries saved on every protocol line), so an error it raises undoes the whole
    transaction, as the protocol row must not stay without its occurrence anyway. The
    protocol's own checks stand for the CHECK constraints' pre-check (PostgreSQL still
    enforces them at the save, with their French messages)."""
    with transaction.atomic(savepoint=False):
        if occurrence is None:
            return _create(
                user=user,
                source=source,
                observers=observers,
                constraints=False,
                **fields,
            )
        return _update(
            occurrence=occurrence,
            user=user,
            observers=observers,
            constraints=False,
            **fields,
        )
