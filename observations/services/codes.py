"""SINP code lists for occurrence fields, read from the nomenclature table."""

import time

from referentiel.models import Nomenclature

_CACHE: dict[str, tuple[float, dict[str, str]]] = {}
_TTL = 60.0  # seconds: an admin edit of a code list is picked up within a minute


def nomenclature_labels(mnemonic: str) -> dict[str, str]:
    """``{code: French label}`` of the active values of a nomenclature type, in display order."""
    now = time.monotonic()
    cached = _CACHE.get(mnemonic)
    if cached and now - cached[0] < _TTL:
        return cached[1]
    labels = dict(
        Nomenclature.objects.of_type(mnemonic)
        .order_by("position")
        .values_list("code", "label")
    )
    _CACHE[mnemonic] = (now, labels)
    return labels


def nomenclature_choices(mnemonic: str) -> list[tuple[str, str]]:
    return [(code, f"{label}") for code, label in nomenclature_labels(mnemonic).items()]
