"""The query parameters of ``/items`` (OGC API – Features Part 1, § 7.15), read strictly:
a value the standard does not allow is a 400 naming the parameter, in French, never a
silently ignored filter.

- ``limit``: an integer from 1; above ``LIMIT_MAX`` the maximum is used (as the standard
  asks: "shall not result in an error");
- ``bbox``: ``minlon,minlat,maxlon,maxlat`` (or six numbers with heights, ignored) in
  WGS84 (CRS84); a box across the antimeridian is refused (the data lie in France);
- ``datetime``: an instant (``2021-05-04`` or ``2021-05-04T10:00:00Z``) or an interval
  (``début/fin``, ``../fin``, ``début/..``, an empty end meaning open), RFC 3339;
  compared by day in the site's time zone, since records carry dates;
- ``after`` / ``before``: the paging cursors the ``next`` and ``prev`` links carry;
- ``f``: ``json`` (the only encoding).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from cpie_naturaliste.core.filters import wgs84_box

LIMIT_DEFAULT = 100
LIMIT_MAX = 1000
ITEMS_PARAMETERS = ("bbox", "datetime", "limit", "after", "before", "f")
FORMATS = ("json",)


class InvalidParameter(Exception):
    """A parameter the server cannot use: the OGC exception ``InvalidParameterValue``."""

    code = "InvalidParameterValue"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DateRange:
    """An instant or interval, as inclusive days (None: open)."""

    start: dt.date | None
    end: dt.date | None


def check_known(query, accepted: tuple[str, ...]) -> None:
    unknown = sorted(set(query) - set(accepted))
    if unknown:
        raise InvalidParameter(
            _(
                "Paramètre inconnu : %(unknown)s. Paramètres acceptés ici : %(accepted)s."
            )
            % {
                "unknown": ", ".join(unknown),
                "accepted": ", ".join(accepted) if accepted else _("aucun"),
            }
        )
    for name in query:
        if len(query.getlist(name)) > 1:
            raise InvalidParameter(
                _("Le paramètre %(name)s est donné plusieurs fois.") % {"name": name}
            )


def check_format(value: str | None) -> None:
    if value is not None and value not in FORMATS:
        raise InvalidParameter(
            _("Format inconnu : f=%(value)s. Format disponible : f=json.")
            % {"value": value}
        )


def parse_limit(value: str | None) -> int:
    if value is None:
        return LIMIT_DEFAULT
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if limit < 1:
        raise InvalidParameter(
            _(
                "limit doit être un nombre entier d'au moins 1 (au plus %(max)d "
                "éléments par page) : « %(value)s »."
            )
            % {"max": LIMIT_MAX, "value": value}
        )
    return min(limit, LIMIT_MAX)


def parse_bbox(value: str | None):
    """The box as a WGS84 polygon (SRID 4326), or None."""
    if value is None:
        return None
    parts = value.split(",")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (4, 6) or any(
        n != n or n in (float("inf"), -float("inf")) for n in numbers
    ):
        raise InvalidParameter(
            _(
                "bbox invalide : attendu quatre nombres séparés par des virgules, "
                "minlon,minlat,maxlon,maxlat en degrés WGS84 (par exemple "
                "bbox=2.5,50.2,3.1,50.6) : « %(value)s »."
            )
            % {"value": value}
        )
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    minlon, minlat, maxlon, maxlat = numbers
    if not (-180 <= minlon <= 180 and -180 <= maxlon <= 180):
        raise InvalidParameter(
            _("bbox invalide : une longitude doit être comprise entre -180 et 180.")
        )
    if not (-90 <= minlat <= 90 and -90 <= maxlat <= 90):
        raise InvalidParameter(
            _("bbox invalide : une latitude doit être comprise entre -90 et 90.")
        )
    if minlat >= maxlat:
        raise InvalidParameter(
            _(
                "bbox invalide : la latitude sud (2e nombre) doit être inférieure à la "
                "latitude nord (4e nombre)."
            )
        )
    if minlon >= maxlon:
        raise InvalidParameter(
            _(
                "bbox invalide : la longitude ouest (1er nombre) doit être inférieure à "
                "la longitude est (3e nombre) ; une emprise à cheval sur l'antiméridien "
                "n'est pas prise en charge."
            )
        )
    return wgs84_box(minlon, minlat, maxlon, maxlat)


def _moment(text: str) -> dt.date:
    """A day from an RFC 3339 date or date-time (its day in the site's time zone)."""
    moment = parse_datetime(text) if "T" in text.upper() else None
    if moment is not None:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return timezone.localtime(moment).date()
    if "T" in text.upper():
        raise ValueError(text)
    day = parse_date(text)
    if day is None:
        raise ValueError(text)
    return day


def parse_datetime_param(value: str | None) -> DateRange | None:
    if value is None:
        return None
    try:
        if "/" in value:
            first, _sep, second = value.partition("/")
            if "/" in second:
                raise ValueError(value)
            start = None if first in ("", "..") else _moment(first)
            end = None if second in ("", "..") else _moment(second)
        else:
            if value in ("", ".."):
                raise ValueError(value)
            start = end = _moment(value)
    except ValueError:
        raise InvalidParameter(
            _(
                "datetime invalide : attendu une date ou un instant RFC 3339 "
                "(2021-05-04 ou 2021-05-04T10:00:00Z) ou un intervalle début/fin "
                "dont une borne peut être ouverte (../2021-12-31, 2021-01-01/..) : "
                "« %(value)s »."
            )
            % {"value": value}
        ) from None
    if start and end and start > end:
        raise InvalidParameter(
            _("datetime invalide : le début de l'intervalle est après sa fin.")
        )
    return DateRange(start, end)


def parse_cursor(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit():
        raise InvalidParameter(
            _(
                "%(name)s invalide : un curseur de page est un nombre entier ; suivez "
                "les liens next et prev des réponses."
            )
            % {"name": name}
        )
    return int(value)
