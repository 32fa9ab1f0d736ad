"""Values of the entry form: a stored record as form data, a typed name as a taxon."""

from typing import Any

from django.conf import settings

from cpie_naturaliste.core.text import normalize_search
from observations.models import Occurrence
from referentiel.models import Taxon

from .fields import PLAIN_FIELDS
from .geometry import geometry_as_geojson


def taxon_label(taxon: Taxon) -> str:
    """The label the autocomplete shows: « Nom latin — nom français »."""
    vernacular = taxon.vernacular_name.split(",")[0].strip()
    if vernacular:
        return f"{taxon.scientific_name} — {vernacular}"
    return taxon.scientific_name


def record_initial(occurrence: Occurrence) -> dict[str, Any]:
    """The form's values for an existing record."""
    values: dict[str, Any] = {
        name: getattr(occurrence, name)
        for name in PLAIN_FIELDS
        if name not in ("dataset", "site", "programme", "determiner")
    }
    values.update(
        dataset=occurrence.dataset_id,
        site=occurrence.site_id,
        programme=occurrence.programme_id,
        determiner=occurrence.determiner_id,
        taxon=occurrence.taxon_id,
        taxon_search=taxon_label(occurrence.taxon),
        cited_name=occurrence.cited_name,
        observers=list(occurrence.observers.values_list("pk", flat=True)),
        geometry=geometry_as_geojson(occurrence.geom),
        date_end=(
            occurrence.date_end
            if occurrence.date_end != occurrence.date_start
            else None
        ),
    )
    if occurrence.geom.geom_type == "Point":
        point = occurrence.geom.transform(settings.API_SRID, clone=True)
        values.update(coord_x=f"{point.x:.6f}", coord_y=f"{point.y:.6f}")
    return values


def taxon_from_text(text: str) -> Taxon | None:
    """The taxon a typed name designates without ambiguity (entry without JavaScript)."""
    name = text.split(" — ")[0].strip()
    wanted = normalize_search(name)
    candidates = list(Taxon.objects.search(name)[:10])
    exact = [
        taxon
        for taxon in candidates
        if normalize_search(taxon.scientific_name) == wanted
        or wanted
        in (normalize_search(v) for v in taxon.vernacular_name.split(",") if v.strip())
    ]
    if len(exact) == 1:
        return exact[0]
    if len(candidates) == 1:
        return candidates[0]
    return None
