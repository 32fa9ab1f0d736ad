"""Pages of the referential: the home map of the sites, the accessibility statement."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from referentiel.models import Site

# The list beside the map stays short; the map shows every visible site.
HOME_SITE_LIST_SIZE = 30


def home(request: HttpRequest) -> HttpResponse:
    """Map of the sites the visitor may see (public ones only when not logged in, a
    protected site only to the organisations that manage or survey it)."""
    sites = Site.objects.visible_to(request.user)
    return render(
        request,
        "referentiel/home.html",
        {
            "site_count": sites.count(),
            "sites": sites.select_related("parent").prefetch_related("communes")[
                :HOME_SITE_LIST_SIZE
            ],
            "map_tiles": settings.LEAFLET_CONFIG.get("TILES", []),
            "site_kinds": dict(Site.Kind.choices),
        },
    )


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (RGAA's "déclaration d'accessibilité"), public, linked
    from the footer of every page. Its contact address comes from the settings."""
    return render(
        request,
        "referentiel/accessibility.html",
        {"contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL},
    )
