"""Template helpers of the roles (``{% load roles %}``): the user badge of the site layout
(templates/base.html) and the role predicates of ``referentiel.permissions`` for pages
that show a link only to the roles that may follow it. The menu is the project's
(``cpie_naturaliste.navigation``)."""

from django import template

from referentiel import permissions
from referentiel.models import Role

register = template.Library()

register.filter("can_enter", permissions.can_enter)


@register.filter
def role_label(user) -> str:
    """The user's roles in French ("Coordinateur régional", "Saisie, Validateur")."""
    if not user.is_authenticated:
        return ""
    if user.is_superuser:
        return "Administrateur"
    labels = []
    for role in Role:
        if role.value in user.roles:
            label = str(role.label)
            if role == Role.COORDINATEUR and user.is_regional:
                label = f"{label} régional"
            labels.append(label)
    return ", ".join(labels)
