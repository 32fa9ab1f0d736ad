"""Template filters of the observation pages."""

from django import template

from observations.display import area_label

register = template.Library()


@register.filter
def first_name(vernacular: str) -> str:
    """The first of TAXREF's comma-separated French names ("Niverolle alpine, …")."""
    return (vernacular or "").split(",")[0].strip()


@register.filter
def area(square_metres) -> str:
    """An area in m² as "27,3 ha" or "277,1 km² (27 709 ha)" (observations.display)."""
    if square_metres in (None, ""):
        return ""
    return area_label(float(square_metres))
