"""Writes on occurrences. Every app that publishes a naturalist fact goes through these."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.gis.gdal import GDALException
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpie_naturaliste.core.geo import to_storage_srid
from observations.models import (
    Occurrence,
    OccurrenceChange,
    OccurrenceDeletion,
    Validation,
)
from observations.signals import occurrences_changed_on_commit
from referentiel.models import Person

from .codes import nomenclature_labels
from .derived import occurrences_refresh_derived

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


def occurrence_check(occurrence: Occurrence) -> None:
    """Raise a ``ValidationError`` (French messages per field) if the record is not acceptable.

    Runs the model's validation (which includes the database CHECK constraints) and checks every
    nomenclature field against its SINP code list."""
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
        occurrence.full_clean(exclude=["communes"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(
                m for m in messages if m not in errors.get(field, [])
            )
    if errors:
        raise ValidationError(errors)


def _observers_label(people: Iterable[Person]) -> str:
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
    occurrence = Occurrence(created_by=user, updated_by=user, **fields)
    _determiner_label(occurrence, fields)
    observers = list(observers)
    if observers and not occurrence.observers_label:
        occurrence.observers_label = _observers_label(observers)
    occurrence_check(occurrence)
    occurrence.save()
    if observers:
        occurrence.observers.set(observers)
    occurrences_refresh_derived(ids=[occurrence.pk])
    OccurrenceChange.objects.create(
        occurrence=occurrence, action=OccurrenceChange.Action.CREATE, user=user
    )
    occurrence.refresh_from_db()
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
    before = _snapshot(Occurrence.objects.get(pk=occurrence.pk))
    previous_determiner = occurrence.determiner_id
    for name, value in fields.items():
        setattr(occurrence, name, value)
    _determiner_label(occurrence, fields, previous_determiner)
    if observers is not None:
        observers = list(observers)
        occurrence.observers_label = _observers_label(observers)
    occurrence.updated_by = user
    occurrence_check(occurrence)
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
    occurrence.save()
    if observers is not None:
        occurrence.observers.set(observers)
    occurrences_refresh_derived(ids=[occurrence.pk])
    if changes:
        OccurrenceChange.objects.create(
            occurrence=occurrence,
            action=OccurrenceChange.Action.UPDATE,
            changes=changes,
            user=user,
        )
    occurrence.refresh_from_db()
    return occurrence


@transaction.atomic
def occurrence_delete(*, occurrence: Occurrence, user=None) -> None:
    occurrences_tombstone(where="id = %s", params=[occurrence.pk], user=user)
    occurrence.observers.clear()
    occurrence.delete()


def occurrences_tombstone(*, where: str, params: list, user=None) -> None:
    """Keep the identity of the occurrences about to be deleted (``where`` over the
    occurrence table), so that the next SINP export sends their deletion."""
    occ, tomb = Occurrence._meta.db_table, OccurrenceDeletion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {tomb} (uuid, dataset_id, taxon_id, date_start,"
            f" validation_status, deleted_at, deleted_by_id)"
            f" SELECT uuid, dataset_id, taxon_id, date_start, validation_status, now(), %s"
            f" FROM {occ} WHERE {where} ON CONFLICT (uuid) DO NOTHING",
            [getattr(user, "pk", None), *params],
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


@transaction.atomic
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
    occurrence in the row's one-to-one link."""
    if occurrence is None:
        return occurrence_create(
            user=user, source=source, observers=observers, **fields
        )
    return occurrence_update(
        occurrence=occurrence, user=user, observers=observers, **fields
    )
