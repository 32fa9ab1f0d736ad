"""Multi-year series of the headline figures (the indicator tables), years N-4 to N, read
from the kept snapshots (IndicatorSnapshot.figures: the figures of a snapshot's year and
of the year before), never recomputed by the page.

A year no snapshot holds is computed by the worker (:func:`series_schedule`), like the
other snapshots: the page shows "–" for it meanwhile and says so."""

import logging

from django.conf import settings

from indicateurs.models import IndicatorSnapshot

logger = logging.getLogger(__name__)

SPAN = 5  # years shown: N-4 … N


def series_years(year: int) -> list[int]:
    return list(range(year - SPAN + 1, year + 1))


def kept_figures(year: int, user, structure) -> dict[int, dict]:
    """``{year: {key: value}}`` for the series' years the snapshots hold (a year's own
    snapshot first, else the next year's ``previous``)."""
    years = series_years(year)
    rows = IndicatorSnapshot.objects.filter(
        user=user, structure=structure, year__in=[*years, year + 1]
    ).values_list("year", "figures")
    by_year = {y: figures for y, figures in rows if figures}
    kept = {}
    for y in years:
        if y in by_year:
            kept[y] = by_year[y]["value"]
        elif y + 1 in by_year:
            kept[y] = by_year[y + 1]["previous"]
    return kept


def series_read(year: int, perimeter, sections: list[dict] | None = None) -> dict:
    """The series of every figure of ``sections`` (the year's indicator tables) for the
    perimeter: ``{"years": [...], "missing": [...], "sections": [{"action", "title",
    "figures": [{"key", "label", "values": [...]}]}]}``; plans the missing years."""
    years = series_years(year)
    kept = kept_figures(year, perimeter.user, perimeter.snapshot_structure)
    missing = [y for y in years if y not in kept]
    if missing:
        series_schedule(perimeter, missing)
    return {
        "years": years,
        "missing": missing,
        "sections": [
            {
                "action": section["action"],
                "title": section["title"],
                "figures": [
                    {
                        "key": figure["key"],
                        "label": figure["label"],
                        "values": [kept.get(y, {}).get(figure["key"]) for y in years],
                    }
                    for figure in section["figures"]
                ],
            }
            for section in sections or []
        ],
    }


def series_schedule(perimeter, years: list[int]) -> None:
    """Ask the worker for the snapshots of ``years`` (once an hour per perimeter; nothing
    without a worker, ``INDICATEURS_AUTO_REFRESH`` off)."""
    if not getattr(settings, "INDICATEURS_AUTO_REFRESH", True):
        return
    from django.core.cache import cache

    from indicateurs.tasks import series_compute_task

    structure_id = getattr(perimeter.snapshot_structure, "pk", None)
    key = f"indicateurs:series:{perimeter.user.pk}:{structure_id}:{min(years)}"
    try:
        if cache.add(key, 1, timeout=3600):
            series_compute_task.delay(perimeter.user.pk, structure_id, years)
    except Exception:  # the broker is down: the page says the years are missing
        logger.exception("Séries pluriannuelles non planifiées")


def series_compute(user_id: int, structure_id: int | None, years: list[int]) -> int:
    """Compute the snapshots of ``years`` that are still missing (the worker)."""
    from django.contrib.auth import get_user_model

    from indicateurs.snapshots import snapshot_compute
    from referentiel.models import Organisation

    user = get_user_model().objects.get(pk=user_id)
    structure = Organisation.objects.get(pk=structure_id) if structure_id else None
    have = set(
        IndicatorSnapshot.objects.filter(
            user=user, structure=structure, year__in=years
        ).values_list("year", flat=True)
    )
    computed = 0
    for y in sorted(set(years) - have, reverse=True):
        snapshot_compute(y, user, structure)
        computed += 1
    return computed
