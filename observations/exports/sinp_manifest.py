"""What a SINP export's ZIP says about itself: ``export.json`` (year, pole, mode, perimeter,
counts, columns, format, checksums) and ``jdd/<idSINPJdd>.json``, the metadata of each dataset
it sends (sinp.md §2d), in French for the pole. Apart from ``observations.exports.sinp``, which
selects and writes the rows, so that the file's description reads in one place.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.db.models import Count, Max, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import translation

from observations.exports.columns import COLUMNS
from observations.exports.files import file_sha256
from observations.models import (
    Occurrence,
    OccurrenceDeletion,
    SinpExport,
    SinpExportItem,
)
from referentiel.models import Dataset

MANIFEST = "export.json"
OCCURRENCES = "occurrences.csv"
DELETIONS = "suppressions.csv"
DATASET_DIR = "jdd"
DATA_TYPE = {"code": "1", "libelle": "Occurrences de taxons"}
GEOMETRY_NOTE = "WKT, WGS84 (EPSG:4326), 6 décimales, précise (non floutée)"


def datasets_metadata(export: SinpExport) -> dict[str, dict]:
    """``{idSINPJdd: metadata}`` of the datasets of the rows and deletions sent, sorted."""
    sent = SinpExportItem.objects.filter(export=export, deleted=False).values("uuid")
    counts = {
        row["dataset_id"]: row
        for row in Occurrence.objects.filter(uuid__in=sent)
        .order_by()
        .values("dataset_id")
        .annotate(n=Count("id"), first=Min("date_start"), last=Max("date_end"))
    }
    record = Occurrence.objects.filter(uuid=OuterRef("uuid"))
    tombstone = OccurrenceDeletion.objects.filter(uuid=OuterRef("uuid"))
    deleted = {
        row["dataset"]: row["n"]
        for row in SinpExportItem.objects.filter(export=export, deleted=True)
        .annotate(
            dataset=Coalesce(
                Subquery(record.values("dataset_id")[:1]),
                Subquery(tombstone.values("dataset_id")[:1]),
            )
        )
        .order_by()
        .values("dataset")
        .annotate(n=Count("id"))
    }
    datasets = (
        Dataset.objects.filter(pk__in=set(counts) | set(deleted))
        .select_related("producer", "programme__coordinator")
        .order_by("uuid")
    )
    metadata = {}
    with translation.override("fr"):
        for dataset in datasets:
            row = counts.get(dataset.pk, {})
            metadata[str(dataset.uuid)] = dataset_metadata(
                export,
                dataset,
                rows=row.get("n", 0),
                deletions=deleted.get(dataset.pk, 0),
                first=row.get("first"),
                last=row.get("last"),
            )
    return metadata


def dataset_metadata(export, dataset: Dataset, *, rows, deletions, first, last):
    """The ``jdd/<idSINPJdd>.json`` of one dataset of the export."""
    programme = dataset.programme
    return {
        "idSINPJdd": str(dataset.uuid),
        "libelle": dataset.title,
        "libelleCourt": dataset.short_title or dataset.title[:50],
        "description": dataset.description,
        "typeDonnees": DATA_TYPE,
        "dSPublique": "Pu" if dataset.is_public else "Pr",
        "organismeProducteur": {
            "nom": dataset.producer.name,
            "sigle": dataset.producer.short_name,
        },
        "licence": {
            "code": dataset.licence,
            "libelle": str(dataset.get_licence_display()),
        },
        "cadreAcquisition": None
        if programme is None
        else {
            "code": programme.code,
            "libelle": programme.name,
            "description": programme.description,
            "niveauTerritorial": str(programme.get_level_display()),
            "organismeCoordinateur": programme.coordinator.name,
            "anneeDebut": programme.start_year,
            "anneeFin": programme.end_year,
        },
        "export": {"annee": export.year, "pole": export.pole, "mode": export.mode},
        "nombreOccurrences": rows,
        "nombreSuppressions": deletions,
        "dateDebut": first.isoformat() if first else None,
        "dateFin": last.isoformat() if last else None,
    }


def manifest(export, rows, deletions, files: dict[str, Path], datasets) -> dict:
    """The content of ``export.json``."""
    described = {
        "standard": "SINP Occurrences de taxon v2 (noms de champs DEE)",
        "annee": export.year,
        "pole": export.pole,
        "mode": export.mode,
        "perimetre": export.organisation.name if export.organisation else "réseau",
        "format": {
            "encodage": "UTF-8 sans BOM",
            "separateur": ";",
            "finDeLigne": "LF",
            "geometrie": GEOMETRY_NOTE,
            "nomenclatures": "codes SINP",
        },
        OCCURRENCES: {
            "lignes": rows,
            "colonnes": list(COLUMNS),
            "sha256": file_sha256(files[OCCURRENCES]),
        },
    }
    if DELETIONS in files:
        described[DELETIONS] = {
            "lignes": deletions,
            "colonnes": ["idSINPOccTax", "idSINPJdd", "motif"],
            "motifs": {
                "supprimee": "observation supprimée",
                "non_validee": "observation qui n'est plus validée",
                "hors_perimetre": "observation passée à une autre année ou un autre pôle",
            },
            "sha256": file_sha256(files[DELETIONS]),
        }
    described["jeuxDeDonnees"] = [f"{DATASET_DIR}/{key}.json" for key in datasets]
    return described


def json_bytes(value) -> bytes:
    """A member's JSON: UTF-8, indented, one final newline (same data, same bytes)."""
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode()
