"""What the rows of a CRBPO file are matched against, loaded once per import: species by
CRBPO or EURING code, stations by name, code or site, programmes by code, name or kind, ringers
by name or permit, and the FRP ring series received (to check a ring comes from stock).
"""

import re

from baguage.models import (
    FRANCE_SCHEME,
    EuringSpecies,
    Ringer,
    RingingProgramme,
    RingSeries,
    Station,
)
from cpie_naturaliste.core.tabular.cells import header_key

FRENCH_RING = re.compile(r"^([A-Z]*)(\d+)$")


class Referential:
    """Everything the rows are matched against, loaded once."""

    def __init__(self):
        self.species = self._species()
        self.stations = self._stations()
        self.programmes = self._programmes()
        self.ringers = self._ringers()
        self.series: dict[str, list[RingSeries]] = {}
        for series in RingSeries.objects.filter(scheme=FRANCE_SCHEME):
            self.series.setdefault(series.prefix, []).append(series)

    @staticmethod
    def _species() -> dict[str, EuringSpecies]:
        species: dict[str, EuringSpecies] = {}
        for sp in EuringSpecies.objects.select_related("taxon"):
            if sp.crbpo_code:
                species[sp.crbpo_code.upper()] = sp
            species.setdefault(sp.code, sp)
        return species

    def _stations(self) -> dict[str, set]:
        stations: dict[str, set] = {}
        for station in Station.objects.select_related("site"):
            for name in (station.name, station.code, station.site.name):
                self._add(stations, name, station)
        return stations

    def _programmes(self) -> dict[str, set]:
        programmes: dict[str, set] = {}
        for rp in RingingProgramme.objects.select_related("programme"):
            for name in (
                rp.programme.code,
                rp.programme.name,
                rp.kind,
                rp.get_kind_display(),
            ):
                self._add(programmes, name, rp)
        return programmes

    def _ringers(self) -> dict[str, set]:
        ringers: dict[str, set] = {}
        for ringer in Ringer.objects.select_related("person"):
            person = ringer.person
            for name in (
                f"{person.last_name} {person.first_name}",
                f"{person.first_name} {person.last_name}",
                person.last_name,
                ringer.permit_number,
            ):
                self._add(ringers, name, ringer)
        return ringers

    @staticmethod
    def _add(index: dict, name: str, value) -> None:
        key = header_key(name or "")
        if key:
            index.setdefault(key, set()).add(value)

    def series_of(self, ring: str) -> RingSeries | None:
        match = FRENCH_RING.match(ring)
        if not match:
            return None
        prefix, number = match.group(1), int(match.group(2))
        for series in self.series.get(prefix, ()):
            if series.first <= number <= series.last and series.ring(number) == ring:
                return series
        return None
