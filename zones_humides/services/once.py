"""A POP passage entered with no network is saved once, whatever the number of times the
device sends it (cpie_naturaliste.core.once): its ``uuid`` is made on the device."""

from collections.abc import Iterable
from uuid import UUID

from cpie_naturaliste.core.once import create_once
from referentiel.models import Person
from zones_humides.models import PopPassage, PopSite

from .pop import SpeciesLine, passage_save


def passage_create_once(
    *,
    uuid: UUID,
    user,
    pop_site: PopSite,
    fields: dict,
    observers: Iterable[Person],
    lines: Iterable[SpeciesLine] = (),
    nothing_found: bool = False,
) -> tuple[PopPassage, bool]:
    """``(passage, created)``: ``passage_save`` of a new passage with this ``uuid``, or
    the passage that already has it (nothing changed)."""
    return create_once(
        model=PopPassage,
        uuid=uuid,
        create=lambda: passage_save(
            user=user,
            pop_site=pop_site,
            fields={**fields, "uuid": uuid},
            observers=observers,
            lines=lines,
            nothing_found=nothing_found,
        ),
    )
