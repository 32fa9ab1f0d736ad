"""Sensitivity rules from a CSV file (a regional référentiel), all or nothing.

Columns: ``cd_nom;departement;debut;fin;statut_bio;comportement;duree;niveau`` and optionally
``source`` and ``commentaire``. ``debut``/``fin`` are JJ-MM (or JJ/MM), both empty for the whole
year; a period whose start comes after its end spans 31 December. ``statut_bio`` and
``comportement`` list SINP codes separated by ``,`` ``|`` or spaces (empty: any). ``duree`` is a
number of years (empty: forever); ``niveau`` 0 to 4.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from cpie_naturaliste.core.tabular.errors import ErrorLog, ImportFileError
from referentiel.models import Departement, SensitivityRule, Taxon
from referentiel.services.sensitivity import sensitivity_rules_refresh_taxa

from .table import column_name, reference_errors, reference_records, reference_table

REQUIRED = (
    "cd_nom",
    "departement",
    "debut",
    "fin",
    "statut_bio",
    "comportement",
    "duree",
    "niveau",
)
OPTIONAL = ("source", "commentaire")
DAY_MONTH = re.compile(r"^(\d{1,2})[-/](\d{1,2})$")
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
CODE = re.compile(r"^\d{1,2}$")


@dataclass(frozen=True)
class SensitivityRulesImportResult:
    path: Path
    created: int
    deleted: int

    def summary(self) -> str:
        return _(
            "Règles de sensibilité importées depuis « %(file)s » : %(created)d créées, "
            "%(deleted)d supprimées. Lancez refresh_sensitivity pour recalculer les "
            "observations."
        ) % {"file": self.path.name, "created": self.created, "deleted": self.deleted}


def sensitivity_rules_import(
    *, path: Path, replace: bool = False
) -> SensitivityRulesImportResult:
    """Create the rules of a CSV file (``replace``: delete every existing rule first).

    Raises ``ImportFileError`` naming each bad line and column; then nothing is imported."""
    path = Path(path)
    errors = reference_errors()
    parsed: list[tuple[int, dict]] = []
    with reference_table(path) as table:
        header = [column_name(name) for name in table.headers]
        _header_check(header, path.name)
        for line, record in reference_records(table, header, errors):
            values = _row_parse(record, line, errors)
            if values is not None:
                parsed.append((line, values))
    _references_check(parsed, errors)
    errors.raise_if_any(file=path.name)
    return _rules_write(path, [values for _line, values in parsed], replace)


def _header_check(header: list[str], name: str) -> None:
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ImportFileError(
            [
                _(
                    "« %(file)s », ligne 1 : colonne(s) absente(s) : %(missing)s. "
                    "Attendu : %(columns)s."
                )
                % {
                    "file": name,
                    "missing": ", ".join(missing),
                    "columns": ";".join(REQUIRED),
                }
            ]
        )


def _row_parse(record: dict, line: int, errors: ErrorLog) -> dict | None:
    problems: list[tuple[str, str]] = []
    values: dict = {}
    raw = record["cd_nom"].strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= 9:
        values["taxon_id"] = int(raw)
    else:
        problems.append(("cd_nom", _("« %s » n'est pas un nombre entier.") % raw))
    values["departement_id"] = record["departement"].strip().upper() or None
    period = {}
    for column, prefix in (("debut", "start"), ("fin", "end")):
        raw = record[column].strip()
        if not raw:
            continue
        match = DAY_MONTH.match(raw)
        day, month = (int(match[1]), int(match[2])) if match else (0, 0)
        if not (1 <= month <= 12 and 1 <= day <= DAYS_IN_MONTH[month - 1]):
            problems.append(
                (column, _("« %s » : date JJ-MM attendue (ex. 01-11).") % raw)
            )
            continue
        period[f"{prefix}_day"], period[f"{prefix}_month"] = day, month
    if bool(record["debut"].strip()) != bool(record["fin"].strip()):
        problems.append(
            ("fin" if record["debut"].strip() else "debut", _("début et fin requis."))
        )
    values.update(period)
    for column, field in (
        ("statut_bio", "bio_statuses"),
        ("comportement", "behaviours"),
    ):
        codes = [code for code in re.split(r"[\s,|]+", record[column].strip()) if code]
        bad = [code for code in codes if not CODE.match(code)]
        if bad:
            problems.append(
                (column, _("code(s) SINP invalide(s) : %s.") % ", ".join(bad))
            )
        values[field] = sorted(set(codes))
    raw = record["duree"].strip()
    if raw and not (raw.isascii() and raw.isdigit() and len(raw) <= 4):
        problems.append(("duree", _("« %s » : nombre d'années attendu.") % raw))
    values["duration_years"] = int(raw) if raw and raw.isdigit() else None
    raw = record["niveau"].strip()
    if raw not in {"0", "1", "2", "3", "4"}:
        problems.append(("niveau", _("« %s » : niveau de 0 à 4 attendu.") % raw))
    else:
        values["level"] = int(raw)
    values["source"] = record.get("source", "").strip()[:200]
    values["comment"] = record.get("commentaire", "").strip()
    for column, message in problems:
        errors.add(line, column, message)
    return None if problems else values


def _references_check(parsed: list[tuple[int, dict]], errors: ErrorLog) -> None:
    taxa = {values["taxon_id"] for _line, values in parsed}
    known_taxa = set(
        Taxon.objects.filter(cd_nom__in=taxa).values_list("cd_nom", flat=True)
    )
    known_deps = set(Departement.objects.values_list("code", flat=True))
    for line, values in parsed:
        if values["taxon_id"] not in known_taxa:
            errors.add(
                line,
                "cd_nom",
                _("taxon %(cd_nom)d inconnu.") % {"cd_nom": values["taxon_id"]},
            )
        dep = values["departement_id"]
        if dep is not None and dep not in known_deps:
            errors.add(
                line,
                "departement",
                _("département « %(dep)s » inconnu.") % {"dep": dep},
            )


@transaction.atomic
def _rules_write(
    path: Path, rows: list[dict], replace: bool
) -> SensitivityRulesImportResult:
    deleted = SensitivityRule.objects.all().delete()[0] if replace else 0
    created = SensitivityRule.objects.bulk_create(
        [SensitivityRule(**values) for values in rows], batch_size=1000
    )
    sensitivity_rules_refresh_taxa(ids=[rule.pk for rule in created])
    return SensitivityRulesImportResult(
        path=path, created=len(created), deleted=deleted
    )
