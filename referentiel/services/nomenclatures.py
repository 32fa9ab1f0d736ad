"""The SINP nomenclature referential: reading the INPN file, updating the table from it.

Two file forms are read, both as data:

- the product's own file (``referentiel/data/nomenclatures.csv``: ``type;type_label;code;
  label;definition``, semicolon, UTF-8), derived from the INPN referential;
- the INPN referential as PnX-SI's Nomenclature-api-module distributes it
  (``nomenclatures_inpn_data.sql``): its ``INSERT … VALUES`` tuples are parsed as literals,
  never executed.

``nomenclatures_update`` adds new values, updates labels and definitions, deactivates the values
a type of the file no longer lists, and never deletes a value (an occurrence may store its code;
a deactivated value is still shown, and no longer offered or accepted). Only the types an
occurrence or a dataset uses (``OCCURRENCE_TYPES``) are kept.
"""

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

# The nomenclature types the product stores codes of (occurrence fields, validation,
# sensitivity and diffusion, grouping and geography of the SINP standard, dataset origin).
OCCURRENCE_TYPES = (
    "STATUT_OBS",
    "NAT_OBJ_GEO",
    "METH_OBS",
    "ETA_BIO",
    "STATUT_BIO",
    "STADE_VIE",
    "SEXE",
    "OBJ_DENBR",
    "TYP_DENBR",
    "STATUT_VALID",
    "SENSIBILITE",
    "NIV_PRECIS",
    "DEE_FLOU",
    "STATUT_SOURCE",
    "NATURALITE",
    "PREUVE_EXIST",
    "TYP_GRP",
    "TYP_INF_GEO",
    "OCC_COMPORTEMENT",
    "STAT_BIOGEO",
    "METH_DETERMIN",
    "DS_PUBLIQUE",
)
CSV_COLUMNS = ("type", "type_label", "code", "label", "definition")


class NomenclatureFileError(ValueError):
    """A file that is not a nomenclature referential (French message)."""


@dataclass(frozen=True)
class NomenclatureValue:
    type: str
    type_label: str
    code: str
    label: str
    definition: str = ""
    order: str = ""  # the INPN hierarchy ("106.002"), for the display order


# --- the INPN SQL file, read as data -------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<escape>E)?'(?P<text>(?:[^'\\]|''|\\.)*)'  # a string, '' for a quote; E'…' too
      | (?P<call>[a-z_]+)\(\s*'(?P<arg>(?:[^']|'')*)'[^)]*\)  # get_id_nomenclature_type('X')
      | (?P<word>NULL|true|false|-?\d+(?:\.\d+)?)
    )\s*(?:,|(?=\)))""",
    re.IGNORECASE | re.VERBOSE,
)
_ESCAPES = re.compile(r"\\(.)")
_UNESCAPE = {"n": "\n", "t": "\t", "r": "\r"}
_INSERT = re.compile(
    r"INSERT INTO\s+(?P<table>[\w.]+)\s*\((?P<columns>[^)]*)\)\s*VALUES", re.IGNORECASE
)


def _tuples(body: str):
    """The value tuples of an ``INSERT … VALUES`` body, up to its closing ``;``."""
    position = 0
    while True:
        while position < len(body) and body[position] in " \t\r\n,":
            position += 1
        if position >= len(body) or body[position] != "(":
            return
        position += 1
        values = []
        while True:
            match = _TOKEN.match(body, position)
            if not match:
                raise NomenclatureFileError(
                    _("Valeur SQL illisible près de « %s ».")
                    % body[position : position + 40]
                )
            if match.group("text") is not None:
                text = match.group("text").replace("''", "'")
                if match.group("escape"):
                    text = _ESCAPES.sub(lambda m: _UNESCAPE.get(m[1], m[1]), text)
                values.append(text)
            elif match.group("call"):
                values.append(match.group("arg").replace("''", "'"))
            else:
                word = match.group("word")
                values.append(None if word.upper() == "NULL" else word)
            position = match.end()
            if body[position] == ")":
                position += 1
                break
        yield values


_COMMENT_LINE = re.compile(r"^\s*--[^\n]*$", re.MULTILINE)


def _inserts(text: str):
    """(table, column names, tuples) of every INSERT of the file (whole-line comments,
    which the file puts between the tuples of one INSERT, are skipped)."""
    text = _COMMENT_LINE.sub("", text)
    for match in _INSERT.finditer(text):
        columns = [c.strip() for c in match.group("columns").split(",")]
        yield match.group("table"), columns, _tuples(text[match.end() :])


def inpn_sql_read(text: str) -> list[NomenclatureValue]:
    """Every active value of the INPN SQL referential, with its type's label."""
    type_labels: dict[str, str] = {}
    rows: list[dict] = []
    for table, columns, tuples in _inserts(text):
        if table.endswith("bib_nomenclatures_types"):
            for values in tuples:
                row = dict(zip(columns, values, strict=True))
                type_labels[row["mnemonique"]] = row["label_fr"]
        elif table.endswith("t_nomenclatures"):
            for values in tuples:
                rows.append(dict(zip(columns, values, strict=True)))
    if not rows:
        raise NomenclatureFileError(
            _(
                "Aucune valeur de nomenclature (INSERT INTO t_nomenclatures) dans le fichier."
            )
        )
    values = [
        NomenclatureValue(
            type=row["id_type"],
            type_label=type_labels.get(row["id_type"], row["id_type"]),
            code=row["cd_nomenclature"],
            label=(row["label_fr"] or row["mnemonique"] or "").strip(),
            definition=(row.get("definition_fr") or "").strip(),
            order=row.get("hierarchy") or "",
        )
        for row in rows
        if str(row.get("active", "true")).lower() != "false"
        and row["id_type"] in type_labels
    ]
    return sorted(values, key=lambda v: (v.type, v.order, v.code))


# --- the product's CSV ---------------------------------------------------------------------


def nomenclature_csv_read(path: Path) -> list[NomenclatureValue]:
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        missing = set(CSV_COLUMNS[:4]) - set(reader.fieldnames or ())
        if missing:
            raise NomenclatureFileError(
                _("Colonnes manquantes : %s (attendu %s).")
                % (", ".join(sorted(missing)), ";".join(CSV_COLUMNS))
            )
        return [
            NomenclatureValue(
                type=row["type"].strip(),
                type_label=row["type_label"].strip(),
                code=row["code"].strip(),
                label=row["label"].strip(),
                definition=(row.get("definition") or "").strip(),
                order=f"{position:05d}",
            )
            for position, row in enumerate(reader)
            if row["type"] and row["code"]
        ]


def nomenclature_csv_write(values: list[NomenclatureValue], path: Path) -> None:
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for value in values:
            writer.writerow(
                [
                    value.type,
                    value.type_label,
                    value.code,
                    value.label,
                    value.definition,
                ]
            )


def nomenclature_file_read(path: Path) -> list[NomenclatureValue]:
    """The values of a referential file (the INPN SQL or the product's CSV), limited to
    the types the product uses, in display order."""
    path = Path(path)
    if path.suffix.lower() == ".sql":
        values = inpn_sql_read(path.read_text(encoding="utf-8"))
    else:
        values = nomenclature_csv_read(path)
    order = {mnemonic: index for index, mnemonic in enumerate(OCCURRENCE_TYPES)}
    kept = [v for v in values if v.type in order]
    if not kept:
        raise NomenclatureFileError(
            _("Le fichier ne contient aucune des nomenclatures utilisées (%s…).")
            % ", ".join(OCCURRENCE_TYPES[:4])
        )
    seen: set[tuple[str, str]] = set()
    for value in kept:
        if (value.type, value.code) in seen:
            raise NomenclatureFileError(
                _("Code « %s » en double dans la nomenclature %s.")
                % (value.code, value.type)
            )
        seen.add((value.type, value.code))
    return sorted(kept, key=lambda v: (order[v.type], v.order, v.code))


# --- the update ----------------------------------------------------------------------------


@dataclass
class NomenclatureReport:
    added: list[str] = field(default_factory=list)
    relabelled: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    still_used: list[str] = field(default_factory=list)
    types_added: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.added
            or self.relabelled
            or self.deactivated
            or self.reactivated
            or self.types_added
        )

    def summary(self) -> str:
        """What changed, in French, one sentence per kind of change."""
        lines = []
        if self.types_added:
            lines.append(
                _("%d type(s) de nomenclature ajouté(s) : %s.")
                % (len(self.types_added), ", ".join(self.types_added))
            )
        for items, text in (
            (self.added, _("%d valeur(s) ajoutée(s)")),
            (self.relabelled, _("%d libellé(s) ou définition(s) mis à jour")),
            (self.reactivated, _("%d valeur(s) réactivée(s)")),
            (
                self.deactivated,
                _("%d valeur(s) retirée(s) du référentiel, désactivée(s)"),
            ),
        ):
            if items:
                shown = ", ".join(items[:15]) + (" …" if len(items) > 15 else "")
                lines.append((text % len(items)) + " : " + shown + ".")
        if self.still_used:
            lines.append(
                _(
                    "Désactivées mais encore utilisées par des observations (conservées, "
                    "affichées, plus proposées ni acceptées) : %s."
                )
                % ", ".join(self.still_used)
            )
        if not self.changed:
            lines.append(_("Aucun changement : le référentiel est déjà à jour."))
        lines.append(_("%d valeur(s) inchangée(s).") % self.unchanged)
        return "\n".join(lines)


def nomenclatures_update(
    *, type_model, value_model, values: list[NomenclatureValue], usage=None
) -> NomenclatureReport:
    """Bring the table to ``values``; returns what changed. Types absent from ``values``
    are left alone (a partial file withdraws nothing). ``usage(type, codes)`` returns
    the codes among ``codes`` still stored by some record (for the report)."""
    report = NomenclatureReport()
    by_type: dict[str, list[NomenclatureValue]] = {}
    for value in values:
        by_type.setdefault(value.type, []).append(value)
    for mnemonic, items in by_type.items():
        kind, created = type_model.objects.get_or_create(
            mnemonic=mnemonic, defaults={"label": items[0].type_label}
        )
        if created:
            report.types_added.append(mnemonic)
        elif kind.label != items[0].type_label and items[0].type_label:
            kind.label = items[0].type_label
            kind.save(update_fields=["label"])
        existing = {v.code: v for v in value_model.objects.filter(type=kind)}
        for position, item in enumerate(items):
            name = f"{mnemonic} {item.code}"
            current = existing.pop(item.code, None)
            if current is None:
                value_model.objects.create(
                    type=kind,
                    code=item.code,
                    label=item.label,
                    definition=item.definition,
                    position=position,
                    is_active=True,
                )
                report.added.append(f"{name} « {item.label} »")
                continue
            changes = []
            if current.label != item.label or current.definition != item.definition:
                if current.label != item.label:
                    report.relabelled.append(
                        f"{name} « {current.label} » → « {item.label} »"
                    )
                else:
                    report.relabelled.append(f"{name} (définition)")
                current.label, current.definition = item.label, item.definition
                changes += ["label", "definition"]
            if not current.is_active:
                current.is_active = True
                report.reactivated.append(f"{name} « {item.label} »")
                changes.append("is_active")
            if current.position != position:
                current.position = position
                changes.append("position")
            if changes:
                current.save(update_fields=changes)
            if not {"label", "is_active"} & set(changes):
                report.unchanged += 1
        withdrawn = [v for v in existing.values() if v.is_active]
        for value in withdrawn:
            value.is_active = False
            value.save(update_fields=["is_active"])
            report.deactivated.append(f"{mnemonic} {value.code} « {value.label} »")
        if withdrawn and usage is not None:
            used = usage(mnemonic, [v.code for v in withdrawn])
            report.still_used += [f"{mnemonic} {code}" for code in sorted(used)]
    return report
