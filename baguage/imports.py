"""Import of a ringing season entered in the CRBPO spreadsheet template ("masque de saisie").

One row per bird handled (ACTION B, C or R) or per session without catch (ACTION SANS or
BREDOUILLE). Rows are grouped into sessions by date, station (STATION, else LIEUDIT, else
LOCALITE, matched against the ringing stations and their sites) and programme (THEME (SESSION),
else THEME, matched against the ringing programmes' code, name or CRBPO kind).

Same rule as occurrence imports: **every row is checked first** and every problem is reported
with its line, column and a French reason; **then all or nothing** is written in one
transaction, captures through ``baguage.services.capture_save`` so that each publishes its
occurrence. File reading (CSV ``;``/``,``/tab in UTF-8 or Windows-1252, XLSX with its size and
zip-bomb checks) and the error log are those of ``observations.imports``.

Re-importing a file does not duplicate: a row whose session (date, station, programme), ring
and action are already in the database is skipped and counted as "déjà importée" — so a season
file completed with new rows can be imported again and only the new rows are added.
"""

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baguage.models import (
    FRANCE_SCHEME,
    FRENCH_AGES,
    Capture,
    EuringSpecies,
    Ringer,
    RingingProgramme,
    RingSeries,
    Session,
    Station,
)
from baguage.services import (
    CaptureRefused,
    capture_occurrence_fields,
    capture_save,
    ring_normalise,
    session_save,
)
from cpie_naturaliste.core.geo import to_storage_srid
from observations.imports.cells import (
    CellError,
    parse_date,
    parse_float,
    parse_int,
    parse_time,
    show_value,
)
from observations.imports.columns import header_key
from observations.imports.errors import ErrorLog, ImportRefused
from observations.imports.files import table_open
from observations.imports.xlsx_table import Formula
from observations.models import Occurrence, Source
from observations.services import nomenclature_labels, occurrences_publish_bulk
from referentiel.models import Dataset
from referentiel.permissions import may_write_in

SKIP_ACTIONS = {"SANS", "BREDOUILLE"}
CAPTURE_ACTIONS = {"B", "C", "R"}
MIN_RING_CHARS = 7
DEFAULT_NET_LENGTH_M = 12  # CRBPO fallback when FS is empty: 12 m per net
SEXES = {"M": "M", "F": "F", "I": "U", "U": "U", "?": "U"}
_SCIENTIFIC = re.compile(r"^\s*\d+(?:[.,]\d*)?\s*[eE]\s*[+-]?\s*\d+\s*$")
_RING_OK = re.compile(r"^[A-Z0-9]+$")
_FRENCH_RING = re.compile(r"^([A-Z]*)(\d+)$")
_HHMM = re.compile(r"^(\d{1,2})(\d{2})$")
_SPLIT_PEOPLE = re.compile(r"\s*(?:[,;/+&]|\bet\b)\s*", re.IGNORECASE)
_WARNING_LIMIT = 500


@dataclass(frozen=True)
class Column:
    key: str
    names: tuple[str, ...]  # the first one is the template's header
    label: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("action", ("ACTION",)),
    Column("scheme", ("CENTRE",)),
    Column("ring", ("BAGUE",)),
    Column("size", ("TAILLE", "TAILLE BAGUE")),
    Column("date", ("DATE",)),
    Column("time", ("HEURE",)),
    Column("species", ("ESPECE", "CODE ESPECE")),
    Column("sex", ("SEXE",)),
    Column("age", ("AGE",)),
    Column("session_memo", ("MEMO (SESSION)", "MEMO SESSION")),
    Column("nets_length", ("FS",)),
    Column("start", ("HS",)),
    Column("duration", ("DS",)),
    Column("nets_count", ("NF",)),
    Column("net", ("FILET", "NUMERO FILET")),
    Column("wing", ("LP", "AILE")),
    Column("third_primary", ("P8", "3E REMIGE")),
    Column("tarsus", ("LT", "TARSE")),
    Column("mass", ("MA", "MASSE", "POIDS")),
    Column("bill", ("BEC",)),
    Column("fat", ("AD", "ADIPOSITE", "GRAISSE")),
    Column("muscle", ("MU", "MUSCLE")),
    Column("brood_patch", ("PI", "PLAQUE INCUBATRICE")),
    Column("moult", ("MUE",)),
    Column("sexing_method", ("METHODE SEXAGE",)),
    Column("condition", ("COND REPR", "CONDITION")),
    Column("circumstances", ("CIRC REPR", "CIRCONSTANCES")),
    Column("cond_circ", ("COND/CIRC REPR",)),
    Column("country", ("PAYS",)),
    Column("departement", ("DEPT",)),
    Column("locality", ("LOCALITE",)),
    Column("place", ("LIEUDIT", "LIEU-DIT")),
    Column("station", ("STATION",)),
    Column("lat", ("LAT",)),
    Column("lon", ("LON",)),
    Column("theme", ("THEME (SESSION)", "THEME SESSION")),
    Column("capture_theme", ("THEME",)),
    Column("ringer", ("BAGUEUR", "BAGUEURS")),
    Column("remarks", ("MEMO", "REMARQUE", "REMARQUES")),
)
_COLUMN_BY_NAME = {header_key(name): c.key for c in COLUMNS for name in c.names}
REQUIRED = ("action", "ring", "date", "time", "species", "age", "ringer")
# Header of the downloadable template, in the CRBPO sheet's order.
TEMPLATE_HEADERS = [
    "ACTION",
    "CENTRE",
    "BAGUE",
    "DATE",
    "HEURE",
    "ESPECE",
    "SEXE",
    "AGE",
    "MEMO (SESSION)",
    "FS",
    "HS",
    "DS",
    "NF",
    "FILET",
    "LP",
    "LT",
    "MA",
    "AD",
    "MU",
    "COND REPR",
    "CIRC REPR",
    "PAYS",
    "DEPT",
    "LOCALITE",
    "LIEUDIT",
    "LAT",
    "LON",
    "THEME (SESSION)",
    "BAGUEUR",
    "MEMO",
]


@dataclass
class CrbpoImportResult:
    """What an import found and did. ``errors`` empty means the file was (or would be)
    imported; otherwise nothing was written."""

    filename: str = ""
    dry_run: bool = False
    errors: ErrorLog = field(default_factory=ErrorLog)
    warnings: list[dict] = field(default_factory=list)
    rows: int = 0
    sessions_created: int = 0
    sessions_existing: int = 0
    captures_created: int = 0
    skipped_lines: list[int] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def skipped(self) -> int:
        return len(self.skipped_lines)

    def error_entries(self) -> list[dict]:
        return self.errors.sorted_entries()

    def summary(self) -> str:
        if self.errors:
            return self.errors.summary()
        counts = _(
            "%(sessions)d session(s) créée(s), %(existing)d session(s) existante(s) "
            "complétée(s), %(captures)d capture(s) créée(s) avec leur observation"
        ) % {
            "sessions": self.sessions_created,
            "existing": self.sessions_existing,
            "captures": self.captures_created,
        }
        if self.skipped:
            counts += _(
                ", %(skipped)d ligne(s) déjà importée(s) ignorée(s) (même session, "
                "bague et action déjà enregistrées)"
            ) % {"skipped": self.skipped}
        if self.dry_run:
            return (
                _(
                    "Essai à blanc : aucune erreur, rien n'a été enregistré. L'import ferait : "
                )
                + counts
                + "."
            )
        return _("Import terminé : ") + counts + "."


@dataclass
class _Row:
    line: int
    action: str = ""
    scheme: str = FRANCE_SCHEME
    ring: str = ""
    date: dt.date | None = None
    station: Station | None = None
    programme: RingingProgramme | None = None
    ringers: list = field(default_factory=list)
    species: EuringSpecies | None = None
    session: dict = field(default_factory=dict)  # session-level values read on this row
    fields: dict = field(default_factory=dict)  # capture fields for capture_save
    bad: bool = False

    @property
    def session_key(self):
        if self.station is None or self.programme is None or self.date is None:
            return None
        return (self.station.pk, self.programme.pk, self.date)


class _Referential:
    """Everything the rows are matched against, loaded once."""

    def __init__(self):
        self.species: dict[str, EuringSpecies] = {}
        for sp in EuringSpecies.objects.select_related("taxon"):
            if sp.crbpo_code:
                self.species[sp.crbpo_code.upper()] = sp
            self.species.setdefault(sp.code, sp)
        self.stations: dict[str, set] = {}
        for station in Station.objects.select_related("site"):
            for name in (station.name, station.code, station.site.name):
                self._add(self.stations, name, station)
        self.programmes: dict[str, set] = {}
        for rp in RingingProgramme.objects.select_related("programme"):
            for name in (
                rp.programme.code,
                rp.programme.name,
                rp.kind,
                rp.get_kind_display(),
            ):
                self._add(self.programmes, name, rp)
        self.ringers: dict[str, set] = {}
        for ringer in Ringer.objects.select_related("person"):
            person = ringer.person
            for name in (
                f"{person.last_name} {person.first_name}",
                f"{person.first_name} {person.last_name}",
                person.last_name,
                ringer.permit_number,
            ):
                self._add(self.ringers, name, ringer)
        self.series: dict[str, list[RingSeries]] = {}
        for series in RingSeries.objects.filter(scheme=FRANCE_SCHEME):
            self.series.setdefault(series.prefix, []).append(series)

    @staticmethod
    def _add(index: dict, name: str, value) -> None:
        key = header_key(name or "")
        if key:
            index.setdefault(key, set()).add(value)

    def series_of(self, ring: str) -> RingSeries | None:
        match = _FRENCH_RING.match(ring)
        if not match:
            return None
        prefix, number = match.group(1), int(match.group(2))
        for series in self.series.get(prefix, ()):
            if series.first <= number <= series.last and series.ring(number) == ring:
                return series
        return None


def crbpo_headers() -> list[str]:
    return list(TEMPLATE_HEADERS)


def crbpo_import(
    *, path, user, dataset: Dataset, dry_run: bool = False, filename: str = ""
) -> CrbpoImportResult:
    """Check the CRBPO file at ``path``, then (unless ``dry_run`` or on any error) create its
    sessions and captures in one transaction. Returns a ``CrbpoImportResult``."""
    started = time.monotonic()
    path = Path(path)
    result = CrbpoImportResult(filename=filename or path.name, dry_run=dry_run)
    if user is not None and not may_write_in(user, dataset.pk):
        result.errors.add(
            None, "", _("Vous n'avez pas le droit d'importer dans « %s ».") % dataset
        )
        return result
    try:
        rows, header, ref = _read(path, result)
    except ImportRefused as refusal:
        result.errors.add(refusal.line, refusal.column, refusal.message)
        rows = []
    if rows:  # checks across rows run even after row errors: every problem is listed
        plan = _check(rows, result, dataset, header=header, ref=ref, user=user)
        if not result.errors and not dry_run:
            _write(plan, result, user=user, dataset=dataset, header=header)
        elif not result.errors:
            result.sessions_created = len(plan["new_sessions"])
            result.sessions_existing = len(plan["existing_completed"])
            result.captures_created = len(plan["captures"])
    if result.errors:
        result.sessions_created = result.sessions_existing = 0
        result.captures_created = 0
    result.seconds = time.monotonic() - started
    return result


# ---------------------------------------------------------------- reading and row checks


def _read(path: Path, result: CrbpoImportResult):
    """The file's rows (each checked on its own), its column names and the referential."""
    table = table_open(path=path, filename=result.filename)
    try:
        columns = _columns(table.headers)
        ref = _Referential()
        reader = _RowReader(columns, ref, result.errors, has_nul=table.has_nul)
        rows = []
        for line, values in table.rows():
            row = reader.read(line, values)
            if row is not None:
                rows.append(row)
        result.rows = len(rows)
        if not rows and not result.errors:
            raise ImportRefused(_("Le fichier ne contient aucune ligne de données."))
        return rows, _Headers(columns), ref
    finally:
        table.close()


def _columns(headers: list[str]) -> dict[str, tuple[int, str]]:
    """``{column key: (index, header as written)}``; refuses a file missing a required one."""
    columns: dict[str, tuple[int, str]] = {}
    for index, header in enumerate(headers):
        key = _COLUMN_BY_NAME.get(header_key(header or ""))
        if key and key not in columns:
            columns[key] = (index, header)
    missing = [
        next(c.names[0] for c in COLUMNS if c.key == key)
        for key in REQUIRED
        if key not in columns
    ]
    if not ({"station", "place", "locality"} & columns.keys()):
        missing.append("LIEUDIT")
    if not ({"theme", "capture_theme"} & columns.keys()):
        missing.append("THEME (SESSION)")
    if missing:
        raise ImportRefused(
            _(
                "Colonne(s) obligatoire(s) absente(s) : %(missing)s. La première ligne doit "
                "porter les noms du masque de saisie CRBPO (ACTION, BAGUE, DATE, HEURE, "
                "ESPECE, AGE, LIEUDIT, THEME (SESSION), BAGUEUR…) ; téléchargez le modèle."
            )
            % {"missing": ", ".join(missing)},
            line=1,
        )
    return columns


class _RowReader:
    def __init__(self, columns, ref: _Referential, errors: ErrorLog, *, has_nul):
        self.columns = columns
        self.ref = ref
        self.errors = errors
        self.has_nul = has_nul
        self.today = timezone.localdate()

    # -- cell access
    def header(self, key: str) -> str:
        if key in self.columns:
            return self.columns[key][1]
        return next(c.names[0] for c in COLUMNS if c.key == key)

    def raw(self, values: list, key: str):
        if key not in self.columns:
            return None
        index = self.columns[key][0]
        value = values[index] if index < len(values) else None
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
        return value

    def text(self, values, key) -> str:
        value = self.raw(values, key)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def error(self, row: _Row, key: str, message: str) -> None:
        row.bad = True
        self.errors.add(row.line, self.header(key), message)

    def parsed(self, row: _Row, values, key: str, parse):
        value = self.raw(values, key)
        if value is None:
            return None
        try:
            return parse(value)
        except CellError as error:
            self.error(row, key, error.message)
            return None

    # -- one row
    def read(self, line: int, values: list) -> _Row | None:
        if not any(v is not None and str(v).strip() for v in values):
            return None
        row = _Row(line=line)
        for index, value in enumerate(values):
            if value.__class__ is Formula:
                key = next(
                    (k for k, (i, _h) in self.columns.items() if i == index), None
                )
                if key:
                    self.error(
                        row,
                        key,
                        _(
                            "formule « %s » refusée : enregistrez les valeurs, pas les "
                            "formules."
                        )
                        % show_value(value),
                    )
                    values[index] = None
            elif self.has_nul and isinstance(value, str) and "\x00" in value:
                self.errors.add(line, "", _("caractère nul (NUL) interdit."))
                row.bad = True
                return row
        action = self.text(values, "action").upper()
        if not action:
            self.error(row, "action", _("action manquante (B, C, R ou SANS)."))
        elif action in SKIP_ACTIONS:
            action = "SANS"
        elif action not in CAPTURE_ACTIONS:
            self.error(
                row,
                "action",
                _(
                    "action « %s » inconnue : B (baguage), C (contrôle), R (reprise) ou "
                    "SANS (session sans capture)."
                )
                % show_value(action),
            )
        row.action = action
        self._date(row, values)
        self._place(row, values)
        self._programme(row, values)
        self._ringers(row, values)
        self._session_values(row, values)
        if action in CAPTURE_ACTIONS:
            self._capture(row, values)
        return row

    def _date(self, row: _Row, values) -> None:
        if self.raw(values, "date") is None:
            self.error(row, "date", _("date manquante."))
            return
        day = self.parsed(row, values, "date", parse_date)
        if day is None:
            return
        if day > self.today:
            self.error(
                row, "date", _("date dans le futur (%s).") % day.strftime("%d/%m/%Y")
            )
            return
        row.date = day

    def _place(self, row: _Row, values) -> None:
        for key in ("station", "place", "locality"):
            name = self.text(values, key)
            if not name:
                continue
            found = self.ref.stations.get(header_key(name), set())
            if len(found) == 1:
                row.station = next(iter(found))
                return
            if len(found) > 1:
                self.error(
                    row,
                    key,
                    _(
                        "« %(name)s » désigne plusieurs stations (%(stations)s) : "
                        "utilisez le code de la station."
                    )
                    % {
                        "name": show_value(name),
                        "stations": ", ".join(sorted(s.name for s in found)),
                    },
                )
                return
        names = [self.text(values, k) for k in ("station", "place", "locality")]
        names = [n for n in names if n]
        key = next(
            (k for k in ("station", "place", "locality") if self.text(values, k)),
            next(k for k in ("station", "place", "locality") if k in self.columns),
        )
        if not names:
            self.error(row, key, _("lieu manquant : lieu-dit ou station de baguage."))
        else:
            self.error(
                row,
                key,
                _(
                    "station de baguage inconnue « %s » : le lieu-dit doit porter le nom "
                    "ou le code d'une station (ou le nom de son site) ; créez-la d'abord."
                )
                % show_value(" / ".join(names)),
            )

    def _programme(self, row: _Row, values) -> None:
        key = "theme" if self.text(values, "theme") else "capture_theme"
        if key not in self.columns:
            key = "theme"
        name = self.text(values, key)
        if not name:
            self.error(row, key, _("programme (THEME) manquant."))
            return
        found = self.ref.programmes.get(header_key(name), set())
        if len(found) == 1:
            row.programme = next(iter(found))
        elif found:
            self.error(
                row,
                key,
                _(
                    "programme « %(name)s » ambigu (%(programmes)s) : utilisez le code du "
                    "programme."
                )
                % {
                    "name": show_value(name),
                    "programmes": ", ".join(sorted(p.programme.code for p in found)),
                },
            )
        else:
            self.error(
                row,
                key,
                _(
                    "programme de baguage inconnu « %s » (attendu le code ou le nom d'un "
                    "programme de baguage : STOC, SPOL…)."
                )
                % show_value(name),
            )

    def _ringers(self, row: _Row, values) -> None:
        text = self.text(values, "ringer")
        if not text:
            self.error(row, "ringer", _("bagueur manquant."))
            return
        for name in filter(None, _SPLIT_PEOPLE.split(text)):
            found = self.ref.ringers.get(header_key(name), set())
            if len(found) == 1:
                ringer = next(iter(found))
                if ringer not in row.ringers:
                    row.ringers.append(ringer)
            elif found:
                self.error(
                    row,
                    "ringer",
                    _("bagueur « %(name)s » ambigu (%(people)s) : indiquez NOM Prénom.")
                    % {
                        "name": show_value(name),
                        "people": ", ".join(sorted(str(r) for r in found)),
                    },
                )
            else:
                self.error(
                    row,
                    "ringer",
                    _(
                        "bagueur inconnu « %s » : il doit être enregistré comme bagueur "
                        "(NOM Prénom ou n° de permis)."
                    )
                    % show_value(name),
                )

    def _session_values(self, row: _Row, values) -> None:
        start = self.parsed(row, values, "start", _parse_time)
        if start is not None:
            row.session["start"] = start
        duration = self.parsed(row, values, "duration", _parse_duration)
        if duration is not None:
            row.session["duration"] = duration
        length = self.parsed(row, values, "nets_length", _positive_decimal(9999))
        if length is not None:
            row.session["nets_length"] = length
        count = self.parsed(
            row, values, "nets_count", lambda v: _bounded_int(v, 0, 999)
        )
        if count is not None:
            row.session["nets_count"] = count
        memo = self.text(values, "session_memo")
        if memo:
            row.session["memo"] = memo
        if start is not None and duration is not None:
            end = dt.datetime.combine(dt.date(2000, 1, 1), start) + duration
            if end.date() != dt.date(2000, 1, 1):
                self.error(
                    row,
                    "duration",
                    _("la session (début %(start)s + durée) finit après minuit.")
                    % {"start": start.strftime("%H:%M")},
                )

    def _capture(self, row: _Row, values) -> None:
        fields = row.fields
        fields["action"] = row.action
        scheme = self.text(values, "scheme").upper() or FRANCE_SCHEME
        if not re.fullmatch(r"[A-Z]{3}", scheme):
            self.error(
                row,
                "scheme",
                _("centre « %s » invalide : code EURING de 3 lettres (FRP pour Paris).")
                % show_value(scheme),
            )
        row.scheme = fields["ring_scheme"] = scheme
        self._ring(row, values)
        code = self.text(values, "species").upper()
        if not code:
            self.error(row, "species", _("espèce manquante (code CRBPO, ex. ACCNIS)."))
        else:
            species = self.ref.species.get(code)
            if species is None:
                self.error(
                    row,
                    "species",
                    _(
                        "code espèce « %s » inconnu (code CRBPO à 6 lettres, ex. ACCNIS, "
                        "ou code EURING)."
                    )
                    % show_value(code),
                )
            else:
                row.species = species
                fields["taxon"] = species.taxon
        if self.raw(values, "time") is None:
            self.error(row, "time", _("heure manquante."))
        else:
            moment = self.parsed(row, values, "time", _parse_time)
            if moment is not None:
                fields["time"] = moment
        self._age_sex(row, values)
        self._biometrics(row, values)
        self._condition(row, values)
        net = self.parsed(row, values, "net", lambda v: _bounded_int(v, 0, 999))
        if net is not None:
            fields["net"] = net
        size = self.text(values, "size").upper()
        if size:
            if len(size) > 4:
                self.error(row, "size", _("taille de bague « %s » trop longue.") % size)
            fields["ring_size"] = size
        for key, name, limit in (
            ("remarks", "remarks", 255),
            ("sexing_method", "sexing_method", 1),
        ):
            text = self.text(values, key)
            if len(text) > limit:
                self.error(
                    row,
                    key,
                    _("texte trop long (%(length)d caractères, maximum %(max)d).")
                    % {"length": len(text), "max": limit},
                )
            elif text:
                fields[name] = text.upper() if limit == 1 else text

    def _ring(self, row: _Row, values) -> None:
        value = self.raw(values, "ring")
        if value is None:
            self.error(row, "ring", _("numéro de bague manquant."))
            return
        if isinstance(value, float):
            if not value.is_integer():
                self.error(
                    row,
                    "ring",
                    _(
                        "numéro de bague « %s » lu comme un nombre décimal : formatez la "
                        "colonne BAGUE en texte et ressaisissez le numéro."
                    )
                    % show_value(value),
                )
                return
            value = int(value)
        text = str(value).strip()
        if _SCIENTIFIC.match(text):
            self.error(
                row,
                "ring",
                _(
                    "numéro de bague « %s » en notation scientifique (Excel l'a converti "
                    "en nombre et a perdu des chiffres) : formatez la colonne BAGUE en "
                    "texte et ressaisissez le numéro complet."
                )
                % show_value(text),
            )
            return
        ring = ring_normalise(text)
        if not _RING_OK.match(ring) or len(ring) > 12:
            self.error(
                row,
                "ring",
                _("numéro de bague « %s » invalide (lettres et chiffres seulement).")
                % show_value(text),
            )
            return
        if row.scheme == FRANCE_SCHEME:
            if not _FRENCH_RING.match(ring):
                self.error(
                    row,
                    "ring",
                    _(
                        "numéro de bague « %s » invalide : une bague FRP s'écrit lettres "
                        "puis chiffres (ex. 8123456 ou EA12345)."
                    )
                    % show_value(text),
                )
                return
            if len(ring) < MIN_RING_CHARS:
                self.error(
                    row,
                    "ring",
                    _(
                        "numéro de bague « %(ring)s » trop court (%(n)d caractères, au "
                        "moins %(min)d) : zéros de tête perdus par le tableur ?"
                    )
                    % {"ring": show_value(text), "n": len(ring), "min": MIN_RING_CHARS},
                )
                return
        row.ring = row.fields["ring_number"] = ring

    def _age_sex(self, row: _Row, values) -> None:
        fields = row.fields
        sex = self.text(values, "sex").upper()
        if sex and sex not in SEXES:
            self.error(
                row,
                "sex",
                _("sexe « %s » inconnu (M, F ou I pour indéterminé).")
                % show_value(sex),
            )
        fields["sex"] = SEXES.get(sex, "U")
        age = self.text(values, "age").upper().replace(" ", "")
        if not age:
            self.error(row, "age", _("âge manquant (PUL, 1A, +1A, 2A, +2A ou VOL)."))
        elif age in FRENCH_AGES:
            fields["age"] = FRENCH_AGES[age]
        elif re.fullmatch(r"[0-9]", age):
            fields["age"] = age  # already a EURING age code
        else:
            self.error(
                row,
                "age",
                _("âge « %s » inconnu (PUL, 1A, +1A, 2A, +2A, VOL ou code EURING 0–9).")
                % show_value(age),
            )

    def _biometrics(self, row: _Row, values) -> None:
        for key, name, limit in (
            ("wing", "wing_mm", 9999),
            ("third_primary", "third_primary_mm", 9999),
            ("tarsus", "tarsus_mm", 9999),
            ("bill", "bill_mm", 9999),
            ("mass", "mass_g", 999999),
        ):
            value = self.parsed(row, values, key, _positive_decimal(limit))
            if value is not None:
                row.fields[name] = value
        for key, name, high in (("fat", "fat", 8), ("muscle", "muscle", 3)):
            value = self.parsed(
                row, values, key, lambda v, h=high: _bounded_int(v, 0, h)
            )
            if value is not None:
                row.fields[name] = value
        patch = self.text(values, "brood_patch").upper()
        if patch:
            if patch not in {"0", "1", "2", "3", "4", "5", "P"}:
                self.error(
                    row,
                    "brood_patch",
                    _("plaque incubatrice « %s » invalide (0 à 5 ou P).")
                    % show_value(patch),
                )
            row.fields["brood_patch"] = patch[:1]
        moult = self.text(values, "moult").upper()
        if moult:
            if moult not in {"B", "J", "M", "P", "X", "U"}:
                self.error(
                    row,
                    "moult",
                    _("mue « %s » invalide (B, J, M, P, X ou U).") % show_value(moult),
                )
            row.fields["moult"] = moult[:1]

    def _condition(self, row: _Row, values) -> None:
        dead = row.action == "R"
        condition = self.text(values, "condition")
        circumstances = self.text(values, "circumstances")
        both = self.text(values, "cond_circ")
        if both and not (condition or circumstances):
            parts = [p for p in re.split(r"[\s/\-]+", both) if p]
            if len(parts) == 2:
                condition, circumstances = parts
            elif len(both) == 3 and both.isdigit():
                condition, circumstances = both[0], both[1:]
            else:
                self.error(
                    row,
                    "cond_circ",
                    _("« %s » : attendu condition/circonstances, ex. 8/20.")
                    % show_value(both),
                )
        condition = condition or ("0" if dead else "8")
        circumstances = circumstances or ("99" if dead else "20")
        column = "condition" if "condition" in self.columns else "cond_circ"
        if not re.fullmatch(r"[0-9]", condition):
            self.error(
                row,
                column,
                _("condition EURING « %s » invalide (un chiffre, 8 : relâché vivant).")
                % show_value(condition),
            )
        column = "circumstances" if "circumstances" in self.columns else "cond_circ"
        if not re.fullmatch(r"[0-9]{2}", circumstances):
            self.error(
                row,
                column,
                _(
                    "circonstances EURING « %s » invalides (deux chiffres, 20 : capture "
                    "intentionnelle)."
                )
                % show_value(circumstances),
            )
        row.fields["condition"] = condition
        row.fields["circumstances"] = circumstances


def _parse_time(value) -> dt.time:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 0 <= value < 1:  # an Excel time stored as a fraction of a day
            seconds = round(value * 86400)
            return dt.time(seconds // 3600, seconds % 3600 // 60)
        value = str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, str):
        match = _HHMM.match(value.strip())
        if match:
            hours, minutes = int(match.group(1)), int(match.group(2))
            if hours < 24 and minutes < 60:
                return dt.time(hours, minutes)
            raise CellError(_("heure invalide « %s » (attendu HH:MM).") % value)
    return parse_time(value)


def _parse_duration(value) -> dt.timedelta:
    """DS: hours (5 or 5,5) or HH:MM; an XLSX time cell too."""
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, dt.time):
        return dt.timedelta(hours=value.hour, minutes=value.minute)
    text = str(value).strip()
    if ":" in text or "h" in text.lower():
        moment = parse_time(text)
        return dt.timedelta(hours=moment.hour, minutes=moment.minute)
    hours = parse_float(value)
    if not 0 < hours <= 24:
        raise CellError(
            _("durée « %s » invalide : en heures (ex. 5 ou 5,5) ou HH:MM.")
            % show_value(value)
        )
    return dt.timedelta(minutes=round(hours * 60))


def _positive_decimal(limit: float):
    def parse(value) -> Decimal:
        number = parse_float(value)
        if not 0 < number <= limit:
            raise CellError(
                _("« %s » : valeur positive attendue.") % show_value(value)
                if number <= 0
                else _("« %s » est trop grand.") % show_value(value)
            )
        return Decimal(str(round(number, 1)))

    return parse


def _bounded_int(value, low: int, high: int) -> int:
    number = parse_int(value, minimum=low)
    if number > high:
        raise CellError(
            _("« %(value)s » hors de l'intervalle %(low)d–%(high)d.")
            % {"value": show_value(value), "low": low, "high": high}
        )
    return number


# ---------------------------------------------------------------- checks across rows


SESSION_FIELDS = (
    ("start", "start", _("heure de début (HS)")),
    ("duration", "duration", _("durée (DS)")),
    ("nets_length", "nets_length", _("longueur de filets (FS)")),
    ("nets_count", "nets_count", _("nombre de filets (NF)")),
    ("memo", "session_memo", _("mémo de session")),
)


def _check(
    rows: list[_Row],
    result: CrbpoImportResult,
    dataset: Dataset,
    *,
    header,
    ref,
    user=None,
) -> dict:
    """Checks that need several rows or the database. Returns the write plan. A session
    of another dataset is named only when ``user`` may read its dataset."""
    errors = result.errors
    # Sessions: one per (station, programme, date); their values must agree.
    sessions: dict[tuple, dict] = {}
    for row in rows:
        key = row.session_key
        if key is None:
            continue
        info = sessions.setdefault(
            key,
            {
                "line": row.line,
                "station": row.station,
                "programme": row.programme,
                "date": row.date,
                "values": {},
                "lines": {},
                "ringers": [],
            },
        )
        for ringer in row.ringers:
            if ringer not in info["ringers"]:
                info["ringers"].append(ringer)
        for name, column, label in SESSION_FIELDS:
            if name not in row.session:
                continue
            value = row.session[name]
            if name not in info["values"]:
                info["values"][name] = value
                info["lines"][name] = row.line
            elif info["values"][name] != value:
                row.bad = True
                errors.add(
                    row.line,
                    header.of(column),
                    _(
                        "%(label)s différente de celle de la ligne %(line)d pour la même "
                        "session (même date, station et programme)."
                    )
                    % {"label": label, "line": info["lines"][name]},
                )
    existing = _existing_sessions(sessions)
    new_sessions, existing_used = {}, {}
    for key, info in sessions.items():
        session = existing.get(key)
        if session is None:
            new_sessions[key] = info
            continue
        if session.dataset_id != dataset.pk:
            readable = user is None or (
                Dataset.objects.visible_to(user).filter(pk=session.dataset_id).exists()
            )
            errors.add(
                info["line"],
                header.of("date"),
                _(
                    "la session du %(date)s à %(station)s (%(programme)s) existe déjà dans "
                    "un autre jeu de données (« %(dataset)s »)."
                )
                % {
                    "date": info["date"].strftime("%d/%m/%Y"),
                    "station": info["station"],
                    "programme": info["programme"].programme.code,
                    "dataset": session.dataset if readable else _("non consultable"),
                },
            )
        existing_used[key] = session
    for info in new_sessions.values():
        if not info["ringers"]:
            continue
        for ringer in info["ringers"]:
            if not ringer.is_valid_on(info["date"]):
                _warn(
                    result,
                    info["line"],
                    header.of("ringer"),
                    _("le permis de %(ringer)s n'est pas valide le %(date)s.")
                    % {"ringer": ringer, "date": info["date"].strftime("%d/%m/%Y")},
                )
    captures = _check_rings(rows, result, header, ref)
    for row in rows:
        if row.action in CAPTURE_ACTIONS and not row.bad and row.species is not None:
            _biometrics_warnings(row, result, header)
    return {
        "sessions": sessions,
        "new_sessions": new_sessions,
        "existing_used": existing_used,
        "ref": ref,
        # Existing sessions that receive at least one new capture.
        "existing_completed": {
            row.session_key for row in captures if row.session_key in existing_used
        },
        "captures": captures,
    }


class _Headers:
    """The file's own header of a column key (the template's name if the file lacks it)."""

    def __init__(self, columns: dict[str, tuple[int, str]]):
        self.columns = columns

    def of(self, key: str) -> str:
        if key in self.columns:
            return self.columns[key][1]
        return next((c.names[0] for c in COLUMNS if c.key == key), "")


def _existing_sessions(sessions: dict) -> dict:
    if not sessions:
        return {}
    dates = {key[2] for key in sessions}
    stations = {key[0] for key in sessions}
    found = {}
    for session in (
        Session.objects.filter(date__in=dates, station_id__in=stations)
        .select_related("station__site", "programme__programme", "dataset")
        .prefetch_related("ringers__person")
        .order_by("pk")
    ):
        key = (session.station_id, session.programme_id, session.date)
        if key in sessions:
            found.setdefault(key, session)
    return found


def _check_rings(rows, result, header, ref: _Referential) -> list[_Row]:
    """Ring rules: a ring put on once (B), on one species only, FRP rings from stock, no
    row twice; rows already in the database are skipped. Returns the rows to create."""
    errors = result.errors
    rings = {row.ring for row in rows if row.ring}
    known = _known_captures(rings)
    seen_keys: dict[tuple, int] = {}
    ringed_at: dict[tuple, int] = {}
    species_at: dict[tuple, tuple[int, str, str]] = {}  # ring → (line, cd_ref, name)
    for capture in known:
        ring = (capture["ring_scheme"], capture["ring_number"])
        species_at.setdefault(
            ring,
            (
                0,
                capture["taxon__cd_ref"],
                capture["taxon__scientific_name"],
                capture["session__date"],
            ),
        )
    known_keys = {
        (
            c["session__station_id"],
            c["session__programme_id"],
            c["session__date"],
            c["ring_scheme"],
            c["ring_number"],
            c["action"],
        ): c
        for c in known
    }
    known_ringed = {
        (c["ring_scheme"], c["ring_number"]): c for c in known if c["action"] == "B"
    }
    to_create = []
    for row in rows:
        if row.action not in CAPTURE_ACTIONS or not row.ring:
            continue  # a session without catch, or a ring already reported
        ring = (row.scheme, row.ring)
        ring_column = header.of("ring")
        key = (*row.session_key, *ring, row.action) if row.session_key else None
        if key is not None:
            if key in seen_keys:
                row.bad = True
                errors.add(
                    row.line,
                    ring_column,
                    _(
                        "ligne en double : même session, bague %(ring)s et action "
                        "%(action)s que la ligne %(line)d."
                    )
                    % {"ring": row.ring, "action": row.action, "line": seen_keys[key]},
                )
                continue
            seen_keys[key] = row.line
        # One ring, one species (the database first, then earlier rows of the file).
        if row.species is not None:
            first = species_at.get(ring)
            if first is None:
                species_at[ring] = (
                    row.line,
                    row.species.taxon.cd_ref,
                    row.species.taxon.scientific_name,
                    row.date,
                )
            elif first[1] != row.species.taxon.cd_ref:
                row.bad = True
                where = (
                    _("ligne %d") % first[0]
                    if first[0]
                    else _("déjà enregistrée le %s") % first[3].strftime("%d/%m/%Y")
                )
                errors.add(
                    row.line,
                    header.of("species"),
                    _(
                        "la bague %(ring)s est notée sur une autre espèce : %(species)s "
                        "(%(where)s)."
                    )
                    % {"ring": row.ring, "species": first[2], "where": where},
                )
        if key is not None and key in known_keys:
            result.skipped_lines.append(row.line)
            continue
        if row.action == "B":
            if row.scheme != FRANCE_SCHEME:
                row.bad = True
                errors.add(
                    row.line,
                    header.of("scheme"),
                    _("une bague posée (B) est une bague du centre FRP."),
                )
            elif ring in ringed_at:
                row.bad = True
                errors.add(
                    row.line,
                    ring_column,
                    _("la bague %(ring)s est déjà posée (B) à la ligne %(line)d.")
                    % {"ring": row.ring, "line": ringed_at[ring]},
                )
            elif ring in known_ringed:
                first = known_ringed[ring]
                row.bad = True
                errors.add(
                    row.line,
                    ring_column,
                    _("la bague %(ring)s a déjà été posée le %(date)s (%(species)s).")
                    % {
                        "ring": row.ring,
                        "date": first["session__date"].strftime("%d/%m/%Y"),
                        "species": first["taxon__scientific_name"],
                    },
                )
            else:
                ringed_at[ring] = row.line
                series = ref.series_of(row.ring)
                size = row.fields.get("ring_size", "")
                if series is None or (size and series.size != size):
                    row.bad = True
                    errors.add(
                        row.line,
                        ring_column,
                        _(
                            "la bague %(ring)s n'appartient à aucune série reçue%(size)s : "
                            "vérifiez le numéro ou enregistrez la série."
                        )
                        % {
                            "ring": row.ring,
                            "size": f" de taille {size}" if size else "",
                        },
                    )
        if not row.bad:
            to_create.append(row)
    return to_create


def _known_captures(rings: set[str]) -> list[dict]:
    found = []
    rings = sorted(rings)
    for start in range(0, len(rings), 5000):
        found.extend(
            Capture.objects.filter(ring_number__in=rings[start : start + 5000])
            .order_by("session__date", "time", "pk")
            .values(
                "ring_scheme",
                "ring_number",
                "action",
                "taxon__cd_ref",
                "taxon__scientific_name",
                "session__date",
                "session__station_id",
                "session__programme_id",
            )
        )
    return found


def _biometrics_warnings(row: _Row, result, header) -> None:
    species = row.species
    for name, low, high, column, label, unit in (
        ("wing_mm", species.wing_min, species.wing_max, "wing", _("aile"), "mm"),
        ("mass_g", species.mass_min, species.mass_max, "mass", _("masse"), "g"),
    ):
        value = row.fields.get(name)
        if value is None or low is None or high is None:
            continue
        if not Decimal(low) <= value <= Decimal(high):
            _warn(
                result,
                row.line,
                header.of(column),
                _(
                    "%(label)s de %(value)s %(unit)s hors de l'intervalle habituel de "
                    "l'espèce (%(low)s–%(high)s %(unit)s) : vérifiez la mesure."
                )
                % {
                    "label": label,
                    "value": value,
                    "unit": unit,
                    "low": low,
                    "high": high,
                },
            )


def _warn(result, line, column, message) -> None:
    if len(result.warnings) < _WARNING_LIMIT:
        result.warnings.append({"line": line, "column": column, "message": message})


# ---------------------------------------------------------------- writing


class _Rollback(Exception):
    pass


def _write(plan: dict, result: CrbpoImportResult, *, user, dataset, header) -> None:
    """All or nothing. Per session, the first capture goes through ``capture_save`` (every
    entry check, its occurrence published by ``occurrence_publish``); the others follow the
    same path in bulk (``_captures_bulk_create``), which 3,000 rows need to stay well under a
    minute."""
    by_session: dict[tuple, list[_Row]] = {}
    for row in plan["captures"]:
        by_session.setdefault(row.session_key, []).append(row)
    try:
        with transaction.atomic():
            sessions = dict(plan["existing_used"])
            for key, info in plan["new_sessions"].items():
                try:
                    sessions[key] = _session_create(info, user=user, dataset=dataset)
                except ValidationError as error:
                    for name, messages in error.message_dict.items():
                        for message in messages:
                            column = header.of(_SESSION_COLUMNS.get(name, "date"))
                            result.errors.add(info["line"], column, message)
            if result.errors:
                raise _Rollback
            bulk = _BulkCaptures(
                user=user, ref=plan["ref"], result=result, header=header
            )
            for key, rows in by_session.items():
                first = rows[0]
                try:
                    capture, _warnings = capture_save(
                        session=sessions[key],
                        user=user,
                        fields=first.fields,
                        confirm=True,
                    )
                except CaptureRefused as refusal:
                    _refusal_errors(result, header, first.line, refusal.message_dict)
                    continue
                bulk.add(capture, rows[1:])
            if result.errors:
                raise _Rollback
            bulk.save()
            if result.errors:
                raise _Rollback
    except _Rollback:
        return
    result.sessions_created = len(plan["new_sessions"])
    result.sessions_existing = len(plan["existing_completed"])
    result.captures_created = len(plan["captures"])


def _refusal_errors(result, header, line: int, message_dict: dict) -> None:
    for name, messages in message_dict.items():
        for message in messages:
            result.errors.add(line, header.of(_FIELD_COLUMNS.get(name, "")), message)


_CAPTURE_RELATIONS = [f.name for f in Capture._meta.get_fields() if f.is_relation]
_OCCURRENCE_RELATIONS = [f.name for f in Occurrence._meta.get_fields() if f.is_relation]


class _BulkCaptures:
    """The captures of a session after its first one, written as ``capture_save`` writes
    them, in a few statements: the rows were checked against the database beforehand (ring
    used, stock, species, dates), each capture and occurrence is validated field by field,
    and the database constraints (a B ring used once…) still apply at insertion. The
    occurrence fields are those of ``capture_save`` (``capture_occurrence_fields``); the observers
    are those that ``occurrence_publish`` gave the session's first capture."""

    def __init__(self, *, user, ref, result, header):
        self.user, self.ref, self.result, self.header = user, ref, result, header
        self.captures: list[Capture] = []
        self.occurrences: list[Occurrence] = []
        self.observers: list[list[int]] = []

    def add(self, first: Capture, rows: list[_Row]) -> None:
        session = first.session
        template = first.occurrence
        observer_ids = list(template.observers.values_list("pk", flat=True))
        line = first.line
        for row in rows:
            line += 1
            capture = Capture(
                session=session,
                created_by=self.user,
                updated_by=self.user,
                line=line,
                **row.fields,
            )
            if capture.action == Capture.Action.RINGED:
                capture.series = self.ref.series_of(capture.ring_number)
                if not capture.ring_size and capture.series is not None:
                    capture.ring_size = capture.series.size
            occurrence = Occurrence(
                created_by=self.user,
                updated_by=self.user,
                source=Source.BAGUAGE,
                observers_label=template.observers_label,
                **capture_occurrence_fields(capture),
            )
            occurrence.geom = to_storage_srid(occurrence.geom)
            if not self._valid(row.line, capture, occurrence):
                continue
            self.captures.append(capture)
            self.occurrences.append(occurrence)
            self.observers.append(observer_ids)

    def _valid(self, line: int, capture: Capture, occurrence: Occurrence) -> bool:
        errors: dict[str, list[str]] = {}
        for name, mnemonic in Occurrence.NOMENCLATURES.items():
            if getattr(occurrence, name) not in nomenclature_labels(mnemonic):
                errors.setdefault("__all__", []).append(
                    _("Code « %(code)s » inconnu pour %(field)s.")
                    % {
                        "code": getattr(occurrence, name),
                        "field": Occurrence._meta.get_field(name).verbose_name,
                    }
                )
        for instance, exclude in (
            (capture, _CAPTURE_RELATIONS),
            (occurrence, _OCCURRENCE_RELATIONS),
        ):
            try:
                instance.clean_fields(exclude=exclude)
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    errors.setdefault(name, []).extend(messages)
        if errors:
            _refusal_errors(self.result, self.header, line, errors)
        return not errors

    def save(self) -> None:
        if not self.captures:
            return
        try:
            with transaction.atomic():
                occurrences_publish_bulk(
                    occurrences=self.occurrences,
                    observer_ids=self.observers,
                    user=self.user,
                )
                for capture, occurrence in zip(
                    self.captures, self.occurrences, strict=True
                ):
                    capture.occurrence = occurrence
                Capture.objects.bulk_create(self.captures, batch_size=100)
        except IntegrityError:
            self.result.errors.add(
                None,
                "",
                _(
                    "Import interrompu : une bague du fichier vient d'être posée par une "
                    "autre saisie. Relancez l'import pour voir la ligne en cause."
                ),
            )


def _session_create(info: dict, *, user, dataset) -> Session:
    values = info["values"]
    length = values.get("nets_length")
    count = values.get("nets_count", 0)
    if length is None:
        length = Decimal(DEFAULT_NET_LENGTH_M * count)
    start, end = values.get("start"), None
    if start is not None and values.get("duration") is not None:
        end = (dt.datetime.combine(info["date"], start) + values["duration"]).time()
    return session_save(
        user=user,
        fields={
            "station": info["station"],
            "programme": info["programme"],
            "dataset": dataset,
            "date": info["date"],
            "start_time": start,
            "end_time": end,
            "nets_count": count,
            "nets_length_m": length,
            "comment": values.get("memo", ""),
        },
        ringers=info["ringers"],
    )


_SESSION_COLUMNS = {
    "start_time": "start",
    "end_time": "duration",
    "nets_count": "nets_count",
    "nets_length_m": "nets_length",
    "comment": "session_memo",
}
_FIELD_COLUMNS = {
    "ring_number": "ring",
    "ring_scheme": "scheme",
    "taxon": "species",
    "session": "date",
    "time": "time",
    "age": "age",
    "sex": "sex",
    "wing_mm": "wing",
    "mass_g": "mass",
}
