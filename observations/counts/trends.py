"""TRIM trends of a count programme, computed on demand and cached until its data change."""

from django.core.cache import cache
from django.db import connection

from observations.models import CountProgramme
from observations.trends.trim import TrimError, trim_fit
from referentiel.models import Taxon

from .selectors import programme_taxa, programme_version, trend_input

CACHE_SECONDS = 7 * 24 * 3600


def species_trend(
    *, programme: CountProgramme, taxon: Taxon, version: str = ""
) -> dict:
    """TRIM model 3 with overdispersion (the usual setting for bat and waterbird counts) for
    one species: ``{"ok": True, ...result}`` or ``{"ok": False, "error": "..."}``."""
    version = version or programme_version(programme)
    key = f"trim:{connection.settings_dict['NAME']}:{programme.pk}:{taxon.pk}:{version}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    sites, years, counts = trend_input(programme=programme, taxon=taxon)
    try:
        if not any(counts):
            raise TrimError("Aucun effectif positif.")
        result = trim_fit(
            sites=sites, years=years, counts=counts, model=3, overdispersion=True
        )
        value = {"ok": True, **result.as_dict()}
    except TrimError as error:
        value = {"ok": False, "error": str(error)}
    value["taxon"] = {
        "cd_nom": taxon.pk,
        "scientific_name": taxon.scientific_name,
        "vernacular_name": taxon.vernacular_name,
    }
    cache.set(key, value, CACHE_SECONDS)
    return value


def programme_trends(*, programme: CountProgramme) -> list[dict]:
    """Every species of the programme with its trend (or why there is none)."""
    version = programme_version(programme)
    return [
        species_trend(programme=programme, taxon=taxon, version=version)
        for taxon in programme_taxa(programme)
    ]
