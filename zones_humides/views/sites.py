"""Wetland sites: the landing page with its map, the map layer and the printable site
sheet (species from the occurrences, POP sites, drift fences, works, water levels)."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from cpie_naturaliste.core.geo import to_api_transform
from zones_humides.forms import WaterLevelForm
from zones_humides.models import PopPassage, WetlandProfile
from zones_humides.permissions import user_can_enter
from zones_humides.selectors.newts import captures_visible_to
from zones_humides.selectors.pop import aires_visible_to
from zones_humides.selectors.sites import site_species, wetland_sites


@login_required
def index(request: HttpRequest) -> HttpResponse:
    sites = (
        wetland_sites(request.user)
        .select_related("wetland_profile", "manager")
        .prefetch_related("communes", "drift_fences")
        .order_by("name")
    )
    latest = (
        PopPassage.objects.filter(pop_site__aire__in=aires_visible_to(request.user))
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
    site = get_object_or_404(
        wetland_sites(request.user).select_related("manager", "parent"), pk=pk
    )
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
            "species": site_species(site=site, user=request.user),
            "operations": site.management_operations.select_related(
                "beneficiary"
            ).prefetch_related("photos"),
            "photos": site.wetland_photos.all(),
            "pop_sites": site.pop_sites.filter(
                aire__in=aires_visible_to(request.user)
            ).select_related("aire"),
            "fences": site.drift_fences.all(),
            "children": site.children.all(),
            "levels": levels,
            "levels_chart": {
                "labels": [r.date.isoformat() for r in levels],
                "data": [float(r.level_cm) for r in levels],
            },
            "geometry": json.loads(site.geom.transform(transform, clone=True).json),
            "map_tiles": settings.LEAFLET_CONFIG.get("TILES", []),
            "can_enter": user_can_enter(request.user),
            "level_form": WaterLevelForm(
                initial={"date": timezone.localdate(), "gauge": last_gauge}
            ),
            "newt_count": captures_visible_to(request.user)
            .filter(site=site, individual__isnull=False)
            .values("individual")
            .distinct()
            .count(),
        },
    )
