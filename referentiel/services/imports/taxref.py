"""TAXREF import: stream the TXT file into a temporary table with COPY, then upsert by cd_nom.

TAXREF holds about 700,000 names. Building a model instance per row would be slow and would keep
the file in memory, so each row is checked in Python while the file streams (an error then names
its line) and sent with COPY to a temporary table; SQL then checks what spans rows (duplicate
cd_nom, cd_ref pointing nowhere) and merges into the taxon table, writing only new or changed
rows (taxref_sql.py). The whole import is one transaction: one bad row and nothing is imported.
"""

import operator
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from cpie_naturaliste.core.tabular.errors import ErrorLog, ImportFileError
from referentiel.models import AtlasGroupRule, Taxon
from referentiel.models.taxa import build_search_text
from referentiel.services.sensitivity import sensitivity_rules_refresh_taxa
from referentiel.services.taxa import AtlasRules, atlas_rules_load
from referentiel.signals import sensitivity_rules_changed

from . import taxref_sql
from .table import reference_errors

# TAXREF header → Taxon field, in the order of the temporary table. Optional columns missing from
# an older layout load as empty text.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("CD_NOM", "cd_nom"),
    ("CD_REF", "cd_ref"),
    ("CD_SUP", "cd_sup"),
    ("CD_TAXSUP", "cd_taxsup"),
    ("RANG", "rank"),
    ("LB_NOM", "scientific_name"),
    ("LB_AUTEUR", "author"),
    ("NOM_COMPLET", "full_name"),
    ("NOM_VALIDE", "valid_name"),
    ("NOM_VERN", "vernacular_name"),
    ("NOM_VERN_ENG", "vernacular_name_en"),
    ("REGNE", "kingdom"),
    ("PHYLUM", "phylum"),
    ("CLASSE", "class_name"),
    ("ORDRE", "order_name"),
    ("FAMILLE", "family"),
    ("SOUS_FAMILLE", "subfamily"),
    ("TRIBU", "tribe"),
    ("GROUP1_INPN", "group1_inpn"),
    ("GROUP2_INPN", "group2_inpn"),
    ("GROUP3_INPN", "group3_inpn"),
    ("HABITAT", "habitat"),
    ("FR", "fr_status"),
)
REQUIRED_COLUMNS = ("CD_NOM", "CD_REF", "LB_NOM", "RANG", "REGNE")
FIELDS = tuple(field for _column, field in COLUMNS)
# What COPY sends after the line number: the file's fields, then the two computed here.
LOAD_FIELDS = (*FIELDS, "search_text", "atlas_group")
INTEGER_FIELDS = FIELDS[:4]
CD_NOM, CD_REF, CD_SUP, CD_TAXSUP, RANK, SCIENTIFIC_NAME = range(6)
VERNACULAR_NAME = FIELDS.index("vernacular_name")
BATCH_ROWS = 2000
COPY_NULL = "\\N"
TAB = "\t"
VERSION_RE = re.compile(r"v(\d{1,3})(?!\d)", re.IGNORECASE)


@dataclass(frozen=True)
class TaxrefImportResult:
    path: Path
    version: str
    read: int
    created: int
    updated: int
    unchanged: int
    index_rebuilt: bool
    seconds: float

    def summary(self) -> str:
        return _(
            "TAXREF %(version)s importé depuis « %(file)s » en %(seconds)s s : "
            "%(read)d lignes lues, %(created)d taxons créés, %(updated)d mis à jour, "
            "%(unchanged)d inchangés."
        ) % {
            "version": self.version or _("(version non précisée)"),
            "file": self.path.name,
            "seconds": number_format(self.seconds, 1),
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def taxref_version_from_name(name: str) -> str:
    """``TAXREFv18.txt`` → ``V18``; empty when the file name carries no version."""
    match = VERSION_RE.search(Path(name).stem)
    return f"V{match.group(1)}" if match else ""


def taxref_import(*, path: Path, version: str = "") -> TaxrefImportResult:
    """Upsert every row of a TAXREF TXT file (tab-separated, UTF-8, header row) by cd_nom.

    Rows are matched by header name, so older layouts with the required columns in another order
    load too. Each taxon gets its search text and its atlas group (rules loaded once). Raises
    ``ImportFileError`` listing every bad line, in which case nothing is imported.
    """
    started = time.perf_counter()
    path = Path(path)
    version = (version or taxref_version_from_name(path.name)).strip()
    if len(version) > Taxon._meta.get_field("taxref_version").max_length:
        raise ImportFileError([_("Version TAXREF trop longue : « %s ».") % version])
    try:
        stream = path.open("rb")
    except OSError as error:
        raise ImportFileError(
            [
                _("Impossible de lire « %(file)s » : %(error)s")
                % {"file": path.name, "error": error.strerror or error}
            ]
        ) from error
    with stream, transaction.atomic():
        positions, width = _read_header(stream, path)
        rules = atlas_rules_load()
        with connection.cursor() as cursor:
            taxref_sql.load_table_create(cursor=cursor, fields=LOAD_FIELDS)
            errors = reference_errors()
            with cursor.cursor.copy(
                taxref_sql.copy_statement(fields=LOAD_FIELDS)
            ) as copy:
                read = _copy_rows(
                    lines=stream,
                    write=copy.write,
                    positions=positions,
                    width=width,
                    rules=rules,
                    errors=errors,
                )
            errors.raise_if_any(file=path.name)
            for message in taxref_sql.load_table_check(cursor=cursor, name=path.name):
                errors.note(message)
            errors.raise_if_any(file=path.name)
            counts = taxref_sql.load_table_merge(
                cursor=cursor, fields=LOAD_FIELDS, version=version
            )
        # New or moved taxa change which names a rule on a genus or an order reaches.
        if counts.created or counts.updated:
            sensitivity_rules_refresh_taxa()
            transaction.on_commit(
                lambda: sensitivity_rules_changed.send(sender=TaxrefImportResult)
            )
    return TaxrefImportResult(
        path=path,
        version=version,
        read=read,
        created=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
        index_rebuilt=counts.index_rebuilt,
        seconds=time.perf_counter() - started,
    )


def _read_header(stream, path: Path) -> tuple[list[int], int]:
    """Map the header to positions of COLUMNS in a split row (-1: column absent)."""
    first = stream.readline()
    try:
        header = first.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            [_("« %s », ligne 1 : encodage invalide (UTF-8 attendu).") % path.name]
        ) from error
    names = [name.strip().strip('"').upper() for name in header.split(TAB)]
    missing = [column for column in REQUIRED_COLUMNS if column not in names]
    if not header.strip() or missing:
        raise ImportFileError(
            [
                _(
                    "Le fichier « %(file)s » n'est pas un fichier TAXREF : colonne(s) "
                    "obligatoire(s) absente(s) de l'en-tête (ligne 1) : %(missing)s. "
                    "Attendu : un fichier texte séparé par des tabulations dont la première "
                    "ligne nomme les colonnes (%(required)s…)."
                )
                % {
                    "file": path.name,
                    "missing": ", ".join(missing or REQUIRED_COLUMNS),
                    "required": ", ".join(REQUIRED_COLUMNS),
                }
            ]
        )
    doubled = sorted({name for name in names if name and names.count(name) > 1})
    if doubled:
        raise ImportFileError(
            [
                _("« %(file)s », ligne 1 : colonne(s) en double : %(columns)s.")
                % {"file": path.name, "columns": ", ".join(doubled)}
            ]
        )
    return [names.index(c) if c in names else -1 for c, _f in COLUMNS], len(names)


def _copy_rows(
    *,
    lines: Iterable[bytes],
    write,
    positions: list[int],
    width: int,
    rules: AtlasRules,
    errors: ErrorLog,
) -> int:
    """Check each data line and write it to COPY; returns the number of data rows read.

    After the first error rows are still checked (to report every error at once) but no longer
    written. This loop runs 700,000 times, hence the local names and C-level helpers."""
    pick = operator.itemgetter(*positions)
    limits = tuple(_max_length(field) for field in FIELDS)
    le, all_, map_, len_ = operator.le, all, map, len
    rule_fields = tuple(AtlasGroupRule.Field.values)
    rule_pick = operator.itemgetter(*(FIELDS.index(f) for f in rule_fields))
    groups: dict[tuple, str] = {}
    batch: list[str] = []
    read = 0
    for lineno, raw in enumerate(lines, start=2):
        try:
            line = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            errors.add(lineno, "", _("encodage invalide (UTF-8 attendu)."))
            continue
        if not line or line.isspace():
            continue
        read += 1
        values = line.split(TAB)
        if len_(values) != width:
            errors.add(
                lineno,
                "",
                _("%(found)d colonnes au lieu des %(expected)d de l'en-tête.")
                % {"found": len_(values), "expected": width},
            )
            continue
        values.append("")  # what an absent optional column (position -1) reads
        row = [value.strip() for value in pick(values)]
        cd_nom, cd_ref, cd_sup, cd_taxsup = row[0], row[1], row[2], row[3]
        if not (
            cd_nom.isdigit()
            and cd_ref.isdigit()
            and (not cd_sup or cd_sup.isdigit())
            and (not cd_taxsup or cd_taxsup.isdigit())
            and row[SCIENTIFIC_NAME]
            and all_(map_(le, map_(len_, row), limits))
            and (cd_nom + cd_ref + cd_sup + cd_taxsup).isascii()
        ):
            for problem in _row_problems(row, limits):
                errors.add(lineno, "", problem)
            continue
        if errors:
            continue
        search = build_search_text(row[SCIENTIFIC_NAME], row[VERNACULAR_NAME])
        key = rule_pick(row)
        group = groups.get(key)
        if group is None:
            if len_(groups) > 100_000:  # bound the cache on odd files
                groups.clear()
            group_id = rules.group_for(dict(zip(rule_fields, key, strict=True)))
            group = groups[key] = COPY_NULL if group_id is None else str(group_id)
        if "\\" in line or "\r" in line:
            row = [_copy_escape(value) for value in row]
            search = _copy_escape(search)
        if not cd_sup:
            row[CD_SUP] = COPY_NULL
        if not cd_taxsup:
            row[CD_TAXSUP] = COPY_NULL
        batch.append(f"{lineno}{TAB}{TAB.join(row)}{TAB}{search}{TAB}{group}\n")
        if len_(batch) >= BATCH_ROWS:
            write("".join(batch))
            batch.clear()
    if batch and not errors:
        write("".join(batch))
    return read


def _max_length(field: str) -> int:
    if field in INTEGER_FIELDS:
        return 9  # digits: keeps every value inside PostgreSQL's integer
    return Taxon._meta.get_field(field).max_length or sys.maxsize


def _copy_escape(value: str) -> str:
    """Escape a value for COPY's text format (tabs and newlines cannot occur here)."""
    return value.replace("\\", "\\\\").replace("\r", "\\r")


def _row_problems(row: list[str], limits: tuple[int, ...]) -> list[str]:
    """Every problem of a row that failed the quick check, in French."""
    problems = []
    for index, (column, _field) in enumerate(COLUMNS[:4]):
        value = row[index]
        if not value and index in (CD_NOM, CD_REF):
            problems.append(_("%s est vide.") % column)
        elif value and not (value.isascii() and value.isdigit() and len(value) <= 9):
            problems.append(
                _("%(column)s « %(value)s » n'est pas un nombre entier.")
                % {"column": column, "value": value[:40]}
            )
    if not row[SCIENTIFIC_NAME]:
        problems.append(_("LB_NOM (nom scientifique) est vide."))
    for (column, _field), value, limit in zip(
        COLUMNS[4:], row[4:], limits[4:], strict=True
    ):
        if len(value) > limit:
            problems.append(
                _("%(column)s dépasse %(limit)d caractères.")
                % {"column": column, "limit": limit}
            )
    return problems
