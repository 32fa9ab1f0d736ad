"""Outreach actions for the staff: list, record, edit, delete; training sessions, named
participants and documents on the action page."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpie_naturaliste.core.filters import page_year
from cpie_naturaliste.core.pagination import CappedPage
from referentiel.permissions import can_read_network
from sensibilisation.forms import ActionForm, ParticipantsForm, TrainingSessionForm
from sensibilisation.models import Action, ActionDocument
from sensibilisation.permissions import (
    action_can_create,
    action_can_edit,
    actions_visible_to,
    sites_shown_to,
)
from sensibilisation.protection import plain_text
from sensibilisation.selectors import actions_with_reach
from sensibilisation.services import (
    action_save,
    participants_set,
    person_for_name,
    training_session_add,
)

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
DOCUMENT_MAGIC = {
    b"%PDF-": "pdf",
    b"\xff\xd8\xff": "jpeg",
    b"\x89PNG\r\n\x1a\n": "png",
}


@login_required
def action_list(request: HttpRequest) -> HttpResponse:
    if not can_read_network(request.user):
        raise PermissionDenied
    actions = actions_with_reach(
        actions_visible_to(request.user).select_related("site", "commune")
    )
    year = page_year(request.GET)
    if year.isdigit():
        actions = actions.filter(date_start__year=int(year))
    kind = request.GET.get("type", "")
    if kind in Action.Kind.values:
        actions = actions.filter(kind=kind)
    page = CappedPage(actions, request.GET.get("page"), per_page=50)
    shown_sites = set(
        sites_shown_to(request.user)
        .filter(pk__in=[a.site_id for a in page.object_list if a.site_id])
        .values_list("pk", flat=True)
    )
    for action in page.object_list:
        action.shown_place = (
            action.site if action.site_id in shown_sites else action.commune
        )
    return render(
        request,
        "sensibilisation/action_list.html",
        {
            "page": page,
            "year": year,
            "kind": kind,
            "kinds": Action.Kind.choices,
            "can_create": action_can_create(request.user),
        },
    )


def _editable(request, pk: int) -> Action:
    """An action the user may change: 404 when they do not even read it, 403 when they
    read it only (sensibilisation.permissions.action_can_edit)."""
    action = get_object_or_404(actions_visible_to(request.user), pk=pk)
    if not action_can_edit(request.user, action):
        raise PermissionDenied
    return action


@login_required
def action_create(request: HttpRequest) -> HttpResponse:
    if not action_can_create(request.user):
        raise PermissionDenied
    form = ActionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        action = form.save(commit=False)
        action.organisation_id = request.user.organisation_id
        try:
            action_save(
                action=action,
                user=request.user,
                partners=form.cleaned_data["partners"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Action enregistrée."))
            return redirect("sensibilisation:action_detail", pk=action.pk)
    return render(request, "sensibilisation/action_form.html", {"form": form})


@login_required
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    action = _editable(request, pk)
    form = ActionForm(request.POST or None, instance=action, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            action_save(
                action=form.save(commit=False),
                user=request.user,
                partners=form.cleaned_data["partners"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Action modifiée."))
            return redirect("sensibilisation:action_detail", pk=action.pk)
    return render(
        request, "sensibilisation/action_form.html", {"form": form, "action": action}
    )


def _shown_place(action: Action, user):
    """The action's site, unless it is a place ``user`` may not be shown (a non-public
    site holding a record they may not place: observations.policy); then its commune."""
    if action.site_id and sites_shown_to(user).filter(pk=action.site_id).exists():
        return action.site
    return action.commune


def _place_geojson(place) -> dict | None:
    """The action's site or commune in WGS84, for the map of its page."""
    if place is None:
        return None
    geom = place.geom.transform(settings.API_SRID, clone=True)
    return {
        "type": "Feature",
        "geometry": json.loads(geom.json),
        "properties": {"name": str(place)},
    }


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(
        actions_with_reach(actions_visible_to(request.user)).select_related(
            "site", "commune", "organisation"
        ),
        pk=pk,
    )
    place = _shown_place(action, request.user)
    return render(
        request,
        "sensibilisation/action_detail.html",
        {
            "action": action,
            "place": place,
            "participants": action.participants.select_related("person"),
            "sessions": action.sessions.all(),
            "documents": action.documents.all(),
            "can_edit": action_can_edit(request.user, action),
            "participants_form": ParticipantsForm(),
            "session_form": TrainingSessionForm(),
            "is_training": action.kind == Action.Kind.TRAINING,
            "place_geojson": _place_geojson(place),
            "map_tiles": settings.LEAFLET_CONFIG["TILES"],
        },
    )


@login_required
@require_POST
def action_delete(request: HttpRequest, pk: int) -> HttpResponse:
    action = _editable(request, pk)
    action.delete()
    messages.success(request, _("Action supprimée."))
    return redirect("sensibilisation:action_list")


@login_required
@require_POST
def action_participants(request: HttpRequest, pk: int) -> HttpResponse:
    action = _editable(request, pk)
    form = ParticipantsForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            people = [
                person_for_name(name=name, organisation=action.organisation)
                for name in form.cleaned_data["names"]
            ]
            named = participants_set(
                action=action,
                people=people,
                role=form.cleaned_data["role"],
                hours=form.cleaned_data["hours"],
            )
        messages.success(request, _("%(n)s personnes nommées.") % {"n": named})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("sensibilisation:action_detail", pk=action.pk)


@login_required
@require_POST
def action_session_add(request: HttpRequest, pk: int) -> HttpResponse:
    action = _editable(request, pk)
    form = TrainingSessionForm(request.POST)
    if form.is_valid():
        training_session_add(action=action, **form.cleaned_data)
        messages.success(request, _("Séance ajoutée."))
    else:
        messages.error(request, _("Séance non enregistrée : vérifiez la date."))
    return redirect("sensibilisation:action_detail", pk=action.pk)


@login_required
@require_POST
def action_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    action = _editable(request, pk)
    upload = request.FILES.get("file")
    try:
        title = plain_text(request.POST.get("title", ""), field_label=_("Titre"))[:200]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("sensibilisation:action_detail", pk=action.pk)
    if upload is None or upload.size > DOCUMENT_MAX_BYTES:
        messages.error(request, _("Joignez un fichier de 20 Mo au plus."))
        return redirect("sensibilisation:action_detail", pk=action.pk)
    head = upload.read(8)
    upload.seek(0)
    kind = next(
        (k for magic, k in DOCUMENT_MAGIC.items() if head.startswith(magic)), None
    )
    if kind is None:
        messages.error(request, _("Formats acceptés : PDF, JPEG ou PNG."))
        return redirect("sensibilisation:action_detail", pk=action.pk)
    ActionDocument.objects.create(
        action=action,
        kind=ActionDocument.Kind.DOCUMENT
        if kind == "pdf"
        else ActionDocument.Kind.PHOTO,
        title=title or upload.name[:200],
        file=upload,
        uploaded_by=request.user,
    )
    messages.success(request, _("Document ajouté."))
    return redirect("sensibilisation:action_detail", pk=action.pk)


@login_required
def action_document(request: HttpRequest, pk: int) -> FileResponse:
    document = get_object_or_404(
        ActionDocument.objects.filter(action__in=actions_visible_to(request.user)),
        pk=pk,
    )
    return FileResponse(document.file.open("rb"), as_attachment=True)
