"""Regional taxon statuses from a CSV file: one row per cd_nom, upserted into TaxonStatus.

The file is small (a few thousand rows), so it is read whole, every error is collected (up to a
cap) so the user fixes the file in one go, and only then is anything written.
"""

import time
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from cpie_naturaliste.core.tabular.errors import ErrorLog, ImportFileError
from referentiel.models import Rarity, RedList, Taxon, TaxonStatus

from .table import column_name, reference_errors, reference_records, reference_table

# Column (header normalised: no accents, lower case, "_" for spaces) → TaxonStatus field.
COLUMNS = {
    "rarete": "rarity",
    "liste_rouge": "red_list",
    "protection": "protection",
    "patrimonial": "is_patrimonial",
    "eee": "is_invasive",
    "determinant_znieff": "is_znieff_determinant",
    "sensibilite": "sensitivity_level",
}
TRUE_WORDS = {"oui", "o", "1", "true", "vrai", "x", "yes"}
FALSE_WORDS = {"non", "n", "0", "false", "faux", "no", ""}


@dataclass(frozen=True)
class TaxonStatusImportResult:
    path: Path
    read: int
    created: int
    updated: int
    unchanged: int
    ignored_columns: tuple[str, ...]
    seconds: float

    def summary(self) -> str:
        text = _(
            "Statuts importés depuis « %(file)s » en %(seconds)s s : %(read)d lignes "
            "lues, %(created)d statuts créés, %(updated)d mis à jour, %(unchanged)d "
            "inchangés."
        ) % {
            "file": self.path.name,
            "seconds": number_format(self.seconds, 1),
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if self.ignored_columns:
            text += " " + _("Colonnes ignorées : %s.") % ", ".join(self.ignored_columns)
        return text


def taxon_statuses_import(*, path: Path) -> TaxonStatusImportResult:
    """Upsert the regional statuses of a CSV file (``;`` or ``,``, UTF-8 with or without BOM).

    Columns: ``cd_nom`` (required), then any of ``rarete``, ``liste_rouge``, ``protection``,
    ``patrimonial``, ``eee``, ``determinant_znieff``, ``sensibilite``. Only the columns present
    are written, so a file with just ``cd_nom;rarete`` keeps the red-list category already
    stored. Raises ``ImportFileError`` listing every bad line and column; then nothing is
    imported."""
    started = time.perf_counter()
    path = Path(path)
    errors = reference_errors()
    with reference_table(path) as table:
        header = [column_name(name) for name in table.headers]
        columns, ignored = _header_check(header, path.name)
        rows, read = _rows_read(
            table=table, header=header, columns=columns, errors=errors
        )
    known = set(
        Taxon.objects.filter(cd_nom__in=list(rows)).values_list("cd_nom", flat=True)
    )
    for cd_nom, (line, _values) in sorted(rows.items(), key=lambda item: item[1][0]):
        if cd_nom not in known:
            errors.add(
                line,
                "cd_nom",
                _("taxon %(cd_nom)d inconnu (absent du référentiel TAXREF importé).")
                % {"cd_nom": cd_nom},
            )
    errors.raise_if_any(file=path.name)
    created, updated, unchanged = _statuses_write(rows=rows)
    return TaxonStatusImportResult(
        path=path,
        read=read,
        created=created,
        updated=updated,
        unchanged=unchanged,
        ignored_columns=tuple(ignored),
        seconds=time.perf_counter() - started,
    )


def _rows_read(
    *, table, header: list[str], columns: list[str], errors: ErrorLog
) -> tuple[dict[int, tuple[int, dict]], int]:
    """{cd_nom: (line, {field: value})} of the good rows, and the number of rows read."""
    rows: dict[int, tuple[int, dict]] = {}
    read = 0
    for line, record in reference_records(table, header, errors):
        read += 1
        parsed = _row_parse(record=record, columns=columns, errors=errors, line=line)
        if parsed is None:
            continue
        cd_nom, values = parsed
        if cd_nom in rows:
            errors.add(
                line,
                "",
                _("cd_nom %(cd_nom)d déjà présent ligne %(first)d.")
                % {"cd_nom": cd_nom, "first": rows[cd_nom][0]},
            )
            continue
        rows[cd_nom] = (line, values)
    return rows, read


def _header_check(header: list[str], name: str) -> tuple[list[str], list[str]]:
    """The status columns present, and the unknown ones (ignored, and reported)."""
    if "cd_nom" not in header:
        raise ImportFileError(
            [
                _(
                    "« %(file)s », ligne 1 : colonne cd_nom absente de l'en-tête. Attendu : "
                    "un CSV (séparateur ; ou ,) avec les colonnes cd_nom et %(columns)s."
                )
                % {"file": name, "columns": ", ".join(COLUMNS)}
            ]
        )
    doubled = sorted({column for column in header if header.count(column) > 1})
    if doubled:
        raise ImportFileError(
            [
                _("« %(file)s », ligne 1 : colonne(s) en double : %(columns)s.")
                % {"file": name, "columns": ", ".join(doubled)}
            ]
        )
    fields = [column for column in header if column in COLUMNS]
    if not fields:
        raise ImportFileError(
            [
                _(
                    "« %(file)s », ligne 1 : aucune colonne de statut. Colonnes reconnues : "
                    "%(columns)s."
                )
                % {"file": name, "columns": ", ".join(COLUMNS)}
            ]
        )
    ignored = [c for c in header if c and c != "cd_nom" and c not in COLUMNS]
    return fields, ignored


def _row_parse(
    *, record: dict[str, str], columns: list[str], errors: ErrorLog, line: int
) -> tuple[int, dict] | None:
    """(cd_nom, {field: value}) or None after adding this row's errors, one per column."""
    problems = []
    raw = record["cd_nom"].strip()
    cd_nom = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None
    if cd_nom is None:
        problems.append(("cd_nom", _("« %s » n'est pas un nombre entier.") % raw))
    values = {}
    for column in columns:
        value = record[column].strip()
        try:
            values.update(_value_parse(column, value))
        except ValueError as error:
            problems.append((column, str(error)))
    for column, message in problems:
        errors.add(line, column, message)
    return None if problems else (cd_nom, values)


def _value_parse(column: str, value: str) -> dict:
    field = COLUMNS[column]
    if column in ("rarete", "liste_rouge"):
        codes = Rarity.values if column == "rarete" else RedList.values
        code = value.upper()
        if code and code not in codes:
            raise ValueError(
                _("code « %(value)s » inconnu (codes admis : %(codes)s).")
                % {"value": value, "codes": ", ".join(codes)}
            )
        return {field: code}
    if column == "protection":
        limit = TaxonStatus._meta.get_field("protection").max_length
        if len(value) > limit:
            raise ValueError(_("texte de plus de %d caractères.") % limit)
        return {field: value, "is_protected": bool(value)}
    if column == "sensibilite":
        if value == "":
            return {field: 0}
        if value not in {"0", "1", "2", "3", "4"}:
            raise ValueError(_("« %s » : niveau de 0 à 4 attendu.") % value)
        return {field: int(value)}
    word = value.lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return {field: word in TRUE_WORDS}
    raise ValueError(
        _("« %s » : oui/non, 1/0, true/false ou x attendu.") % value,
    )


@transaction.atomic
def _statuses_write(*, rows: dict[int, tuple[int, dict]]) -> tuple[int, int, int]:
    """Create the missing statuses and update those that differ; returns the counts."""
    existing = TaxonStatus.objects.in_bulk(list(rows))
    to_create, to_update, changed_fields = [], [], set()
    for cd_nom, (_line, values) in rows.items():
        status = existing.get(cd_nom)
        if status is None:
            to_create.append(TaxonStatus(taxon_id=cd_nom, **values))
            continue
        changed = {f for f, v in values.items() if getattr(status, f) != v}
        if changed:
            for field in changed:
                setattr(status, field, values[field])
            changed_fields |= changed
            to_update.append(status)
    TaxonStatus.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        TaxonStatus.objects.bulk_update(
            to_update, sorted(changed_fields), batch_size=1000
        )
    unchanged = len(rows) - len(to_create) - len(to_update)
    return len(to_create), len(to_update), unchanged
