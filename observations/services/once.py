"""An occurrence entered with no network is created once, whatever the number of times
the device sends it (cpie_naturaliste.core.once): the device's UUID becomes its SINP
identifier (``Occurrence.uuid``)."""

from typing import Any
from uuid import UUID

from cpie_naturaliste.core.once import create_once
from observations.models import Occurrence

from .occurrences import occurrence_create


def occurrence_create_once(
    *, uuid: UUID, user, **fields: Any
) -> tuple[Occurrence, bool]:
    """``(record, created)``: ``occurrence_create`` with this ``uuid``, or the record
    that already has it (``created`` False, nothing changed)."""
    return create_once(
        model=Occurrence,
        uuid=uuid,
        create=lambda: occurrence_create(user=user, uuid=uuid, **fields),
    )
