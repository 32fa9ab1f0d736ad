"""Wetland sites: the landing page with its map, the map layer and the printable site
sheet (species from the occurrences, POP sites, drift fences, works, water levels).

Only the sites, ponds, fences and newts the user may see are shown
(``zones_humides.selectors``); the species list counts the records the user places and
says how many others it does not detail."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from cpie_naturaliste.core.geo import to_api_transform
from referentiel.permissions import can_enter
from zones_humides.forms import WaterLevelForm
from zones_humides.models import WetlandProfile
from zones_humides.permissions import authored_writable
from zones_humides.selectors.fences import fences_visible_to
from zones_humides.selectors.newts import captures_visible_to
from zones_humides.selectors.pop import passages_visible_to, ponds_visible_to
from zones_humides.selectors.reading import sites_visible_to
from zones_humides.selectors.sites import (
    site_hidden_records,
    site_species,
    wetland_sites,
)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    sites = (
        wetland_sites(request.user)
        .select_related("wetland_profile", "manager")
        .prefetch_related(
            "communes",
            Prefetch("drift_fences", queryset=fences_visible_to(request.user)),
        )
        .order_by("name")
    )
    latest = (
        passages_visible_to(request.user)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return render(
        request,
        "zones_humides/index.html",
        {
            "sites": sites,
            "latest_pop_year": latest,
            "map_tiles": settings.LEAFLET_CONFIG.get("TILES", []),
        },
    )


@login_required
def sites_geojson(request: HttpRequest) -> JsonResponse:
    """The wetland sites as a GeoJSON layer (WGS84) for the landing page's map."""
    transform = to_api_transform()
    features = []
    for site in wetland_sites(request.user).select_related("wetland_profile"):
        profile = getattr(site, "wetland_profile", None)
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(site.geom.transform(transform, clone=True).json),
                "properties": {
                    "name": site.name,
                    "type": profile.get_wetland_type_display()
                    if profile
                    else site.get_kind_display(),
                    "url": reverse("zones_humides:site_sheet", args=[site.pk]),
                },
            }
        )
    return JsonResponse({"type": "FeatureCollection", "features": features})


@login_required
def site_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    site = get_object_or_404(
        wetland_sites(user).select_related("manager", "parent"), pk=pk
    )
    operations = site.management_operations.select_related(
        "beneficiary"
    ).prefetch_related("photos")
    profile = WetlandProfile.objects.filter(site=site).select_related("owner").first()
    levels = list(site.water_levels.order_by("date"))
    last_gauge = levels[-1].gauge if levels else ""
    transform = to_api_transform()
    return render(
        request,
        "zones_humides/site_sheet.html",
        {
            "site": site,
            "profile": profile,
            "species": site_species(site=site, user=user),
            "hidden_records": site_hidden_records(site=site, user=user),
            "operations": operations,
            "writable_operations": set(
                authored_writable(operations, user).values_list("pk", flat=True)
            ),
            "photos": site.wetland_photos.all(),
            "pop_sites": ponds_visible_to(user)
            .filter(site=site)
            .select_related("aire"),
            "fences": fences_visible_to(user).filter(site=site),
            "children": sites_visible_to(user).filter(parent=site),
            "levels": levels,
            "levels_chart": {
                "labels": [r.date.isoformat() for r in levels],
                "data": [float(r.level_cm) for r in levels],
            },
            "geometry": json.loads(site.geom.transform(transform, clone=True).json),
            "map_tiles": settings.LEAFLET_CONFIG.get("TILES", []),
            "can_enter": can_enter(user),
            "level_form": WaterLevelForm(
                initial={"date": timezone.localdate(), "gauge": last_gauge}
            ),
            "newt_count": captures_visible_to(user)
            .filter(site=site, individual__isnull=False)
            .values("individual")
            .distinct()
            .count(),
        },
    )
