"""The annual ringing table (``/baguage/bilan/<year>/``) and its XLSX download
(``/baguage/bilan/<year>/bilan-baguage-<year>.xlsx``). Login required; only the sessions
whose dataset the user may read are counted."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from baguage.reports import AnnualTable, annual_table, ringing_years
from cpie_naturaliste.core.workbooks import WorkbookWriter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def bilan_latest(request: HttpRequest) -> HttpResponse:
    years = ringing_years(request.user)
    year = years[0] if years else timezone.localdate().year
    return redirect("baguage:bilan", year=year)


@require_safe
@login_required
def bilan(request: HttpRequest, year: int) -> HttpResponse:
    table = annual_table(year=year, user=request.user)
    return render(request, "baguage/bilan.html", {"table": table, "year": year})


@require_safe
@login_required
def bilan_xlsx(request: HttpRequest, year: int, filename_year: int) -> HttpResponse:
    if filename_year != year:
        raise Http404
    table = annual_table(year=year, user=request.user)
    response = HttpResponse(bilan_workbook(table).getvalue(), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="bilan-baguage-{year}.xlsx"'
    )
    return response


def hidden_note(hidden: int) -> str:
    """What the bilan says of the captures it leaves out: how many, nothing else."""
    return (
        f"{hidden} capture(s) de l'année non détaillée(s) ici (données sensibles) : "
        "absentes de tous les chiffres de ce bilan, elles restent dans la liste des "
        "observations, à la précision permise."
    )


def _ratio(value: float | None, digits: int = 2):
    return None if value is None else round(value, digits)


def bilan_workbook(table: AnnualTable) -> WorkbookWriter:
    """The tables of the page, one sheet each, through the core writer (text cells
    guarded against formulas, dates as dates)."""
    workbook = WorkbookWriter()
    workbook.sheet(
        f"Bilan {table.year}",
        [
            "Site",
            "Communes",
            "Programme",
            "Sessions",
            "Période",
            "Bagues posées",
            "Contrôles",
            "dont étrangers",
            "Pays des contrôles étrangers",
            "Espèces",
            "Espèces remarquables",
        ],
        [
            [
                row.site,
                ", ".join(row.communes),
                row.programme if row.station_id else f"{row.programme} (total)",
                row.sessions,
                row.months,
                row.rings,
                row.controls,
                row.foreign,
                row.countries_label,
                row.species,
                row.remarkable_label,
            ]
            for row in table.rows
        ]
        + [
            [
                "Total",
                "",
                "",
                table.total.sessions,
                "",
                table.total.rings,
                table.total.controls,
                table.total.foreign,
                table.total.countries_label,
                table.total.species,
                f"{table.controlled_birds} oiseaux contrôlés",
            ]
        ]
        + ([[hidden_note(table.hidden)]] if table.hidden else []),
    )
    workbook.sheet(
        "Espèces",
        [
            "Espèce",
            "Nom scientifique",
            "Bagues posées",
            "Contrôles",
            "dont étrangers",
            "Jeunes",
            "Adultes",
            "Part de jeunes",
        ],
        [
            [
                row.name,
                row.scientific_name,
                row.rings,
                row.controls,
                row.foreign,
                row.juveniles,
                row.adults,
                _ratio(row.juvenile_ratio),
            ]
            for row in table.species
        ],
    )
    workbook.sheet(
        "Sessions",
        [
            "Date",
            "Site",
            "Programme",
            "Début",
            "Fin",
            "Filets (m)",
            "Captures",
            "Bagues posées",
            "Contrôles",
            "dont étrangers",
            "Espèces",
        ],
        [
            [
                session.date,
                session.station.site.name,
                session.programme.programme.name,
                session.start_time,
                session.end_time,
                float(session.nets_length_m),
                session.capture_count,
                session.ringed_count,
                session.control_count,
                session.foreign_count,
                session.species_count,
            ]
            for session in table.sessions
        ],
    )
    stoc = []
    for station in table.stoc:
        for item in station.sessions:
            stoc.append(
                [
                    station.station,
                    item.session.date,
                    item.adults,
                    item.juveniles,
                    _ratio(item.adults_per_120m, 1),
                    " ; ".join(item.problems) or "Conforme",
                ]
            )
        stoc.append(
            [
                station.station,
                "Bilan",
                station.adults,
                station.juveniles,
                _ratio(station.adults_per_session, 1),
                f"Productivité {_ratio(station.productivity)} ; retours "
                f"{station.returns} (sur {station.previous_year_rings} bagués "
                f"l'année précédente)",
            ]
        )
    workbook.sheet(
        "STOC",
        [
            "Station",
            "Date",
            "Adultes",
            "Jeunes",
            "Adultes pour 120 m de filets",
            "Conformité au protocole",
        ],
        stoc,
    )
    return workbook
