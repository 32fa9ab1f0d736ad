"""Reading one row of a CRBPO file: every cell checked on its own, every problem logged with
its line, the file's column header and a French reason; the session-level cells (date, place,
programme, ringers, nets) here, the capture cells in ``captures``.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from baguage.models import FRANCE_SCHEME, EuringSpecies, RingingProgramme, Station
from cpie_naturaliste.core.tabular.cells import (
    CellError,
    header_key,
    parse_bounded_int,
    parse_date,
    parse_duration,
    parse_sheet_time,
    positive_decimal,
    show_value,
)
from cpie_naturaliste.core.tabular.errors import ErrorLog
from cpie_naturaliste.core.tabular.xlsx_table import Formula

from .captures import CAPTURE_ACTIONS, CaptureCells
from .columns import PLACE_KEYS, Headers
from .referential import Referential

SKIP_ACTIONS = {"SANS", "BREDOUILLE"}
SESSION_CELLS = (
    ("start", parse_sheet_time),
    ("duration", parse_duration),
    ("nets_length", positive_decimal(9999)),
    ("nets_count", lambda value: parse_bounded_int(value, 0, 999)),
)
_SPLIT_PEOPLE = re.compile(r"\s*(?:[,;/+&]|\bet\b)\s*", re.IGNORECASE)


@dataclass
class Row:
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


class RowReader(CaptureCells):
    """Reads the data rows of one file into ``Row`` objects, logging into ``errors``."""

    def __init__(self, columns, ref: Referential, errors: ErrorLog, *, has_nul):
        self.columns = columns
        self.headers = Headers(columns)
        self.ref = ref
        self.errors = errors
        self.has_nul = has_nul
        self.today = timezone.localdate()

    # -- cell access
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

    def error(self, row: Row, key: str, message: str) -> None:
        row.bad = True
        self.errors.add(row.line, self.headers.of(key), message)

    def parsed(self, row: Row, values, key: str, parse):
        value = self.raw(values, key)
        if value is None:
            return None
        try:
            return parse(value)
        except CellError as error:
            self.error(row, key, error.message)
            return None

    # -- one row
    def read(self, line: int, values: list) -> Row | None:
        if not any(v is not None and str(v).strip() for v in values):
            return None
        row = Row(line=line)
        if not self._scan(row, values):
            return row
        row.action = self._action(row, values)
        self._date(row, values)
        self._place(row, values)
        self._programme(row, values)
        self._ringers(row, values)
        self._session_values(row, values)
        if row.action in CAPTURE_ACTIONS:
            self._capture(row, values)
        return row

    def _scan(self, row: Row, values: list) -> bool:
        """Refuse formulas (their cells then read empty); False on a NUL byte."""
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
                self.errors.add(row.line, "", _("caractère nul (NUL) interdit."))
                row.bad = True
                return False
        return True

    def _action(self, row: Row, values: list) -> str:
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
        return action

    def _date(self, row: Row, values) -> None:
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

    def _place(self, row: Row, values) -> None:
        """The station named by STATION, else LIEUDIT, else LOCALITE (first one given)."""
        for key in PLACE_KEYS:
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
        self._place_unknown(row, values)

    def _place_unknown(self, row: Row, values) -> None:
        names = [name for name in (self.text(values, k) for k in PLACE_KEYS) if name]
        key = next(
            (k for k in PLACE_KEYS if self.text(values, k)),
            next(k for k in PLACE_KEYS if k in self.columns),
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

    def _programme(self, row: Row, values) -> None:
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

    def _ringers(self, row: Row, values) -> None:
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

    def _session_values(self, row: Row, values) -> None:
        """HS, DS, FS, NF and the session memo, checked here, compared across rows later."""
        for key, parse in SESSION_CELLS:
            value = self.parsed(row, values, key, parse)
            if value is not None:
                row.session[key] = value
        memo = self.text(values, "session_memo")
        if memo:
            row.session["memo"] = memo
        start, duration = row.session.get("start"), row.session.get("duration")
        if start is not None and duration is not None:
            end = dt.datetime.combine(dt.date(2000, 1, 1), start) + duration
            if end.date() != dt.date(2000, 1, 1):
                self.error(
                    row,
                    "duration",
                    _("la session (début %(start)s + durée) finit après minuit.")
                    % {"start": start.strftime("%H:%M")},
                )
