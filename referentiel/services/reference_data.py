"""Reference data shipped in ``referentiel/data/``: SINP nomenclatures and default atlas groups.

The upserts take the model classes as arguments so that the data migrations (historical models)
and the ``load_nomenclatures`` command (current models) share one implementation.
"""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
NOMENCLATURES_CSV = DATA_DIR / "nomenclatures.csv"
ATLAS_GROUPS_CSV = DATA_DIR / "atlas_groups.csv"


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def nomenclatures_upsert(
    *, type_model, value_model, path: Path = NOMENCLATURES_CSV
) -> int:
    """Create or update every nomenclature of the file; returns the number of values."""
    rows = _read(path)
    types = {}
    for position, row in enumerate(rows):
        mnemonic = row["type"]
        if mnemonic not in types:
            types[mnemonic], _ = type_model.objects.update_or_create(
                mnemonic=mnemonic, defaults={"label": row["type_label"]}
            )
        value_model.objects.update_or_create(
            type=types[mnemonic],
            code=row["code"],
            defaults={"label": row["label"], "position": position, "is_active": True},
        )
    return len(rows)


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
