"""Reading ``site,year,count`` files for the ``trim`` command (empty count = missing)."""

import csv
from pathlib import Path

from .trim import TrimError


def counts_read(path: Path) -> tuple[list[str], list[int], list[float | None]]:
    """Sites, years and counts of a CSV file with a ``site,year,count`` header."""
    sites, years, counts = [], [], []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        sample = handle.read(2048)
        handle.seek(0)
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        reader = csv.DictReader(handle, dialect=dialect)
        header = {name.strip().lower() for name in reader.fieldnames or ()}
        if not {"site", "year", "count"} <= header:
            raise TrimError("En-tête attendu : site,year,count.")
        for line, row in enumerate(reader, start=2):
            row = {
                key.strip().lower(): (value or "").strip() for key, value in row.items()
            }
            try:
                year = int(row["year"])
                count = float(row["count"].replace(",", ".")) if row["count"] else None
            except ValueError as error:
                raise TrimError(
                    f"Ligne {line} : année ou effectif illisible."
                ) from error
            if count is not None and count < 0:
                raise TrimError(f"Ligne {line} : effectif négatif.")
            sites.append(row["site"])
            years.append(year)
            counts.append(count)
    if not sites:
        raise TrimError("Fichier vide.")
    return sites, years, counts
