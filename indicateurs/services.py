"""The indicators of the annual report to the Region, computed from the data of every app.

One entry point, :func:`indicators_for_year`, feeds the dashboard, its printable page, the
JSON API and the XLSX report (through the snapshots of :mod:`indicateurs.snapshots`): the
facts of the year and of the year before (:mod:`indicateurs.selectors`), the declared
figures read from them (:mod:`indicateurs.figures`) and the charts.
"""

from urllib.parse import urlencode

from django.urls import reverse

from indicateurs.figures import ATLAS_DEFINITION, figure_tables
from indicateurs.models import RemarkableFind
from indicateurs.selectors import report_occurrences, year_facts
from observations.atlas import atlas_contributions_by_year
from referentiel.permissions import can_coordinate

MONTHS = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]


def user_reads_indicators(user) -> bool:
    """Coordinators (of their organisation, or regional) and superusers."""
    return can_coordinate(user)


def _compared(year: int, now: list, before: list) -> list[dict]:
    """Two datasets of a chart: the year and the year before."""
    return [
        {"label": str(year), "data": now},
        {"label": str(year - 1), "data": before},
    ]


def _charts(year: int, now: dict, before: dict) -> dict:
    """The dashboard's charts (records per month, per atlas group; the year's map)."""
    groups = now["atlas"]["groups"]
    previous = {g["code"]: g["records"] for g in before["atlas"]["groups"]}
    query = urlencode({"year": year, "presence": "Pr"})
    return {
        "months": {
            "labels": MONTHS,
            "datasets": _compared(
                year, now.pop("records_per_month"), before.pop("records_per_month")
            ),
        },
        "groups": {
            "labels": [g["name"] for g in groups],
            "datasets": _compared(
                year,
                [g["records"] for g in groups],
                [previous.get(g["code"], 0) for g in groups],
            ),
        },
        "map": {"url": f"{reverse('occurrence-geojson')}?{query}", "year": year},
    }


def indicators_for_year(year: int, user, *, progress=None) -> dict:
    """The indicators of ``year`` as a JSON-ready dict, each figure beside the year before:

    ``{"year", "previous_year", "sections": [{"action", "title", "figures": [{"key",
    "label", "definition", "value", "previous", "difference", "url", "detail"}]}],
    "details": {...}, "previous": {...}, "charts": {...}}`` where ``details`` holds the
    tables behind the figures (atlas, programmes, partners, exchanges, outreach, wetlands,
    POP, ringing, terrils, finds) and ``previous`` the same for ``year - 1``.

    ``progress(done, label)``, if given, is called as the work advances (``done`` from 0
    to 1), for the report job's progress bar."""
    progress = progress or (lambda done, label: None)
    tables = atlas_contributions_by_year(
        years=[year - 1, year], queryset=report_occurrences(user)
    )
    progress(0.1, "Contributions aux atlas")
    now = year_facts(year, user, tables[year])
    progress(0.55, f"Indicateurs {year}")
    before = year_facts(year - 1, user, tables[year - 1])
    progress(1.0, f"Indicateurs {year - 1}")
    charts = _charts(year, now, before)
    return {
        "year": year,
        "previous_year": year - 1,
        "sections": figure_tables(year, now, before),
        "atlas_definition": ATLAS_DEFINITION,
        "details": now,
        "previous": before,
        "charts": charts,
    }


def find_decide(
    *,
    user,
    year: int,
    occurrence,
    kind: str,
    status: str,
    in_report: bool,
    comment: str,
    cd_ref: int | None = None,
) -> RemarkableFind:
    """A coordinator's decision on a find of ``year`` (indicateurs.finds): one per taxon
    (``cd_ref``, by default that of the ``occurrence`` the find was shown with) and kind,
    for the coordinator's organisation, whose later decisions replace it; another
    organisation's decision on the same find is its own."""
    decision, _ = RemarkableFind.objects.update_or_create(
        organisation=user.organisation,
        year=year,
        cd_ref=cd_ref or occurrence.taxon.cd_ref,
        kind=kind,
        defaults={
            "occurrence": occurrence,
            "status": status,
            "in_report": in_report and status != RemarkableFind.Status.REJECTED,
            "comment": comment.strip()[:2000],
            "decided_by": user,
        },
    )
    return decision
