"""Reading ``site,year,count`` files for the ``trim`` command (empty count = missing), through
the core tabular layer's CSV reader (UTF-8, ``,`` ``;`` or tab)."""

from pathlib import Path

from cpie_naturaliste.core.tabular.csv_table import CsvTable
from cpie_naturaliste.core.tabular.errors import ImportRefused

from .trim import TrimError

COLUMNS = ("site", "year", "count")


def counts_read(path: Path) -> tuple[list[str], list[int], list[float | None]]:
    """Sites, years and counts of a CSV file with a ``site,year,count`` header."""
    sites, years, counts = [], [], []
    try:
        table = CsvTable(path, utf8_only=True)
    except ImportRefused as refusal:
        raise TrimError(refusal.as_text()) from refusal
    try:
        header = [name.strip().lower() for name in table.headers]
        if not set(COLUMNS) <= set(header):
            raise TrimError("En-tête attendu : site,year,count.")
        positions = [header.index(name) for name in COLUMNS]
        for line, cells in _rows(table):
            if not any(cell.strip() for cell in cells):
                continue
            site, year, count = (_cell(cells, i) for i in positions)
            sites.append(site)
            years.append(_year(line, year))
            counts.append(_count(line, count))
    finally:
        table.close()
    if not sites:
        raise TrimError("Fichier vide.")
    return sites, years, counts


def _rows(table: CsvTable):
    try:
        yield from table.rows()
    except ImportRefused as refusal:
        raise TrimError(refusal.as_text()) from refusal


def _cell(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


def _year(line: int, text: str) -> int:
    try:
        return int(text)
    except ValueError as error:
        raise TrimError(f"Ligne {line} : année ou effectif illisible.") from error


def _count(line: int, text: str) -> float | None:
    if not text:
        return None
    try:
        count = float(text.replace(",", "."))
    except ValueError as error:
        raise TrimError(f"Ligne {line} : année ou effectif illisible.") from error
    if count < 0:
        raise TrimError(f"Ligne {line} : effectif négatif.")
    return count
