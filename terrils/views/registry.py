"""The terril map and list (``/terrils/``) and a terril's sheet."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from terrils.models import Campaign, Score, Terril
from terrils.selectors import (
    ScoreReading,
    state_zero_comparison,
    terril_history,
    terril_species,
)
from terrils.services import version_resolve


@login_required
def terril_list(request):
    version = version_resolve(request.GET.get("version"))
    terrils = Terril.objects.prefetch_related("communes").select_related("manager")
    if version is not None:
        latest = Score.objects.filter(
            campaign__terril=OuterRef("pk"),
            campaign__kind=Campaign.Kind.EVALUATION,
            version=version,
        ).order_by("-campaign__year")
        terrils = terrils.annotate(
            last_score=Subquery(latest.values("total")[:1]),
            last_year=Subquery(latest.values("campaign__year")[:1]),
        )
    return render(
        request,
        "terrils/terril_list.html",
        {
            "terrils": terrils,
            "version": version,
            "map_tiles": settings.LEAFLET_CONFIG.get("TILES", []),
        },
    )


@require_safe
@login_required
def terril_detail(request, number: str):
    terril = get_object_or_404(
        Terril.objects.select_related("owner", "manager", "site"), number=number
    )
    version = version_resolve(request.GET.get("version"))
    campaigns = list(terril.campaigns.order_by("-year"))
    scores = {}
    if version is not None:
        scores = {
            s.campaign_id: s
            for s in Score.objects.filter(version=version, campaign__terril=terril)
        }
    for campaign in campaigns:
        campaign.score = scores.get(campaign.pk)
    latest = next((c for c in campaigns if not c.is_state_zero), None)
    comparison = (
        state_zero_comparison(
            campaign=latest, version=version, reading=ScoreReading(request.user)
        )
        if latest and version
        else None
    )
    return render(
        request,
        "terrils/terril_detail.html",
        {
            "terril": terril,
            "version": version,
            "campaigns": campaigns,
            "species": terril_species(terril=terril, user=request.user),
            "history": terril_history(terril=terril, version=version)
            if version
            else [],
            "comparison": comparison,
            "map_tiles": settings.LEAFLET_CONFIG.get("TILES", []),
            "geom_json": terril.geom.transform(4326, clone=True).geojson,
        },
    )
