"""Sensibilisation demo (``manage.py load_demo`` calls ``load_demo`` after the referential
and observations demos): the 2020 outreach actions of the activity report
(``docs/report-2020.md``), the volunteers who took part, and the open campaign
"Un dragon dans mon jardin" with a few confirmed reports, some validated. Everything is
found by a natural key, so a second run creates nothing."""

import time
from collections.abc import Callable
from typing import TextIO

from django.db import transaction

from .actions import actions_upsert, volunteers_upsert
from .campaigns import campaigns_upsert, reports_upsert


def load_demo(
    *, stdout: TextIO | None = None, log: Callable[[str], None] | None = None
) -> None:
    """Create what is missing of the sensibilisation demo; one French summary line."""
    started = time.monotonic()
    with transaction.atomic():
        volunteers = volunteers_upsert()
        if volunteers is None:
            line = "Sensibilisation : organisme CPIE Chaîne des Terrils absent, étape sautée"
        else:
            actions = actions_upsert(volunteers=volunteers)
            campaigns = campaigns_upsert()
            reports = reports_upsert(campaigns)
            line = (
                f"Sensibilisation : {actions} actions créées, {len(volunteers)} "
                f"bénévoles, {len(campaigns)} campagnes, {reports} signalements créés "
                f"en {time.monotonic() - started:.1f} s"
            )
    if log:
        log(line)
    elif stdout:
        stdout.write(line + "\n")
