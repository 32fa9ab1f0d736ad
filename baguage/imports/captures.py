"""The capture cells of a CRBPO row (ACTION B, C or R): ring, species, time, age and sex,
biometrics, EURING condition and circumstances — each checked, each problem logged with its
line and column. Mixed into the row reader, whose cell access (``raw``, ``text``, ``parsed``,
``error``) it uses.
"""

import re
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baguage.models import FRANCE_SCHEME, FRENCH_AGES
from baguage.services import ring_normalise
from cpie_naturaliste.core.tabular.cells import (
    CellError,
    parse_bounded_int,
    parse_sheet_time,
    positive_decimal,
    show_value,
)

from .referential import FRENCH_RING

if TYPE_CHECKING:
    from .rows import Row

CAPTURE_ACTIONS = {"B", "C", "R"}
MIN_RING_CHARS = 7
SEXES = {"M": "M", "F": "F", "I": "U", "U": "U", "?": "U"}
_SCIENTIFIC = re.compile(r"^\s*\d+(?:[.,]\d*)?\s*[eE]\s*[+-]?\s*\d+\s*$")
_RING_OK = re.compile(r"^[A-Z0-9]+$")
BODY_CODES = (
    (
        "brood_patch",
        {"0", "1", "2", "3", "4", "5", "P"},
        gettext_lazy("plaque incubatrice « %s » invalide (0 à 5 ou P)."),
    ),
    (
        "moult",
        {"B", "J", "M", "P", "X", "U"},
        gettext_lazy("mue « %s » invalide (B, J, M, P, X ou U)."),
    ),
)


class CaptureCells:
    """The capture half of the row reader (see ``rows.RowReader``)."""

    def _capture(self, row: "Row", values) -> None:
        row.fields["action"] = row.action
        self._scheme(row, values)
        self._ring(row, values)
        self._species(row, values)
        self._time(row, values)
        self._age_sex(row, values)
        self._biometrics(row, values)
        self._condition(row, values)
        self._net_and_size(row, values)
        self._texts(row, values)

    def _scheme(self, row: "Row", values) -> None:
        scheme = self.text(values, "scheme").upper() or FRANCE_SCHEME
        if not re.fullmatch(r"[A-Z]{3}", scheme):
            self.error(
                row,
                "scheme",
                _("centre « %s » invalide : code EURING de 3 lettres (FRP pour Paris).")
                % show_value(scheme),
            )
        row.scheme = row.fields["ring_scheme"] = scheme

    def _species(self, row: "Row", values) -> None:
        code = self.text(values, "species").upper()
        if not code:
            self.error(row, "species", _("espèce manquante (code CRBPO, ex. ACCNIS)."))
            return
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
            return
        row.species = species
        row.fields["taxon"] = species.taxon

    def _time(self, row: "Row", values) -> None:
        if self.raw(values, "time") is None:
            self.error(row, "time", _("heure manquante."))
            return
        moment = self.parsed(row, values, "time", parse_sheet_time)
        if moment is not None:
            row.fields["time"] = moment

    def _net_and_size(self, row: "Row", values) -> None:
        net = self.parsed(row, values, "net", lambda v: parse_bounded_int(v, 0, 999))
        if net is not None:
            row.fields["net"] = net
        size = self.text(values, "size").upper()
        if size:
            if len(size) > 4:
                self.error(row, "size", _("taille de bague « %s » trop longue.") % size)
            row.fields["ring_size"] = size

    def _texts(self, row: "Row", values) -> None:
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
                row.fields[name] = text.upper() if limit == 1 else text

    def _ring(self, row: "Row", values) -> None:
        value = self.raw(values, "ring")
        if value is None:
            self.error(row, "ring", _("numéro de bague manquant."))
            return
        try:
            ring = ring_parse(value, scheme=row.scheme)
        except CellError as error:
            self.error(row, "ring", error.message)
            return
        row.ring = row.fields["ring_number"] = ring

    def _age_sex(self, row: "Row", values) -> None:
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

    def _biometrics(self, row: "Row", values) -> None:
        for key, name, limit in (
            ("wing", "wing_mm", 9999),
            ("third_primary", "third_primary_mm", 9999),
            ("tarsus", "tarsus_mm", 9999),
            ("bill", "bill_mm", 9999),
            ("mass", "mass_g", 999999),
        ):
            value = self.parsed(row, values, key, positive_decimal(limit))
            if value is not None:
                row.fields[name] = value
        for key, name, high in (("fat", "fat", 8), ("muscle", "muscle", 3)):
            value = self.parsed(
                row, values, key, lambda v, h=high: parse_bounded_int(v, 0, h)
            )
            if value is not None:
                row.fields[name] = value
        self._body_codes(row, values)

    def _body_codes(self, row: "Row", values) -> None:
        """Brood patch and moult: one code each, kept (first letter) even when refused."""
        for key, codes, message in BODY_CODES:
            code = self.text(values, key).upper()
            if not code:
                continue
            if code not in codes:
                self.error(row, key, str(message) % show_value(code))
            row.fields[key] = code[:1]

    def _condition(self, row: "Row", values) -> None:
        dead = row.action == "R"
        condition, circumstances = self._cond_circ(row, values)
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

    def _cond_circ(self, row: "Row", values) -> tuple[str, str]:
        """COND REPR and CIRC REPR, or both in one COND/CIRC REPR cell (8/20, 820)."""
        condition = self.text(values, "condition")
        circumstances = self.text(values, "circumstances")
        both = self.text(values, "cond_circ")
        if not both or condition or circumstances:
            return condition, circumstances
        parts = [p for p in re.split(r"[\s/\-]+", both) if p]
        if len(parts) == 2:
            return parts[0], parts[1]
        if len(both) == 3 and both.isdigit():
            return both[0], both[1:]
        self.error(
            row,
            "cond_circ",
            _("« %s » : attendu condition/circonstances, ex. 8/20.") % show_value(both),
        )
        return "", ""


def ring_parse(value, *, scheme: str) -> str:
    """The normalised ring number of a BAGUE cell, refusing what a spreadsheet damaged
    (a decimal or scientific-notation number, leading zeros lost)."""
    text = _ring_text(value)
    ring = ring_normalise(text)
    if not _RING_OK.match(ring) or len(ring) > 12:
        raise CellError(
            _("numéro de bague « %s » invalide (lettres et chiffres seulement).")
            % show_value(text)
        )
    if scheme == FRANCE_SCHEME:
        _french_ring_check(ring, text)
    return ring


def _ring_text(value) -> str:
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(
                _(
                    "numéro de bague « %s » lu comme un nombre décimal : formatez la "
                    "colonne BAGUE en texte et ressaisissez le numéro."
                )
                % show_value(value)
            )
        value = int(value)
    text = str(value).strip()
    if _SCIENTIFIC.match(text):
        raise CellError(
            _(
                "numéro de bague « %s » en notation scientifique (Excel l'a converti "
                "en nombre et a perdu des chiffres) : formatez la colonne BAGUE en "
                "texte et ressaisissez le numéro complet."
            )
            % show_value(text)
        )
    return text


def _french_ring_check(ring: str, text: str) -> None:
    if not FRENCH_RING.match(ring):
        raise CellError(
            _(
                "numéro de bague « %s » invalide : une bague FRP s'écrit lettres "
                "puis chiffres (ex. 8123456 ou EA12345)."
            )
            % show_value(text)
        )
    if len(ring) < MIN_RING_CHARS:
        raise CellError(
            _(
                "numéro de bague « %(ring)s » trop court (%(n)d caractères, au "
                "moins %(min)d) : zéros de tête perdus par le tableur ?"
            )
            % {"ring": show_value(text), "n": len(ring), "min": MIN_RING_CHARS}
        )
