"""Terril demo (``manage.py load_demo`` calls ``load_demo`` after the observations demo).

The 11 terrils evaluated in 2020 (numbers and communes of shared/domain/context.md, on the
terril sites of the referential demo, or a polygon inside their commune), the method
version v1 (current) and v2 (a "peu commun" species is worth 5 points instead of 4), the
state zero of each terril, the 2020 campaigns with their visits, records entered from the
campaign (source "terrils") and patrimonial habitats, and every score. A second run
creates nothing."""

import time
from collections.abc import Callable

from django.db import transaction

from terrils.models import Campaign, Score, Terril
from terrils.services import scores_recompute

from .write import (
    campaigns_2020_ensure,
    methods_ensure,
    state_zero_ensure,
    terrils_ensure,
)


def load_demo(*, log: Callable[[str], None] | None = None, stdout=None) -> None:
    started = time.monotonic()
    with transaction.atomic():
        terrils = terrils_ensure()
        if not terrils:
            line = "Terrils : communes absentes, démonstration sautée"
        else:
            versions = methods_ensure()
            created = campaigns_2020_ensure(terrils, versions[0])
            zero = state_zero_ensure(terrils)
            if created or zero or not Score.objects.exists():
                scores_recompute()
            line = (
                f"Terrils : {Terril.objects.count()} terrils, "
                f"{Campaign.objects.count()} campagnes, {Score.objects.count()} notes "
                f"({len(versions)} versions de méthode) en "
                f"{time.monotonic() - started:.1f} s"
            )
    if log:
        log(line)
    elif stdout:
        stdout.write(line + "\n")
