"""Reference data shipped in ``referentiel/data/``: SINP nomenclatures and default atlas groups.

The upserts take the model classes as arguments so that the data migrations (historical models)
and the ``update_nomenclatures`` command (current models) share one implementation.
"""

import csv
from pathlib import Path

from .nomenclatures import nomenclature_csv_read, nomenclatures_update

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
NOMENCLATURES_CSV = DATA_DIR / "nomenclatures.csv"
ATLAS_GROUPS_CSV = DATA_DIR / "atlas_groups.csv"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def nomenclatures_upsert(
    *, type_model, value_model, path: Path = NOMENCLATURES_CSV
) -> int:
    """Bring the nomenclatures to the shipped file (see ``nomenclatures.nomenclatures_update``:
    new values added, labels updated, withdrawn ones deactivated); returns the values read."""
    values = nomenclature_csv_read(path)
    nomenclatures_update(type_model=type_model, value_model=value_model, values=values)
    return len(values)


def atlas_groups_upsert(
    *, group_model, rule_model, path: Path = ATLAS_GROUPS_CSV
) -> int:
    """Create the default atlas groups and their rules; existing rules keep their edits."""
    rows = _read(path)
    for row in rows:
        group, _ = group_model.objects.get_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "kingdom": row["kingdom"],
                "position": int(row["position"]),
            },
        )
        rule_model.objects.get_or_create(
            field=row["field"],
            value=row["value"],
            defaults={"group": group, "priority": int(row["priority"])},
        )
    return len(rows)
