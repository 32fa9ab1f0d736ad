"""SINP code lists for occurrence fields, read from the nomenclature table."""

import time
from collections.abc import Callable

from cpie_naturaliste.core.tabular.cells import header_key
from referentiel.models import Nomenclature

_CACHE: dict[tuple[str, bool], tuple[float, dict[str, str]]] = {}
_TTL = 60.0  # seconds: an admin edit of a code list is picked up within a minute


def _values(mnemonic: str, *, active_only: bool) -> dict[str, str]:
    now = time.monotonic()
    cached = _CACHE.get((mnemonic, active_only))
    if cached and now - cached[0] < _TTL:
        return cached[1]
    values = Nomenclature.objects.filter(type__mnemonic=mnemonic)
    if active_only:
        values = values.filter(is_active=True)
    labels = dict(values.order_by("position", "code").values_list("code", "label"))
    _CACHE[(mnemonic, active_only)] = (now, labels)
    return labels


def nomenclatures_forget() -> None:
    """Read the code lists again at their next use (after an update of the table in this
    process; the tests, whose database is emptied and restored between transactional
    tests, call it before each test)."""
    _CACHE.clear()


def nomenclature_labels(mnemonic: str) -> dict[str, str]:
    """``{code: French label}`` of the active values of a nomenclature type, in display
    order: what may be entered or imported."""
    return _values(mnemonic, active_only=True)


def nomenclature_names(mnemonic: str) -> dict[str, str]:
    """``{code: French label}`` of every value, withdrawn ones included: what a stored
    code is shown as."""
    return _values(mnemonic, active_only=False)


def nomenclature_choices(mnemonic: str) -> list[tuple[str, str]]:
    return [(code, f"{label}") for code, label in nomenclature_labels(mnemonic).items()]


def nomenclature_reader(
    mnemonic: str, *, aliases: dict[str, str] | None = None
) -> Callable[[object], str | None]:
    """The function giving the code a file's cell means, or None: a code or a label of an
    active value, case, accents, spaces and punctuation ignored ("Présent", "present",
    "Pr"; "Examen visuel de l'individu en main", "21"). A code wins over a label, a label
    over an alias of ``aliases`` (``{word: code}``)."""
    labels = nomenclature_labels(mnemonic)
    lookup = {code: code for code in labels}
    for code in labels:
        lookup.setdefault(header_key(code), code)
    for code, label in labels.items():
        lookup.setdefault(header_key(label), code)
    for word, code in (aliases or {}).items():  # another vocabulary (Darwin Core…)
        if code in labels:
            lookup.setdefault(header_key(word), code)

    def read(value) -> str | None:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # an XLSX number: code 2, not "2.0"
        text = str(value).strip()
        return lookup.get(text) or lookup.get(header_key(text))

    return read
