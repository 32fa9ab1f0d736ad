"""The annual report workbook (XLSX) written from :func:`indicators_for_year`.

One sheet per action with the indicator table (year, year before, difference, detail,
and the definition of each figure, :mod:`indicateurs.figures`),
then the detail sheets: atlas contributions, ringing per site, POP results, terril scores,
data exchanges, outreach, the finds chosen for the report, and the long lists of the
action sheets one item per row.

A report to send (issue 22): real dates and numbers, a bold total row wherever the report
totals, wrapped text in columns of a readable width, every sheet set up to print (landscape,
fitted to the width, header rows repeated, the structure and the page numbers in the
header and footer), and a file named after the structure and the year.
"""

import datetime as dt
from pathlib import Path

from cpie_naturaliste.core.workbooks import WorkbookWriter
from indicateurs.narratives import narratives_sheet

# A figure's detail longer than this goes to the "Listes" sheet, one item per row.
LONG_DETAIL = 200
LISTS_SHEET = "Listes"


def chosen_finds(finds: dict) -> tuple[list[dict], int]:
    """The finds the coordinators chose for the report (their "retenue pour le bilan"
    decision), each taxon named once (a first mention that is also a rare species is one
    line, of its first kind: first mention, return, then rare), and how many other taxa
    were detected (the report gives their count only)."""
    every = finds["firsts"] + finds["rare_or_threatened"]
    chosen: dict = {}
    for find in every:
        if find["in_report"]:
            chosen.setdefault(find.get("cd_ref") or id(find), find)
    others = {find.get("cd_ref") or id(find) for find in every} - chosen.keys()
    return list(chosen.values()), len(others)


def _sheet(
    workbook: WorkbookWriter, title: str, heading: str, columns, rows, total=None
) -> None:
    """A sheet with its heading line above the table (the header on line 3)."""
    workbook.sheet(title, columns, list(rows), heading=heading, total=total, wrap=True)


def _date(value):
    """A date as the snapshots keep it (ISO, or 31/12/2020 in the exchange log) as a real
    date of the sheet."""
    if not isinstance(value, str):
        return value
    for parse in (
        dt.date.fromisoformat,
        lambda text: dt.datetime.strptime(text, "%d/%m/%Y").date(),
    ):
        try:
            return parse(value)
        except ValueError:
            continue
    return value


def _sum(rows, key: str):
    return sum(row[key] or 0 for row in rows)


def _action_sheets(workbook: WorkbookWriter, indicators: dict) -> None:
    """One sheet per action; a long detail (the taxa of 237 first mentions) is replaced by
    its count and listed one item per row in the "Listes" sheet, after the others."""
    year, before = indicators["year"], indicators["previous_year"]
    lists = []
    for section in indicators["sections"]:
        rows = []
        for f in section["figures"]:
            detail = f["detail"]
            if isinstance(detail, str) and len(detail) > LONG_DETAIL:
                items = detail.split(", ")
                lists += [[section["action"], f["label"], item] for item in items]
                detail = f"{len(items)} éléments : feuille « {LISTS_SHEET} »"
            rows.append(
                [
                    f["label"],
                    f["value"],
                    f["previous"],
                    f["difference"],
                    detail,
                    f["definition"],
                ]
            )
        _sheet(
            workbook,
            f"Action {section['action']}",
            f"{section['title']} — bilan {year}",
            ["Indicateur", str(year), str(before), "Écart", "Détail", "Définition"],
            rows,
        )
    return lists


def workbook_for(indicators: dict, structure: str | None = None) -> WorkbookWriter:
    """Every sheet through the core writer: the finds' comments, site and place names are
    user text, guarded there against formulas. ``structure``: the name printed in each
    page's header."""
    year = indicators["year"]
    details = indicators["details"]
    workbook = WorkbookWriter(
        print_header=f"{structure} — bilan {year}" if structure else f"Bilan {year}"
    )
    lists = _action_sheets(workbook, indicators)
    narratives_sheet(workbook, indicators)
    atlas = details["atlas"]
    lines = [*atlas["groups"]]
    if atlas["ungrouped"]:
        lines.append(atlas["ungrouped"])
    # The kingdoms as subtotals, but one that is a group already (Flore) only once.
    group_names = {line["name"] for line in lines}
    lines += [
        {**kingdom, "name": f"Sous-total {kingdom['name'].lower()}"}
        for kingdom in atlas["kingdoms"].values()
        if kingdom["name"] not in group_names
    ]
    _sheet(
        workbook,
        "Atlas",
        f"Contributions aux atlas {year} (données / espèces)",
        ["Groupe", "Données", "Espèces"],
        ([line["name"], line["records"], line["species"]] for line in lines),
        total=["Total", atlas["total"]["records"], atlas["total"]["species"]],
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
                f"Sous-total ({r['site']})" if r.get("subtotal") else r["site"],
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
        total=[
            "Total",
            f"{len(details['ringing']['per_site'])} sites",
            None,
            details["ringing"]["sessions"],
            details["ringing"]["rings"],
            details["ringing"]["controls"],
            details["ringing"]["foreign"],
            details["ringing"]["species"],
            None,
        ],
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
        total=[
            "Total",
            f"{len(details['pop']['per_aire'])} aires",
            details["pop"]["sites_visited"],
            details["pop"]["sites_occupied"],
            details["pop"]["records"],
            details["pop"]["positive"],
            details["pop"]["species"],
            None,
        ],
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
        total=["Total", details["exchanges"]["count"], details["exchanges"]["rows"]],
    )
    log = details["exchanges"].get("log") or []
    if log:
        _sheet(
            workbook,
            "Échanges hors application",
            f"Échanges de données {year} faits hors de l'application",
            ["Date", "Partenaire", "Sens", "Contenu", "Faune", "Flore", "Espèces"],
            (
                [
                    _date(e["date"]),
                    e["partner"],
                    e["direction"],
                    e["content"],
                    e["fauna"],
                    e["flora"],
                    e["species"],
                ]
                for e in log
            ),
            total=[
                "Total",
                None,
                None,
                None,
                _sum(log, "fauna"),
                _sum(log, "flora"),
                None,
            ],
        )
    outreach = details["outreach"]["lines"]
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
            for line in outreach
        ),
        total=[
            "Total",
            _sum(outreach, "actions"),
            None,
            _sum(outreach, "trained"),
            _sum(outreach, "aware"),
            _sum(outreach, "publications"),
            _sum(outreach, "volunteer_days"),
        ],
    )
    chosen, others = chosen_finds(details["finds"])
    s = "s" if others > 1 else ""

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
        f"Découvertes remarquables {year} retenues pour le bilan : {len(chosen)} "
        f"(et {others} autre{s} détectée{s} par l'application, non retenue{s})",
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
            for f in chosen
        ],
    )
    if lists:
        _sheet(
            workbook,
            LISTS_SHEET,
            f"Listes des indicateurs {year}, un élément par ligne",
            ["Action", "Indicateur", "Élément"],
            lists,
        )
    return workbook


def report_write(
    indicators: dict, path: Path | str, structure: str | None = None
) -> Path:
    path = Path(path)
    workbook_for(indicators, structure).save(path)
    return path


def workbook_bytes(indicators: dict, structure: str | None = None) -> bytes:
    return workbook_for(indicators, structure).getvalue()
