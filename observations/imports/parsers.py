"""Cell readers per target field: codes, texts with their length limit, numbers, dates."""

from collections.abc import Callable

from django.utils.translation import gettext as _

from cpie_naturaliste.core.tabular import cells
from cpie_naturaliste.core.tabular.cells import CellError
from observations.models import Occurrence
from observations.services import nomenclature_labels, nomenclature_reader

from .columns import Target

MAX_TEXT = 10000  # the comment, a TextField


def _max_length(field: str) -> int:
    return Occurrence._meta.get_field(field).max_length or MAX_TEXT


def _code_parser(mnemonic: str):
    read = nomenclature_reader(mnemonic)
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


def cell_parser(target: Target, *, dataset_uuid: str) -> Callable:
    """The function reading one cell of ``target``'s column (raises ``CellError``)."""
    kind = target.kind
    if kind == "taxon":
        return lambda v: cells.parse_int(v, minimum=1)
    if kind == "count":
        return lambda v: cells.parse_int(v, minimum=0)
    if kind == "int":
        minimum = 0 if target.field == "precision_m" else None
        return lambda v: cells.parse_int(v, minimum=minimum)
    if kind == "date":
        return cells.parse_date
    if kind == "time":
        return cells.parse_sheet_time
    if kind == "uuid":
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
