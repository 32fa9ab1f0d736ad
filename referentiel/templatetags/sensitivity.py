"""The sensitivity levels' blurred areas in templates, from the one type that names them
(``referentiel.models.SensitivityLevel``): pages say « commune, maille 10 km ou
département » without writing the list again."""

from django import template

from referentiel.models import SensitivityLevel

register = template.Library()


@register.simple_tag
def blurred_areas() -> str:
    """« commune, maille 10 km ou département »."""
    return SensitivityLevel.areas_label()
