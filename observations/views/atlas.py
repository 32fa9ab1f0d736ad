"""The atlas contributions page: ``/observations/atlas/?year=2020``."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cpie_naturaliste.core.filters import page_year
from observations.atlas import (
    AtlasLine,
    atlas_contributions_by_year,
    atlas_year_parse,
    atlas_years,
)
from observations.models import Occurrence

# The occurrence list page, filtered by the shared OccurrenceFilter's parameters.
OCCURRENCE_LIST_PATH = "/observations/"


def _list_url(year: int, line: AtlasLine) -> str:
    params = {"year": year, "presence": "Pr"}
    if line.code and line.code != "total":
        params["atlas_group"] = line.code
    return f"{OCCURRENCE_LIST_PATH}?{urlencode(params)}"


@login_required
def atlas_page(request: HttpRequest) -> HttpResponse:
    """The table of the report (records / species per atlas group) for a year, each figure
    linking to the records it counts, and a chart of the records against the year before."""
    queryset = Occurrence.objects.visible_to(request.user)
    years = atlas_years(queryset=queryset)
    error = ""
    try:
        year = atlas_year_parse(page_year(request.GET, None), default=years[0])
    except ValueError as exc:
        error, year = str(exc), years[0]
    # Everything the user reads: counted from the summary (observations.atlas).
    tables = atlas_contributions_by_year(years=[year - 1, year], user=request.user)
    table, previous = tables[year], tables[year - 1]
    previous_records = {line.code: line.records for line in previous.groups}
    rows = [
        {
            "line": line,
            "url": _list_url(year, line),
            "previous": previous_records[line.code],
        }
        for line in table.groups
    ]
    chart = {
        "labels": [line.name for line in table.groups],
        "datasets": [
            {"label": str(year), "data": [line.records for line in table.groups]},
            {
                "label": str(year - 1),
                "data": [line.records for line in previous.groups],
            },
        ],
    }
    return render(
        request,
        "observations/atlas.html",
        {
            "year": year,
            "years": sorted({*years, year}, reverse=True),
            "error": error,
            "rows": rows,
            "table": table,
            "previous": previous,
            "total_url": _list_url(year, table.total),
            "chart": chart,
        },
        status=400 if error else 200,
    )
