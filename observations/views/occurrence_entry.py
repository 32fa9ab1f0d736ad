"""Entry, edit and deletion of one observation (``/observations/nouvelle/`` and
``/observations/<uuid>/modifier/`` or ``…/supprimer/``)."""

import uuid as uuid_lib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from observations.blurring import Reader, blur_instance
from observations.forms import OccurrenceForm
from observations.models import Occurrence, Source
from observations.permissions import (
    EDITABLE_SOURCES,
    PROTOCOL_NOTE,
    occurrence_can_edit,
)
from observations.services import (
    occurrence_create,
    occurrence_delete,
    occurrence_media_add,
    occurrence_update,
)
from referentiel.permissions import can_enter

SAVE_ANOTHER = "another"


def visible_occurrence(request: HttpRequest, uuid) -> Occurrence:
    """The record if the user may read it; 404 otherwise (its existence stays private)."""
    return get_object_or_404(
        Occurrence.objects.visible_to(request.user).select_related(
            "taxon", "dataset", "site", "programme", "determiner"
        ),
        uuid=uuid,
    )


def _editable_occurrence(request: HttpRequest, uuid) -> Occurrence:
    occurrence = visible_occurrence(request, uuid)
    if occurrence.source not in EDITABLE_SOURCES:
        raise PermissionDenied(
            PROTOCOL_NOTE % {"source": occurrence.get_source_display()}
        )
    if not Reader.for_user(request.user).sees_precisely(
        occurrence
    ) or not occurrence_can_edit(request.user, occurrence):
        raise PermissionDenied(_("Vous ne pouvez pas modifier cette observation."))
    return occurrence


def _place_of(request: HttpRequest) -> Occurrence | None:
    """The record whose place, date and observers start the next one (``?depuis=uuid``)."""
    try:
        previous = uuid_lib.UUID(request.GET.get("depuis", ""))
    except ValueError:
        return None
    previous = (
        Occurrence.objects.visible_to(request.user)
        .select_related("taxon")
        .filter(uuid=previous)
        .first()
    )
    if previous is None or blur_instance(previous, Reader.for_user(request.user)):
        return None  # a blurred place never seeds a new record
    return previous


def _render_form(request, form, **context) -> HttpResponse:
    return render(
        request,
        "observations/occurrence_form.html",
        {
            "form": form,
            "map_tiles": settings.LEAFLET_CONFIG.get("TILES", []),
            "no_dataset": not form.fields["dataset"].queryset.exists(),
            **context,
        },
    )


@login_required
def occurrence_create_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_enter(user):
        raise PermissionDenied(_("La saisie est réservée aux rôles de saisie."))
    place = _place_of(request)
    form = OccurrenceForm(
        request.POST or None, request.FILES or None, user=user, place=place
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                occurrence = occurrence_create(
                    user=user,
                    source=Source.SAISIE,
                    observers=form.cleaned_data["observers"],
                    **form.occurrence_fields(),
                )
                occurrence_media_add(
                    occurrence=occurrence, user=user, media=form.cleaned_data["media"]
                )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            detail = reverse("observations:occurrence_detail", args=[occurrence.uuid])
            if request.POST.get("action") == SAVE_ANOTHER:
                messages.success(
                    request,
                    format_html(
                        'Observation de <em>{}</em> enregistrée (<a href="{}">voir la '
                        "fiche</a>).",
                        occurrence.taxon.scientific_name,
                        detail,
                    ),
                )
                create = reverse("observations:occurrence_create")
                return redirect(f"{create}?depuis={occurrence.uuid}")
            messages.success(request, _("Observation enregistrée."))
            return redirect(detail)
    return _render_form(request, form, place=place, is_new=True)


@login_required
def occurrence_update_view(request: HttpRequest, uuid) -> HttpResponse:
    occurrence = _editable_occurrence(request, uuid)
    form = OccurrenceForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        occurrence=occurrence,
    )
    if request.method == "POST" and form.is_valid():
        was_validated = occurrence.validation_status != 0
        try:
            with transaction.atomic():
                # A fresh copy: the service sets the new values on the instance it
                # receives, and the page shows the stored record if they are refused.
                updated = occurrence_update(
                    occurrence=Occurrence.objects.get(pk=occurrence.pk),
                    user=request.user,
                    observers=form.cleaned_data["observers"],
                    **form.occurrence_fields(),
                )
                occurrence_media_add(
                    occurrence=updated,
                    user=request.user,
                    media=form.cleaned_data["media"],
                )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if was_validated and updated.validation_status == 0:
                messages.warning(
                    request,
                    _(
                        "Modification enregistrée. L'observation était validée : elle est "
                        "repassée « en attente de validation », sa validation précédente "
                        "reste dans l'historique."
                    ),
                )
            else:
                messages.success(request, _("Modification enregistrée."))
            return redirect("observations:occurrence_detail", uuid=occurrence.uuid)
    return _render_form(request, form, occurrence=occurrence, is_new=False)


@login_required
def occurrence_delete_view(request: HttpRequest, uuid) -> HttpResponse:
    occurrence = _editable_occurrence(request, uuid)
    if request.method == "POST":
        occurrence_delete(occurrence=occurrence, user=request.user)
        messages.success(
            request,
            _("Observation de %(taxon)s du %(date)s supprimée.")
            % {
                "taxon": occurrence.taxon.scientific_name,
                "date": occurrence.date_start.strftime("%d/%m/%Y"),
            },
        )
        return redirect("observations:occurrence_list")
    return render(
        request,
        "observations/occurrence_confirm_delete.html",
        {"occurrence": occurrence},
    )
