"""Create a record once, whatever the number of times it is sent.

A record entered with no network (static/js/outbox.js) carries the UUID the device made,
which becomes its SINP identifier (``Occurrence.uuid``). A client that does not know
whether its first send arrived sends it again: the same UUID answers the record already
made. The column's unique index decides, not a look-up before the insert: of two sends
racing each other, the second waits for the first's transaction and then meets the index."""

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError

from observations.models import Occurrence

from .occurrences import occurrence_create


def occurrence_create_once(
    *, uuid: UUID, user, **fields: Any
) -> tuple[Occurrence, bool]:
    """``(record, created)``: the record created with this ``uuid`` (``occurrence_create``),
    or the one that already has it (``created`` False, nothing changed). Whether the
    caller may read an existing record is the caller's business."""
    existing = Occurrence.objects.filter(uuid=uuid).first()
    if existing is not None:
        return existing, False
    try:
        # occurrence_create is atomic: within a transaction, a savepoint that the
        # duplicate's error rolls back alone.
        return occurrence_create(user=user, uuid=uuid, **fields), True
    except ValidationError as error:
        if "uuid" not in getattr(error, "error_dict", {}):
            raise
    return Occurrence.objects.get(uuid=uuid), False
