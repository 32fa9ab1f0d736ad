"""The annual ringing table (``/baguage/bilan/<year>/``) and its XLSX download
(``/baguage/bilan/<year>/bilan-baguage-<year>.xlsx``). Login required; only the sessions
whose dataset the user may read are counted."""

import datetime as dt
from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from openpyxl import Workbook

from baguage.reports import AnnualTable, annual_table, ringing_years
from observations.exports.writers import excel_safe

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def bilan_latest(request: HttpRequest) -> HttpResponse:
    years = ringing_years(request.user)
    year = years[0] if years else timezone.localdate().year
    return redirect("baguage:bilan", year=year)


@login_required
def bilan(request: HttpRequest, year: int) -> HttpResponse:
    table = annual_table(year=year, user=request.user)
    return render(request, "baguage/bilan.html", {"table": table, "year": year})


@login_required
def bilan_xlsx(request: HttpRequest, year: int, filename_year: int) -> HttpResponse:
    if filename_year != year:
        raise Http404
    table = annual_table(year=year, user=request.user)
    out = BytesIO()
    bilan_workbook(table).save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
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


def _date(value: dt.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def bilan_workbook(table: AnnualTable) -> Workbook:
    """The tables of the page, one sheet each (text cells made safe for Excel)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Bilan {table.year}"

    def append(ws, row):
        ws.append([excel_safe(value) for value in row])

    append(
        sheet,
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
    )
    for row in table.rows:
        append(
            sheet,
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
            ],
        )
    total = table.total
    append(
        sheet,
        [
            "Total",
            "",
            "",
            total.sessions,
            "",
            total.rings,
            total.controls,
            total.foreign,
            total.countries_label,
            total.species,
            f"{table.controlled_birds} oiseaux contrôlés",
        ],
    )
    if table.hidden:
        append(sheet, [hidden_note(table.hidden)])
    species = workbook.create_sheet("Espèces")
    append(
        species,
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
    )
    for row in table.species:
        append(
            species,
            [
                row.name,
                row.scientific_name,
                row.rings,
                row.controls,
                row.foreign,
                row.juveniles,
                row.adults,
                _ratio(row.juvenile_ratio),
            ],
        )
    sessions = workbook.create_sheet("Sessions")
    append(
        sessions,
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
    )
    for session in table.sessions:
        append(
            sessions,
            [
                _date(session.date),
                session.station.site.name,
                session.programme.programme.name,
                session.start_time.strftime("%H:%M") if session.start_time else "",
                session.end_time.strftime("%H:%M") if session.end_time else "",
                float(session.nets_length_m),
                session.capture_count,
                session.ringed_count,
                session.control_count,
                session.foreign_count,
                session.species_count,
            ],
        )
    stoc = workbook.create_sheet("STOC")
    append(
        stoc,
        [
            "Station",
            "Date",
            "Adultes",
            "Jeunes",
            "Adultes pour 120 m de filets",
            "Conformité au protocole",
        ],
    )
    for station in table.stoc:
        for item in station.sessions:
            append(
                stoc,
                [
                    station.station,
                    _date(item.session.date),
                    item.adults,
                    item.juveniles,
                    _ratio(item.adults_per_120m, 1),
                    " ; ".join(item.problems) or "Conforme",
                ],
            )
        append(
            stoc,
            [
                station.station,
                "Bilan",
                station.adults,
                station.juveniles,
                _ratio(station.adults_per_session, 1),
                f"Productivité {_ratio(station.productivity)} ; retours "
                f"{station.returns} (sur {station.previous_year_rings} bagués "
                f"l'année précédente)",
            ],
        )
    return workbook
