"""Parsing of single cells (CSV text or XLSX values) into typed values, with French errors.

These run once per cell of files of 100,000 rows and more: pure functions, cached where values
repeat (dates), no model or database access.
"""

import datetime as dt
import functools
import math
import re
import uuid
from decimal import Decimal

from django.utils.translation import gettext as _

from cpie_naturaliste.core.text import normalize_search

MAX_INT = 2_147_483_647
_HHMM = re.compile(r"^(\d{1,2})(\d{2})$")
_NON_ALNUM = re.compile(r"[^a-z0-9]")


def header_key(header: str) -> str:
    """Header normalised for matching: no accents, case, spaces, dashes or underscores."""
    return _NON_ALNUM.sub("", normalize_search(str(header)))


class CellError(Exception):
    """A cell that cannot be read; ``message`` is French and names the value."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def show_value(value) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def parse_int(value, *, minimum: int | None = None) -> int:
    if isinstance(value, bool):
        raise CellError(_("« %s » n'est pas un nombre entier.") % show_value(value))
    if isinstance(value, int):
        number = value
    else:
        try:
            number = int(value)
        except (TypeError, ValueError):
            try:
                real = float(str(value).replace(",", "."))
            except ValueError:
                raise CellError(
                    _("« %s » n'est pas un nombre entier.") % show_value(value)
                ) from None
            if not real.is_integer():
                raise CellError(
                    _("« %s » n'est pas un nombre entier.") % show_value(value)
                ) from None
            number = int(real)
    if minimum is not None and number < minimum:
        raise CellError(_("« %s » est négatif.") % show_value(value))
    if abs(number) > MAX_INT:
        raise CellError(_("« %s » est trop grand.") % show_value(value))
    return number


def parse_float(value) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        try:
            number = float(str(value).replace(",", "."))
        except ValueError:
            raise CellError(
                _("« %s » n'est pas un nombre.") % show_value(value)
            ) from None
    if not math.isfinite(number):
        raise CellError(_("« %s » n'est pas un nombre.") % show_value(value))
    return number


EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's serial dates (1900 system)
# Serial dates read as such: 10000 (1927-05-18) to 99999 (2173-10-14), five digits, so
# that no count, code or year in a date column passes for a date.
_SERIAL_RANGE = (10000, 99999)
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YMD = re.compile(r"^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})$")
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def _serial_date(number: float) -> dt.date:
    if not _SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1]:
        raise ValueError(number)
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


@functools.lru_cache(maxsize=16384)
def _date_from_text(text: str) -> dt.date:
    text = _TIME_TAIL.sub("", text.strip())  # ISO or GeoNature time of day: the day
    match = _YMD.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        return dt.date(year, month, day)
    match = _DMY.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return dt.date(year, month, day)
    if text.isdigit() and len(text) == 8:  # AAAAMMJJ
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    if text.isdigit() and len(text) == 5:  # an Excel serial date saved as text
        return _serial_date(int(text))
    raise ValueError(text)


def parse_date(value) -> dt.date:
    """The forms real files carry: AAAA-MM-JJ, AAAA/MM/JJ, JJ/MM/AAAA (or with dashes or
    dots), AAAAMMJJ, any of them followed by a time (ISO 8601 « T », GeoNature's
    « AAAA-MM-JJ HH:MM:SS.ffffff »), XLSX date cells and Excel serial dates (43831 is
    2020-01-01)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _serial_date(value)
        return _date_from_text(str(value))
    except (ValueError, OverflowError):
        raise CellError(
            _("date invalide « %s » (attendu AAAA-MM-JJ, JJ/MM/AAAA ou AAAA/MM/JJ).")
            % show_value(value)
        ) from None


def parse_time(value) -> dt.time:
    if isinstance(value, dt.datetime):
        return value.time()
    if isinstance(value, dt.time):
        return value
    text = str(value).strip().replace("h", ":").replace("H", ":")
    if "T" in text or " " in text:  # an ISO date-time: its time of day
        text = text.replace("T", " ").rsplit(" ", 1)[-1]
    if text.count(":") >= 2:  # HH:MM:SS, maybe with a zone and fractions of a second
        text = re.sub(r"(Z|[+-]\d{2}:?\d{2})$", "", text).split(".", 1)[0]
    try:
        parts = [int(part) for part in text.split(":")]
        if len(parts) == 2 and text.endswith(":"):
            parts = parts[:1]
        while len(parts) < 3:
            parts.append(0)
        if len(parts) != 3:
            raise ValueError(text)
        return dt.time(*parts)
    except ValueError:
        raise CellError(
            _("heure invalide « %s » (attendu HH:MM).") % show_value(value)
        ) from None


def parse_uuid(value) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise CellError(
            _("« %s » n'est pas un identifiant UUID valide.") % show_value(value)
        ) from None


def parse_sheet_time(value) -> dt.time:
    """A time as spreadsheets hold it: an Excel fraction of a day (0.5 = 12:00), ``HHMM``
    (0630, or 630 once a spreadsheet dropped the zero), else what ``parse_time`` reads."""
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


def parse_duration(value) -> dt.timedelta:
    """Hours (5 or 5,5) or HH:MM; an XLSX time cell too."""
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


def positive_decimal(limit: float):
    """The parser of a positive measure up to ``limit``, rounded to one decimal."""

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


def parse_bounded_int(value, low: int, high: int) -> int:
    number = parse_int(value, minimum=low)
    if number > high:
        raise CellError(
            _("« %(value)s » hors de l'intervalle %(low)d–%(high)d.")
            % {"value": show_value(value), "low": low, "high": high}
        )
    return number
