"""Demo occurrences 2019–2021 (``manage.py load_demo`` calls ``load_demo`` after the
referential demo).

About 20,000 believable records on the demo sites and the communes of the mining basin,
close to the 2020 atlas figures of the activity report, written with COPY: each has a stable
``source_key`` ("demo-…") in its demo dataset, so a second run inserts nothing. Derived
fields (communes, grid cell, atlas group, sensitivity) are computed by
``occurrences_refresh_derived`` for the new rows only.
"""

import csv
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from django.db import transaction

from observations.models import Occurrence
from referentiel.models import TaxonStatus
from referentiel.services.imports.statuses import taxon_statuses_import

from .build import KEY_PREFIX, demo_context, demo_records
from .counts import counts_demo_load, waterbirds_demo_load
from .exchanges import exchanges_demo_load
from .specs import SENSITIVE_TAXA
from .write import occurrences_copy


def load_demo(
    *, stdout: TextIO | None = None, log: Callable[[str], None] | None = None
) -> None:
    """Insert the demo occurrences that are not there yet; print one French summary line
    on ``stdout`` (or give it to ``log``)."""
    started = time.monotonic()
    with transaction.atomic():
        sensitive = _sensitive_taxa_ensure()
        created = occurrences_demo_insert()
    total = Occurrence.objects.filter(source_key__startswith=KEY_PREFIX).count()
    line = (
        f"Observations : {created} observations de démonstration créées, {total} au "
        f"total ({sensitive} taxons rendus sensibles) en "
        f"{time.monotonic() - started:.1f} s"
    )
    with transaction.atomic():
        line += "\n" + counts_demo_load()
        line += "\n" + waterbirds_demo_load()
        line += "\n" + exchanges_demo_load()
    if log:
        log(line)
    elif stdout:
        stdout.write(line + "\n")


def occurrences_demo_insert() -> int:
    """Write the missing demo occurrences (COPY) with their observers, validation and
    creation history, then compute their derived fields. Returns how many were created."""
    context = demo_context()
    records = demo_records(context)
    # By key alone: a record whose dataset changed between two versions of the demo (a
    # new site or taxon moves the draw) keeps its identifier and is not written twice.
    existing = set(
        Occurrence.objects.filter(source_key__startswith=KEY_PREFIX).values_list(
            "source_key", flat=True
        )
    )
    missing = [r for r in records if r["source_key"] not in existing]
    if missing:
        occurrences_copy(missing, context.users)
    return len(missing)


def _sensitive_taxa_ensure() -> int:
    """Give the demo's sensitive taxa their SINP sensitivity level, through the
    referential's status import, when the referential gives them none yet (their
    regional rarity may be there: referentiel/data/statuses)."""
    missing = set(SENSITIVE_TAXA) - set(
        TaxonStatus.objects.filter(
            taxon_id__in=SENSITIVE_TAXA, sensitivity_level__gt=0
        ).values_list("taxon_id", flat=True)
    )
    if not missing:
        return 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sensibilite_demo.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(["cd_nom", "sensibilite"])
            writer.writerows(
                (cd_nom, SENSITIVE_TAXA[cd_nom]) for cd_nom in sorted(missing)
            )
        taxon_statuses_import(path=path)
    return len(missing)
