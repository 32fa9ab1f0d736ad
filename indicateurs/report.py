"""The annual report workbook (XLSX) written from :func:`indicators_for_year`.

One sheet per action with the indicator table (year, year before, difference, detail),
then the detail sheets: atlas contributions, ringing per site, POP results, terril scores,
data exchanges, outreach.
"""

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from indicateurs.finds import report_finds

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="2E6B3F")
TITLE_FONT = Font(bold=True, size=13)


def _sheet(workbook: Workbook, title: str, heading: str, columns: list[str], rows):
    sheet = workbook.create_sheet(title[:31])
    sheet.append([heading])
    sheet["A1"].font = TITLE_FONT
    sheet.append([])
    sheet.append(columns)
    for cell in sheet[3]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(
            [", ".join(map(str, v)) if isinstance(v, list | tuple) else v for v in row]
        )
    for index, column in enumerate(columns, start=1):
        width = max(
            [len(str(column))]
            + [len(str(c.value or "")) for c in sheet[get_column_letter(index)][2:]]
        )
        sheet.column_dimensions[get_column_letter(index)].width = min(
            max(width + 2, 8), 70
        )
    sheet.freeze_panes = "A4"
    return sheet


def workbook_for(indicators: dict) -> Workbook:
    year, before = indicators["year"], indicators["previous_year"]
    details = indicators["details"]
    workbook = Workbook()
    workbook.remove(workbook.active)
    for section in indicators["sections"]:
        _sheet(
            workbook,
            f"Action {section['action']}",
            f"{section['title']} — bilan {year}",
            ["Indicateur", str(year), str(before), "Écart", "Détail"],
            (
                [f["label"], f["value"], f["previous"], f["difference"], f["detail"]]
                for f in section["figures"]
            ),
        )
    atlas = details["atlas"]
    lines = [*atlas["groups"]]
    if atlas["ungrouped"]:
        lines.append(atlas["ungrouped"])
    lines += [*atlas["kingdoms"].values(), atlas["total"]]
    _sheet(
        workbook,
        "Atlas",
        f"Contributions aux atlas {year} (données / espèces)",
        ["Groupe", "Données", "Espèces"],
        ([line["name"], line["records"], line["species"]] for line in lines),
    )
    _sheet(
        workbook,
        "Baguage",
        f"Baguage {year} par programme et site",
        [
            "Programme",
            "Site",
            "Communes",
            "Sessions",
            "Bagues",
            "Contrôles",
            "Contrôles étrangers",
            "Espèces",
            "Remarquables",
        ],
        (
            [
                r["programme"],
                r["site"],
                r["communes"],
                r["sessions"],
                r["rings"],
                r["controls"],
                r["foreign"],
                r["species"],
                r["remarkable"],
            ]
            for r in details["ringing"]["per_site"]
        ),
    )
    _sheet(
        workbook,
        "POP Amphibien",
        f"POP Amphibien {year} par aire",
        [
            "Aire",
            "Nom",
            "Sites visités",
            "Sites occupés",
            "Données",
            "Positives",
            "Espèces",
            "Liste",
        ],
        (
            [
                a["number"],
                a["name"],
                a["sites_visited"],
                a["sites_occupied"],
                a["records"],
                a["positive"],
                a["species"],
                a["species_names"],
            ]
            for a in details["pop"]["per_aire"]
        ),
    )
    _sheet(
        workbook,
        "Terrils",
        f"Terrils évalués en {year} (méthode {details['terrils']['version']})",
        ["Rang", "Terril", "Note", "Classe", "État zéro", "Évolution"],
        (
            [
                s["rank"],
                s["name"],
                s["score"],
                s["class"],
                s["state_zero"],
                s["change"],
            ]
            for s in details["terrils"]["scores"]
        ),
    )
    _sheet(
        workbook,
        "Échanges",
        f"Échanges de données {year}",
        ["Destinataire", "Extractions", "Données"],
        (
            [r["name"], r["extracts"], r["rows"]]
            for r in details["exchanges"]["recipients"]
        ),
    )
    _sheet(
        workbook,
        "Sensibilisation",
        f"Sensibilisation {year} par action du bilan",
        [
            "Action du bilan",
            "Actions",
            "Par type",
            "Personnes formées",
            "Personnes sensibilisées",
            "Publications",
            "Journées de bénévolat",
        ],
        (
            [
                line["label"],
                line["actions"],
                "; ".join(f"{k} : {v}" for k, v in line["by_kind"].items()),
                line["trained"],
                line["aware"],
                line["publications"],
                line["volunteer_days"],
            ]
            for line in details["outreach"]["lines"]
        ),
    )
    finds = details["finds"]

    def find_type(find: dict) -> str:
        if find["kind"] == "rare":
            marks = " / ".join(x for x in (find["rarity"], find["red_list"]) if x)
            return f"{find['kind_label']} ({marks}, {find['records']} données)"
        if find["kind"] == "return":
            return f"{find['kind_label']} (dernière donnée : {find['last_year']})"
        return find["kind_label"]

    _sheet(
        workbook,
        "Découvertes",
        f"Découvertes remarquables {year}",
        [
            "Type",
            "Taxon",
            "Nom français",
            "Département ou territoire",
            "Date",
            "Commune",
            "Site",
            "Statut",
            "Commentaire",
        ],
        [
            [
                find_type(f),
                f["taxon"],
                f["vernacular"],
                f.get("zone_name", ""),
                f.get("date") or f["first_date"],
                f.get("commune", ""),
                f.get("site", ""),
                f["status_label"],
                f["comment"],
            ]
            for f in report_finds(finds)
        ],
    )
    return workbook


def report_write(indicators: dict, path: Path | str) -> Path:
    path = Path(path)
    workbook_for(indicators).save(path)
    return path


def workbook_bytes(indicators: dict) -> bytes:
    buffer = io.BytesIO()
    workbook_for(indicators).save(buffer)
    return buffer.getvalue()
