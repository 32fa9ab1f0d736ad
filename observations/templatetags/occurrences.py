"""Template filters of the observation pages."""

from django import template

register = template.Library()


@register.filter
def first_name(vernacular: str) -> str:
    """The first of TAXREF's comma-separated French names ("Niverolle alpine, …")."""
    return (vernacular or "").split(",")[0].strip()
