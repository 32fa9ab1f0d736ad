"""Site-count pages under ``/observations/comptages/``: programmes, the season entry grid,
the season table (+ XLSX), the species page (trend chart and site × season matrix), the
programme's trend summary and the spreadsheet import.

Reads follow the read rule of protocol records (``observations.counts.selectors``): a count
is shown with its site, date and number only when the reader may place its occurrence, and
the pages say how many they leave out. The grid and the import follow the write rule
(``referentiel.permissions``): entry in the programme's dataset, a visit changed only by
whoever may change it."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from cpie_naturaliste.core.tabular.errors import ImportRefused
from cpie_naturaliste.core.workbooks import WorkbookWriter
from observations.counts.forms import ImportForm, season_grid_form
from observations.counts.imports import counts_import
from observations.counts.selectors import (
    programme_seasons,
    programme_taxa,
    season_table,
    shown_sites,
    species_table,
)
from observations.counts.services import season_grid_save
from observations.counts.trends import programme_trends, species_trend
from observations.models import CountProgramme
from referentiel.permissions import may_write_in


def _programme(request, code: str, *, write: bool = False) -> CountProgramme:
    programmes = CountProgramme.objects.select_related("programme", "dataset")
    programme = get_object_or_404(
        programmes.visible_to(request.user), programme__code=code
    )
    if write and not _can_write(request.user, programme):
        raise PermissionDenied("Saisie réservée aux organismes du jeu de données.")
    return programme


def _can_write(user, programme) -> bool:
    """Entry in the programme's dataset (``referentiel.permissions.may_write_in``)."""
    return may_write_in(user, programme.dataset_id)


@login_required
def count_programme_list(request: HttpRequest) -> HttpResponse:
    programmes = (
        CountProgramme.objects.visible_to(request.user)
        .select_related("programme")
        .order_by("programme__code")
    )
    return render(
        request, "observations/countprogramme_list.html", {"programmes": programmes}
    )


@require_safe
@login_required
def count_programme_detail(request: HttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    seasons = programme_seasons(programme)
    current = programme.season_of(timezone.localdate())
    return render(
        request,
        "observations/countprogramme_detail.html",
        {
            "programme": programme,
            "seasons": list(reversed(seasons)),
            "entry_season": current,
            "taxa": programme_taxa(programme),
            "sites": shown_sites(programme, request.user),
            "can_write": _can_write(request.user, programme),
        },
    )


@login_required
def count_season_grid(request: HttpRequest, code: str, season: int) -> HttpResponse:
    """Entry of a season as a grid: one row per site, one column per species. A row whose
    visit the user may not change (a colleague's, for staff) is shown locked."""
    programme = _programme(request, code, write=True)
    form = season_grid_form(
        request.POST or None, user=request.user, programme=programme, season=season
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = season_grid_save(
                programme=programme,
                season=season,
                entries=form.entries(),
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{saved} visite(s) enregistrée(s).")
            return redirect("observations:count_season", code=code, season=season)
    return render(
        request,
        "observations/countvisit_grid.html",
        {
            "programme": programme,
            "season": season,
            "form": form,
            "taxa": form.taxa,
            "locked": bool(form.locked),
        },
    )


@require_safe
@login_required
def count_season(request: HttpRequest, code: str, season: int) -> HttpResponse:
    programme = _programme(request, code)
    table = season_table(programme=programme, season=season, user=request.user)
    return render(
        request,
        "observations/countvisit_table.html",
        {
            "programme": programme,
            "season": season,
            "taxa": table.taxa,
            "rows": table.rows,
            "totals": table.totals,
            "hidden": table.hidden,
            "can_write": _can_write(request.user, programme),
        },
    )


def hidden_note(hidden: int) -> str:
    """What a table says of the counts it leaves out: how many, nothing else."""
    return (
        f"{hidden} comptage(s) non détaillé(s) ici (données sensibles ou lieux protégés) : "
        "ils restent dans la liste des observations, à la précision permise."
    )


@require_safe
@login_required
def count_season_xlsx(request: HttpRequest, code: str, season: int) -> HttpResponse:
    programme = _programme(request, code)
    table = season_table(programme=programme, season=season, user=request.user)
    response = HttpResponse(
        season_workbook(season, table),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"{programme.programme.code}-{season}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def season_workbook(season: int, table) -> bytes:
    """The season table as one sheet of the core writer: sites × species, then the totals
    and, when the reader may not place some counts, how many were left out (site names
    and codes are text cells, guarded against formulas)."""
    not_visited = "non visité ou non détaillé" if table.hidden else "non visité"
    rows = [
        [
            row.count_site.site.name,
            row.count_site.code,
            row.count_site.get_habitat_display(),
            row.visit.date if row.visit else None,
            row.visit.get_coverage_display() if row.visit else not_visited,
        ]
        + row.values
        for row in table.rows
    ]
    rows.append(["Total", "", "", None, ""] + table.totals)
    if table.hidden:
        rows.append([hidden_note(table.hidden)])
    book = WorkbookWriter()
    book.sheet(
        f"Saison {season}",
        ["Site", "Code", "Type", "Date", "Couverture"]
        + [taxon.scientific_name for taxon in table.taxa],
        rows,
    )
    return book.getvalue()


@require_safe
@login_required
def count_species(request: HttpRequest, code: str, cd_nom: int) -> HttpResponse:
    """A species: its TRIM index chart with its band, slope and class, and the site × season
    matrix it was computed from (missing counts left empty)."""
    programme = _programme(request, code)
    taxon = get_object_or_404(programme.taxa, pk=cd_nom)
    table = species_table(programme=programme, taxon=taxon, user=request.user)
    trend = _trend_display(species_trend(programme=programme, taxon=taxon))
    chart = None
    if trend["ok"]:
        chart = {
            "years": [row["year"] for row in trend["years"]],
            "index": [row["imputed_index"] for row in trend["years"]],
            "lower": [
                max(row["imputed_index"] - 1.96 * row["imputed_index_se"], 0)
                for row in trend["years"]
            ],
            "upper": [
                row["imputed_index"] + 1.96 * row["imputed_index_se"]
                for row in trend["years"]
            ],
        }
    return render(
        request,
        "observations/count_species.html",
        {
            "programme": programme,
            "taxon": taxon,
            "seasons": table.seasons,
            "matrix": table.matrix,
            "hidden": table.hidden,
            "trend": trend,
            "chart": chart,
        },
    )


@require_safe
@login_required
def count_trends(request: HttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    trends = [_trend_display(trend) for trend in programme_trends(programme=programme)]
    return render(
        request,
        "observations/count_trends.html",
        {"programme": programme, "trends": trends},
    )


def _trend_display(trend: dict) -> dict:
    if not trend["ok"]:
        return trend
    return {
        **trend,
        "first_year": trend["years"][0]["year"],
        "last_year": trend["years"][-1]["year"],
        "imputed_pct": 100 * trend["imputed_share"],
    }


@login_required
def count_import(request: HttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code, write=True)
    form = ImportForm(request.POST or None, request.FILES or None)
    result, refusal = None, ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "upload"
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            try:
                result = counts_import(
                    programme=programme,
                    path=path,
                    filename=upload.name,
                    user=request.user,
                )
            except ImportRefused as error:
                refusal = error.as_text()
        if result is not None and not result.errors:
            messages.success(
                request,
                f"Import terminé : {result.created} visite(s) créée(s), "
                f"{result.updated} mise(s) à jour.",
            )
            return redirect("observations:count_programme", code=code)
    return render(
        request,
        "observations/count_import.html",
        {"programme": programme, "form": form, "result": result, "refusal": refusal},
    )
