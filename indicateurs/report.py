"""The annual report workbook (XLSX) written from :func:`indicators_for_year`.

One sheet per action with the indicator table (year, year before, difference, detail,
and the definition of each figure, :mod:`indicateurs.figures`),
then the detail sheets: atlas contributions, ringing per site, POP results, terril scores,
data exchanges, outreach.
"""

import datetime as dt
from pathlib import Path

from cpie_naturaliste.core.workbooks import WorkbookWriter
from indicateurs.finds import report_finds
from indicateurs.narratives import narratives_sheet


def _sheet(workbook: WorkbookWriter, title: str, heading: str, columns, rows) -> None:
    """A sheet with its heading line above the table (the header on line 3)."""
    workbook.sheet(title, columns, list(rows), heading=heading)


def _date(value):
    """A find's ISO date (as the snapshots keep it) as a real date of the sheet."""
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return value


def workbook_for(indicators: dict) -> WorkbookWriter:
    """Every sheet through the core writer: the finds' comments, site and place names are
    user text, guarded there against formulas."""
    year, before = indicators["year"], indicators["previous_year"]
    details = indicators["details"]
    workbook = WorkbookWriter()
    for section in indicators["sections"]:
        _sheet(
            workbook,
            f"Action {section['action']}",
            f"{section['title']} — bilan {year}",
            ["Indicateur", str(year), str(before), "Écart", "Détail", "Définition"],
            (
                [
                    f["label"],
                    f["value"],
                    f["previous"],
                    f["difference"],
                    f["detail"],
                    f["definition"],
                ]
                for f in section["figures"]
            ),
        )
    narratives_sheet(workbook, indicators)
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
        ["Partenaire", "Échanges", "Données"],
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
                _date(f.get("date") or f["first_date"]),
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
    return workbook_for(indicators).getvalue()
