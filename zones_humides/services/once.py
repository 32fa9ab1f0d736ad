"""A POP passage or a drift-fence morning round entered with no network is saved once,
whatever the number of times the device sends it (cpie_naturaliste.core.once): its ``uuid`` is made on the device."""

from collections.abc import Iterable
from uuid import UUID

from cpie_naturaliste.core.once import create_once
from referentiel.models import Person
from zones_humides.models import DriftFence, FenceCheck, PopPassage, PopSite

from .fences import fence_check_media_add, fence_check_save
from .pop import SpeciesLine, passage_media_add, passage_save


def passage_create_once(
    *,
    uuid: UUID,
    user,
    pop_site: PopSite,
    fields: dict,
    observers: Iterable[Person],
    lines: Iterable[SpeciesLine] = (),
    nothing_found: bool = False,
    media: dict | None = None,
) -> tuple[PopPassage, bool]:
    """``(passage, created)``: ``passage_save`` of a new passage with this ``uuid``, with
    the photos of its species (``media``), or the passage that already has it (nothing
    changed)."""

    def create():
        passage = passage_save(
            user=user,
            pop_site=pop_site,
            fields={**fields, "uuid": uuid},
            observers=observers,
            lines=lines,
            nothing_found=nothing_found,
        )
        passage_media_add(passage=passage, user=user, media=media or {})
        return passage

    return create_once(model=PopPassage, uuid=uuid, create=create)


def fence_check_save_once(
    *,
    uuid: UUID,
    user,
    fence: DriftFence,
    fields: dict,
    counts: list[dict],
    observers: Iterable[Person] | None,
    media: dict | None = None,
) -> tuple[FenceCheck, bool]:
    """``(check, saved)``: ``fence_check_save`` (which creates or replaces the day's
    round, and gives it this ``uuid``) with the photos of its species (``media``), or
    the round that already has it (nothing changed)."""

    def create():
        check = fence_check_save(
            user=user,
            fence=fence,
            fields={**fields, "uuid": uuid},
            counts=counts,
            observers=observers,
        )
        fence_check_media_add(check=check, user=user, media=media or {})
        return check

    return create_once(model=FenceCheck, uuid=uuid, create=create)
