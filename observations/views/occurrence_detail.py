"""The page of one observation, with its history, and its validation from that page."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from observations.blurring import Reader, blur_instance
from observations.display import (
    change_history,
    occurrence_sections,
    validation_history,
)
from observations.forms import ValidationForm
from observations.forms.geometry import geometry_as_geojson
from observations.forms.media import MediaForm
from observations.models import Occurrence
from observations.permissions import (
    EDITABLE_SOURCES,
    PROTOCOL_NOTE,
    occurrence_can_add_media,
    occurrence_can_validate,
    occurrence_changes,
)
from observations.services import occurrence_media_add, occurrences_validate
from observations.views.occurrence_entry import visible_occurrence
from referentiel.models import SensitivityLevel


def safe_next(request: HttpRequest) -> str:
    """Where to go back to (the validation queue and its filters), if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return target
    return ""


def _render_detail(
    request: HttpRequest,
    occurrence: Occurrence,
    form=None,
    status=200,
    media_form=None,
) -> HttpResponse:
    user = request.user
    blurred = blur_instance(occurrence, Reader.for_user(user))
    can_validate = not blurred and occurrence_can_validate(user, occurrence)
    can_edit, can_add_media = (
        (False, False) if blurred else occurrence_changes(user, occurrence)
    )
    protocol_note = ""
    if occurrence.source not in EDITABLE_SOURCES:
        protocol_note = PROTOCOL_NOTE % {"source": occurrence.get_source_display()}
    return render(
        request,
        "observations/occurrence_detail.html",
        {
            "occurrence": occurrence,
            "sections": occurrence_sections(occurrence),
            # The history holds past places and comments: not for a blurred reader.
            "blurred": blurred,
            "blurred_scale": SensitivityLevel(occurrence.sensitivity_level).area_scale,
            "validations": [] if blurred else validation_history(occurrence),
            "history": [] if blurred else change_history(occurrence),
            "geometry": json.loads(geometry_as_geojson(occurrence.geom)),
            "map_tiles": settings.LEAFLET_CONFIG.get("TILES", []),
            "can_edit": can_edit,
            "protocol_note": protocol_note,
            "can_validate": can_validate,
            "validation_form": (form or ValidationForm()) if can_validate else None,
            "next": safe_next(request),
            # A photo shows the place: none for a blurred reader (media_visible_to).
            "media": [] if blurred else list(occurrence.media.all()),
            "media_form": ((media_form or MediaForm()) if can_add_media else None),
        },
        status=status,
    )


@require_safe
@login_required
def occurrence_detail(request: HttpRequest, uuid) -> HttpResponse:
    occurrence = visible_occurrence(request, uuid)
    return _render_detail(request, occurrence)


@login_required
@require_POST
def occurrence_validate(request: HttpRequest, uuid) -> HttpResponse:
    """One validation decision from the record's page (the queue does many at once)."""
    occurrence = visible_occurrence(request, uuid)
    if not occurrence_can_validate(request.user, occurrence):
        raise PermissionDenied(
            _("Cette observation n'est pas dans les groupes que vous validez.")
        )
    form = ValidationForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, occurrence, form=form, status=400)
    status = form.cleaned_data["status"]
    occurrences_validate(
        occurrences=[occurrence],
        validator=request.user,
        status=status,
        comment=form.cleaned_data["comment"],
    )
    label = dict(Occurrence._meta.get_field("validation_status").choices)[status]
    messages.success(
        request, _("Observation validée : « %(status)s ».") % {"status": label}
    )
    if target := safe_next(request):
        return redirect(target)
    return redirect("observations:occurrence_detail", uuid=occurrence.uuid)


@login_required
@require_POST
def occurrence_media_add_view(request: HttpRequest, uuid) -> HttpResponse:
    """Photos and sounds added from the record's page: any record its reader may change,
    one published by a protocol (a POP line, a drift-fence count) too."""
    occurrence = visible_occurrence(request, uuid)
    if blur_instance(
        occurrence, Reader.for_user(request.user)
    ) or not occurrence_can_add_media(request.user, occurrence):
        raise PermissionDenied(_("Vous ne pouvez pas modifier cette observation."))
    form = MediaForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            added = occurrence_media_add(
                occurrence=occurrence,
                user=request.user,
                media=form.cleaned_data["media"],
            )
        except ValidationError as error:
            form.add_error("media", error.message_dict["media"])
        else:
            messages.success(
                request, _("%(n)d fichier(s) ajouté(s).") % {"n": len(added)}
            )
            return redirect("observations:occurrence_detail", uuid=occurrence.uuid)
    return _render_detail(request, occurrence, media_form=form, status=400)
