"""Create a row once, whatever the number of times it is sent.

A record entered with no network (static/js/outbox.js) carries a UUID made on the device.
A client that does not know whether its first send arrived sends it again: the same UUID
answers the row already made. The column's unique index decides, not a look-up before the
insert: of two sends racing each other, the second waits for the first's transaction and
then meets the index (its error, or the ``ValidationError`` that ``save_validated`` or
``full_clean`` makes of it, names ``uuid``)."""

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

Row = TypeVar("Row", bound=models.Model)


def create_once(
    *, model: type[Row], uuid: UUID, create: Callable[[], Row]
) -> tuple[Row, bool]:
    """``(row, created)``: ``create()`` (which saves a row with this ``uuid``) in a
    savepoint, or the row that already has it, nothing changed. Whether the caller may
    read an existing row is the caller's business."""
    existing = model.objects.filter(uuid=uuid).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return create(), True
    except (ValidationError, IntegrityError) as error:
        duplicate = isinstance(error, IntegrityError) or "uuid" in getattr(
            error, "error_dict", {}
        )
        existing = model.objects.filter(uuid=uuid).first() if duplicate else None
        if existing is None:
            raise
    return existing, False
