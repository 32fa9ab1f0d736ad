"""The ring rules across the rows of a CRBPO file and the database: a ring is put on once (B),
on one species only, an FRP ring comes from a series received, no row is given twice; a row
already in the database (same session, ring and action) is skipped, not refused.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from baguage.models import FRANCE_SCHEME, Capture

from .captures import CAPTURE_ACTIONS
from .columns import Headers
from .referential import Referential
from .result import CrbpoImportResult
from .rows import Row

KNOWN_BATCH = 5000


def rings_check(
    rows: list[Row], result: CrbpoImportResult, header: Headers, ref: Referential
) -> list[Row]:
    """Apply the ring rules to ``rows``; returns the rows to create."""
    checks = _RingChecks(rows, result, header, ref)
    to_create = []
    for row in rows:
        if row.action not in CAPTURE_ACTIONS or not row.ring:
            continue  # a session without catch, or a ring already reported
        if checks.row_is_new(row):
            to_create.append(row)
    return to_create


class _RingChecks:
    """What the file and the database already say of each ring, as the rows are read."""

    def __init__(self, rows, result, header, ref):
        self.errors, self.header, self.ref = result.errors, header, ref
        self.skipped_lines = result.skipped_lines
        known = _known_captures({row.ring for row in rows if row.ring})
        self.seen_keys: dict[tuple, int] = {}
        self.ringed_at: dict[tuple, int] = {}
        # ring → (line, cd_ref, name, date); line 0 for a capture already in the database
        self.species_at: dict[tuple, tuple] = {}
        for capture in known:
            self.species_at.setdefault(
                (capture["ring_scheme"], capture["ring_number"]),
                (
                    0,
                    capture["taxon__cd_ref"],
                    capture["taxon__scientific_name"],
                    capture["session__date"],
                ),
            )
        self.known_keys = {_capture_key(c) for c in known}
        self.known_ringed = {
            (c["ring_scheme"], c["ring_number"]): c for c in known if c["action"] == "B"
        }

    def row_is_new(self, row: Row) -> bool:
        """False for a row refused or already imported (then counted as skipped)."""
        ring = (row.scheme, row.ring)
        key = (*row.session_key, *ring, row.action) if row.session_key else None
        if key is not None and not self._first_time(row, key):
            return False
        self._one_species(row, ring)
        if key is not None and key in self.known_keys:
            self.skipped_lines.append(row.line)
            return False
        if row.action == "B":
            self._ringed(row, ring)
        return not row.bad

    def _refuse(self, row: Row, column: str, message: str) -> None:
        row.bad = True
        self.errors.add(row.line, self.header.of(column), message)

    def _first_time(self, row: Row, key: tuple) -> bool:
        if key in self.seen_keys:
            self._refuse(
                row,
                "ring",
                _(
                    "ligne en double : même session, bague %(ring)s et action "
                    "%(action)s que la ligne %(line)d."
                )
                % {"ring": row.ring, "action": row.action, "line": self.seen_keys[key]},
            )
            return False
        self.seen_keys[key] = row.line
        return True

    def _one_species(self, row: Row, ring: tuple) -> None:
        """One ring, one species (the database first, then earlier rows of the file)."""
        if row.species is None:
            return
        taxon = row.species.taxon
        first = self.species_at.get(ring)
        if first is None:
            self.species_at[ring] = (
                row.line,
                taxon.cd_ref,
                taxon.scientific_name,
                row.date,
            )
            return
        if first[1] == taxon.cd_ref:
            return
        where = (
            _("ligne %d") % first[0]
            if first[0]
            else _("déjà enregistrée le %s") % first[3].strftime("%d/%m/%Y")
        )
        self._refuse(
            row,
            "species",
            _(
                "la bague %(ring)s est notée sur une autre espèce : %(species)s "
                "(%(where)s)."
            )
            % {"ring": row.ring, "species": first[2], "where": where},
        )

    def _ringed(self, row: Row, ring: tuple) -> None:
        """A ring put on (B): an FRP ring, once, from a series received."""
        if row.scheme != FRANCE_SCHEME:
            self._refuse(
                row, "scheme", _("une bague posée (B) est une bague du centre FRP.")
            )
        elif ring in self.ringed_at:
            self._refuse(
                row,
                "ring",
                _("la bague %(ring)s est déjà posée (B) à la ligne %(line)d.")
                % {"ring": row.ring, "line": self.ringed_at[ring]},
            )
        elif ring in self.known_ringed:
            first = self.known_ringed[ring]
            self._refuse(
                row,
                "ring",
                _("la bague %(ring)s a déjà été posée le %(date)s (%(species)s).")
                % {
                    "ring": row.ring,
                    "date": first["session__date"].strftime("%d/%m/%Y"),
                    "species": first["taxon__scientific_name"],
                },
            )
        else:
            self.ringed_at[ring] = row.line
            self._from_stock(row)

    def _from_stock(self, row: Row) -> None:
        series = self.ref.series_of(row.ring)
        size = row.fields.get("ring_size", "")
        if series is None or (size and series.size != size):
            self._refuse(
                row,
                "ring",
                _(
                    "la bague %(ring)s n'appartient à aucune série reçue%(size)s : "
                    "vérifiez le numéro ou enregistrez la série."
                )
                % {"ring": row.ring, "size": f" de taille {size}" if size else ""},
            )


def _capture_key(capture: dict) -> tuple:
    return (
        capture["session__station_id"],
        capture["session__programme_id"],
        capture["session__date"],
        capture["ring_scheme"],
        capture["ring_number"],
        capture["action"],
    )


def _known_captures(rings: set[str]) -> list[dict]:
    found = []
    rings = sorted(rings)
    for start in range(0, len(rings), KNOWN_BATCH):
        found.extend(
            Capture.objects.filter(ring_number__in=rings[start : start + KNOWN_BATCH])
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


def biometrics_warn(row: Row, result: CrbpoImportResult, header: Headers) -> None:
    """Wing or mass outside the species' usual range: a warning, the row is imported."""
    species = row.species
    for name, low, high, column, label, unit in (
        ("wing_mm", species.wing_min, species.wing_max, "wing", _("aile"), "mm"),
        ("mass_g", species.mass_min, species.mass_max, "mass", _("masse"), "g"),
    ):
        value = row.fields.get(name)
        if value is None or low is None or high is None:
            continue
        if not Decimal(low) <= value <= Decimal(high):
            result.warn(
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
