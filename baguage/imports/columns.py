"""The columns of the CRBPO template ("masque de saisie"): their keys, the names a file may
give them, the ones it must have, and the header of the downloadable template.

Headers are matched with ``header_key`` (no accents, case, spaces, dashes or underscores), and
an error names a column by the file's own header, so the user finds the cell.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from cpie_naturaliste.core.tabular.cells import header_key
from cpie_naturaliste.core.tabular.errors import ImportRefused

PLACE_KEYS = ("station", "place", "locality")


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


def crbpo_headers() -> list[str]:
    return list(TEMPLATE_HEADERS)


def template_name(key: str) -> str:
    """The template's header of a column key."""
    return next((c.names[0] for c in COLUMNS if c.key == key), "")


def columns_find(headers: list[str]) -> dict[str, tuple[int, str]]:
    """``{column key: (index, header as written)}``; refuses a file missing a required one."""
    columns: dict[str, tuple[int, str]] = {}
    for index, header in enumerate(headers):
        key = _COLUMN_BY_NAME.get(header_key(header or ""))
        if key and key not in columns:
            columns[key] = (index, header)
    missing = [template_name(key) for key in REQUIRED if key not in columns]
    if not (set(PLACE_KEYS) & columns.keys()):
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


class Headers:
    """The file's own header of a column key (the template's name if the file lacks it)."""

    def __init__(self, columns: dict[str, tuple[int, str]]):
        self.columns = columns

    def of(self, key: str) -> str:
        if key in self.columns:
            return self.columns[key][1]
        return template_name(key)
