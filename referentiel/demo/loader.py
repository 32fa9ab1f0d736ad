"""Orchestration of the referential demo."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from referentiel.models import Dataset, Organisation, Person, Programme, Site, User

from .accounts import accounts_upsert
from .organisations import CPIE_CDT, organisations_upsert, people_upsert
from .programmes import datasets_upsert, programmes_upsert
from .reference import (
    communes_load_shipped,
    statuses_load_shipped,
    taxa_load_shipped,
)
from .sites import sites_upsert, territory_upsert


@dataclass
class DemoSummary:
    """What the demo holds after loading, and the steps' French log lines."""

    counts: dict[str, int] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)


def demo_load(
    *,
    departements: tuple[str, ...] | None = None,
    log: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Load the referential demo (idempotent).

    ``departements`` limits the communes import to some INSEE département codes (the
    tests load "59" and "62", where every demo site lies); ``log`` receives one French
    line per step as it finishes."""
    summary = DemoSummary()

    def step(message: str, started: float) -> None:
        line = f"{message} ({time.monotonic() - started:.1f} s)"
        summary.messages.append(line)
        if log:
            log(line)

    started = time.monotonic()
    step(communes_load_shipped(departements=departements), started)
    started = time.monotonic()
    step(taxa_load_shipped(), started)
    started = time.monotonic()
    step(statuses_load_shipped(), started)

    started = time.monotonic()
    with transaction.atomic():
        organisations = organisations_upsert()
        people = people_upsert(organisations=organisations)
        sites = sites_upsert(organisations=organisations)
        territory = territory_upsert(organisation=organisations[CPIE_CDT], sites=sites)
        programmes = programmes_upsert(organisations=organisations)
        datasets = datasets_upsert(organisations=organisations, programmes=programmes)
        users = accounts_upsert(organisations=organisations, people=people)
    step(
        f"Démonstration : {len(organisations)} organismes, {len(people)} personnes, "
        f"{len(sites)} sites ({territory} communes de territoire), "
        f"{len(programmes)} programmes, {len(datasets)} jeux de "
        f"données, {len(users)} comptes",
        started,
    )
    summary.counts = {
        "organisations": Organisation.objects.count(),
        "people": Person.objects.count(),
        "sites": Site.objects.count(),
        "programmes": Programme.objects.count(),
        "datasets": Dataset.objects.count(),
        "users": User.objects.count(),
    }
    return summary
