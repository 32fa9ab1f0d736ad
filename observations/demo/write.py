"""Bulk writes of the demo occurrences with COPY (psycopg 3).

Tens of thousands of 60-column rows go through ``INSERT`` slowly (query building and
parsing take most of the time); COPY takes a fraction of it. Ids are reserved from the
sequences first, so that the observers, the history and the validations can point to the
new rows in the same transaction.
"""

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.utils import timezone

from observations.models import Occurrence, OccurrenceChange, Validation
from observations.services import occurrences_refresh_derived

# idSINPOccTax of a demo record: the same on every machine, derived from its stable key.
DEMO_UUID_NAMESPACE = uuid.UUID("0d1f6a52-9c1e-4f0b-8f57-5b0e2f7c2a10")
ENTRY_HOUR = dt.time(18, 0)
VALIDATION_HOUR = dt.time(10, 0)
OMITTED = {"observers", "dataset_code", "validator_username", "validated_days"}


def _ids_reserve(model: type[models.Model], count: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
            "FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]
) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _moment(day: dt.date, hour: dt.time) -> dt.datetime:
    return min(timezone.make_aware(dt.datetime.combine(day, hour)), timezone.now())


def occurrences_copy(records: list[dict], users: dict) -> list[int]:
    """COPY the records (dictionaries of ``demo_records``) with their observers, creation
    history and validation history; compute their derived fields. Returns the new ids."""
    ids = _ids_reserve(Occurrence, len(records))
    fields = [f for f in Occurrence._meta.concrete_fields]
    occurrences = []
    for pk, record in zip(ids, records, strict=True):
        validator = users.get(record["validator_username"] or "")
        created = _moment(record["date_start"] + dt.timedelta(days=pk % 9), ENTRY_HOUR)
        validated = (
            _moment(
                record["date_start"] + dt.timedelta(days=record["validated_days"]),
                VALIDATION_HOUR,
            )
            if validator
            else None
        )
        occurrences.append(
            Occurrence(
                **{k: v for k, v in record.items() if k not in OMITTED},
                id=pk,
                uuid=uuid.uuid5(DEMO_UUID_NAMESPACE, record["source_key"]),
                updated_by=record["created_by"],
                validator=validator,
                validated_at=validated,
                created_at=created,
                updated_at=max(created, validated) if validated else created,
            )
        )
    _copy(
        Occurrence,
        [f.column for f in fields],
        (
            [o.geom.ewkt if f.name == "geom" else getattr(o, f.attname) for f in fields]
            for o in occurrences
        ),
    )
    through = Occurrence.observers.through
    _copy(
        through,
        ["occurrence_id", "person_id"],
        (
            (pk, person.pk)
            for pk, record in zip(ids, records, strict=True)
            for person in record["observers"]
        ),
    )
    _copy(
        OccurrenceChange,
        ["occurrence_id", "action", "changes", "user_id", "at"],
        (
            (o.pk, OccurrenceChange.Action.CREATE, "{}", o.created_by_id, o.created_at)
            for o in occurrences
        ),
    )
    _copy(
        Validation,
        [
            "occurrence_id",
            "status",
            "validator_id",
            "comment",
            "validated_at",
            "is_automatic",
        ],
        (
            (o.pk, o.validation_status, o.validator_id, "", o.validated_at, False)
            for o in occurrences
            if o.validation_status
        ),
    )
    with connection.cursor() as cursor:
        # Fresh statistics: without them the planner reads a just-filled table as empty
        # and the derived-fields update below takes minutes instead of seconds.
        cursor.execute(f"ANALYZE {Occurrence._meta.db_table}")
    occurrences_refresh_derived(ids=ids)
    return ids
