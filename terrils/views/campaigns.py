"""A campaign's page: score breakdown for a method version, records entry, habitats."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from observations.policy import hidden_records, placeable_records
from terrils.forms import CampaignRecordForm, HabitatForm
from terrils.models import Campaign, GroupCode, MethodVersion, PatrimonialHabitat
from terrils.permissions import campaign_can_enter, habitat_can_change
from terrils.selectors import (
    ScoreReading,
    score_detail,
    state_zero_comparison,
    visits_shown,
)
from terrils.services import (
    campaign_habitat_set,
    campaign_record_create,
    scores_recompute,
    version_resolve,
)


def _post(request, campaign, habitats):
    """Entries from the campaign page go into the campaign's dataset: a writing role of
    the organisation that produces it (terrils.permissions); anyone else gets a 403 and
    nothing changes."""
    if not campaign_can_enter(request.user, campaign):
        raise PermissionDenied
    if request.POST.get("action") == "habitat":
        form = HabitatForm(request.POST, habitats=habitats)
        if form.is_valid():
            habitat = form.habitats[form.cleaned_data["code"]]
            existing = campaign.habitats.filter(code=habitat.code).first()
            if existing is not None and not habitat_can_change(request.user, existing):
                raise PermissionDenied
            campaign_habitat_set(
                campaign=campaign,
                code=habitat.code,
                name=habitat.name,
                surface_m2=form.cleaned_data["surface_m2"],
            )
            scores_recompute(campaigns=[campaign])
            messages.success(request, "Habitat enregistré, notes recalculées.")
            return None, form
        return None, form
    form = CampaignRecordForm(request.POST, campaign=campaign)
    if form.is_valid():
        data = form.cleaned_data
        try:
            campaign_record_create(
                campaign=campaign,
                user=request.user,
                group=data["group"],
                taxon=data["species"],
                date=data["date"],
                count=data["count"],
                comment=data["comment"],
            )
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
            return form, None
        scores_recompute(campaigns=[campaign])
        messages.success(request, "Donnée enregistrée, notes recalculées.")
        return None, None
    return form, None


@login_required
def campaign_detail(request, pk: int):
    campaign = get_object_or_404(
        Campaign.objects.select_related("terril", "dataset"), pk=pk
    )
    version = version_resolve(request.GET.get("version"))
    habitats = (
        PatrimonialHabitat.objects.filter(
            group__version=version, group__code=GroupCode.HABITATS
        )
        if version
        else PatrimonialHabitat.objects.none()
    )
    record_form = habitat_form = None
    if request.method == "POST":
        record_form, habitat_form = _post(request, campaign, habitats)
        if record_form is None and habitat_form is None:
            return redirect(request.get_full_path())
        if habitat_form is not None and not habitat_form.errors:
            return redirect(request.get_full_path())
    reading = ScoreReading(request.user)
    score = score_detail(campaign=campaign, version=version) if version else None
    view = reading.view(score) if score else None
    comparison = (
        state_zero_comparison(campaign=campaign, version=version, reading=reading)
        if version
        else None
    )
    # Records, visits and habitats are rows of the campaign's dataset: shown only to its
    # readers, and a record only when its occurrence is placeable (observations.policy).
    readable = reading.campaign_readable(campaign)
    can_enter = campaign_can_enter(request.user, campaign)
    return render(
        request,
        "terrils/campaign_detail.html",
        {
            "campaign": campaign,
            "terril": campaign.terril,
            "version": version,
            "versions": MethodVersion.objects.all(),
            "score": score,
            "view": view,
            "line_groups": [
                (GroupCode(code).label, list(items))
                for code, items in groupby(
                    view.lines if view else [], key=lambda line: line.group
                )
            ],
            "comparison": comparison,
            "visits": visits_shown(campaign, request.user) if readable else [],
            "habitats_observed": campaign.habitats.all() if readable else [],
            "campaign_readable": readable,
            "record_count": placeable_records(
                campaign.records.all(), request.user
            ).count(),
            "records_not_shown": hidden_records(
                campaign.records.all(), request.user
            ).count(),
            "can_enter": can_enter,
            "record_form": record_form or CampaignRecordForm(campaign=campaign),
            "habitat_form": habitat_form or HabitatForm(habitats=habitats),
        },
    )
