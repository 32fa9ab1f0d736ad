"""Cell readers per target field: codes, texts with their length limit, numbers, dates."""

import re
from collections.abc import Callable

from django.utils.translation import gettext as _

from cpie_naturaliste.core.tabular import cells
from cpie_naturaliste.core.tabular.cells import CellError, header_key
from observations.exports.dwca import LIFE_STAGES, SEXES
from observations.models import Occurrence
from observations.services import nomenclature_labels, nomenclature_reader

from .columns import Target

MAX_TEXT = 10000  # the comment, a TextField
MEMO_SIZE = 4096  # cells remembered per column (see ``_memo``)
# Kinds of column whose cells repeat (codes, dates, times, counts, taxa) and whose
# reading depends on the cell alone.
MEMO_KINDS = frozenset({"taxon", "count", "int", "date", "time", "code", "jdd"})
_INPN_TAXON = re.compile(r"inpn\.mnhn\.fr/espece/cd_nom/(\d+)/?$")
_INTERVAL = re.compile(r"^[\dT:+.Z-]{5,}/[\dT:+.Z-]{5,}$")
# Darwin Core vocabulary → SINP code: what our DwC-A writes (observations.exports.dwca),
# read back.
DWC_VOCABULARY = {
    "SEXE": {value: code for code, value in SEXES.items()},
    "STADE_VIE": {value: code for code, value in LIFE_STAGES.items()},
    "STATUT_OBS": {"present": "Pr", "absent": "No"},
}


def _max_length(field: str) -> int:
    return Occurrence._meta.get_field(field).max_length or MAX_TEXT


def _code_parser(mnemonic: str):
    read = nomenclature_reader(mnemonic, aliases=DWC_VOCABULARY.get(mnemonic, {}))
    labels = nomenclature_labels(mnemonic)
    shown = ", ".join(list(labels)[:12]) + ("…" if len(labels) > 12 else "")

    def parse(value) -> str:
        code = read(value)
        if code is None:
            raise CellError(
                _(
                    "valeur « %(value)s » inconnue : ni un code ni un libellé de la "
                    "nomenclature %(type)s (codes possibles : %(codes)s)."
                )
                % {"value": cells.show_value(value), "type": mnemonic, "codes": shown}
            )
        return code

    return parse


def _text_parser(limit: int):
    def parse(value) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # an XLSX number in a text column: 12, not 12.0
        text = value if isinstance(value, str) else str(value)
        if len(text) > limit:
            raise CellError(
                _("texte trop long (%(length)d caractères, maximum %(max)d).")
                % {"length": len(text), "max": limit}
            )
        return text

    return parse


def _url(value) -> str:
    text = _text_parser(_max_length("proof_url"))(value)
    if not text.lower().startswith(("http://", "https://")):
        raise CellError(_("adresse web invalide « %s ».") % cells.show_value(text))
    return text


def _taxon_id(value) -> int:
    """A Darwin Core taxonID: TAXREF's own address of the name (``…/cd_nom/3676``), which
    our DwC-A writes. Any other taxonID (GBIF's, iNaturalist's) is no cd_nom: refused
    rather than read as one."""
    match = _INPN_TAXON.search(str(value).strip())
    if not match:
        raise CellError(
            _(
                "taxonID « %s » n'est pas un nom TAXREF "
                "(https://inpn.mnhn.fr/espece/cd_nom/…) : ajoutez une colonne cd_nom."
            )
            % cells.show_value(value)
        )
    return cells.parse_int(match.group(1), minimum=1)


def is_taxref_address(value) -> bool:
    return value is not None and bool(_INPN_TAXON.search(str(value).strip()))


def _taxon_id_or_name(value) -> int | None:
    """A taxonID beside a scientificName column: TAXREF's address gives the cd_nom; any
    other (GBIF's, iNaturalist's) gives None and the row's name is looked up instead."""
    match = _INPN_TAXON.search(str(value).strip())
    return cells.parse_int(match.group(1), minimum=1) if match else None


class OriginId(str):
    """An occurrenceID that is no UUID (an iNaturalist address, a GBIF publisher's id):
    the record's identifier at its source, kept as its source key."""


def _occurrence_id(value):
    try:
        return cells.parse_uuid(value)
    except CellError:
        text = _text_parser(190)(value).strip()
        return OriginId(text)


def _interval(parse, *, end: bool):
    """A Darwin Core ISO 8601 interval ("2020-05-12/2020-05-14", "07:30:00/08:00:00")
    gives its start or its end; any other value is read as it is."""

    def read(value):
        if isinstance(value, str) and _INTERVAL.match(value.strip()):
            value = value.strip().split("/")[1 if end else 0]
        return parse(value)

    return read


class _Refused:
    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


_UNSEEN = object()


def _memo(parse: Callable) -> Callable:
    """``parse`` remembering, for the first ``MEMO_SIZE`` distinct texts of its column,
    what it read or why it refused: a file of a million rows holds a few hundred codes,
    dates and counts. Texts only (CSV cells): 1, 1.0 and True are one key of a dict."""
    memo: dict[str, object] = {}

    def read(value):
        if value.__class__ is not str:
            return parse(value)
        found = memo.get(value, _UNSEEN)
        if found is _UNSEEN:
            try:
                found = parse(value)
            except CellError as error:
                found = _Refused(error.message)
            if len(memo) < MEMO_SIZE:
                memo[value] = found
        if found.__class__ is _Refused:
            raise CellError(found.message)
        return found

    return read


def cell_parser(
    target: Target, *, dataset_uuid: str, header: str = "", by_name: bool = False
) -> Callable:
    """The function reading one cell of ``target``'s column (raises ``CellError``).
    ``by_name``: the rows' scientificName resolves the taxa that the taxonID does not."""
    parse = _cell_parser(
        target, dataset_uuid=dataset_uuid, header=header, by_name=by_name
    )
    return _memo(parse) if target.kind in MEMO_KINDS else parse


def _cell_parser(
    target: Target, *, dataset_uuid: str, header: str, by_name: bool
) -> Callable:
    kind = target.kind
    if kind == "taxon":
        if header_key(header) == "scientificname":
            return lambda v: None  # resolved from the name by the row reader
        if header_key(header) == "taxonid":
            return _taxon_id_or_name if by_name else _taxon_id
        return lambda v: cells.parse_int(v, minimum=1)
    if kind == "count":
        return lambda v: cells.parse_int(v, minimum=0)
    if kind == "int":
        minimum = 0 if target.field == "precision_m" else None
        return lambda v: cells.parse_int(v, minimum=minimum)
    if kind == "date":
        return _interval(cells.parse_date, end=target.key == "dateFin")
    if kind == "time":
        return _interval(cells.parse_sheet_time, end=target.key == "heureFin")
    if kind == "uuid":
        if header_key(header) == "occurrenceid":
            return _occurrence_id
        return cells.parse_uuid
    if kind == "code":
        return _code_parser(target.mnemonic)
    if kind == "jdd":

        def check_dataset(value) -> None:
            if cells.parse_uuid(value) != dataset_uuid:
                raise CellError(
                    _("la ligne appartient au jeu de données %s, pas au jeu choisi.")
                    % cells.show_value(value)
                )

        return check_dataset
    if target.field == "proof_url":
        return _url
    limit = 190 if target.key == "idOrigine" else MAX_TEXT
    if target.field and target.field != "determiner":
        limit = _max_length(target.field)
    return _text_parser(limit if target.key != "determinateur" else 255)
