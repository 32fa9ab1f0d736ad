"""Volunteers and members (coordinators only): consent, trainings, work-day hours, and the
GDPR export and erasure of one person's data."""

import csv
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from referentiel.models import Person
from referentiel.permissions import can_coordinate
from sensibilisation.forms import VolunteerForm
from sensibilisation.models import Action, ActionParticipant, Volunteer
from sensibilisation.permissions import (
    organisation_write_q,
    volunteers_visible_to,
    volunteers_writable,
)
from sensibilisation.services import (
    person_erase,
    person_export,
    person_export_rows,
    volunteer_save,
)


def _coordinator(request):
    if not can_coordinate(request.user):
        raise PermissionDenied


@login_required
def volunteer_list(request: HttpRequest) -> HttpResponse:
    _coordinator(request)
    volunteers = (
        volunteers_visible_to(request.user)
        .select_related("person")
        .annotate(
            trainings=Count(
                "person__sensibilisation_participations",
                filter=Q(
                    person__sensibilisation_participations__action__kind=Action.Kind.TRAINING
                ),
            ),
            hours=Sum(
                "person__sensibilisation_participations__hours",
                filter=Q(
                    person__sensibilisation_participations__action__kind=Action.Kind.WORK_DAY
                ),
            ),
        )
    )
    return render(
        request, "sensibilisation/volunteer_list.html", {"volunteers": volunteers}
    )


def _save(request, form, volunteer):
    with transaction.atomic():
        person = volunteer.person if volunteer.pk else Person()
        for name, value in form.person_fields().items():
            setattr(person, name, value)
        person.organisation_id = person.organisation_id or request.user.organisation_id
        person.full_clean()
        person.save()
        volunteer = form.save(commit=False)
        volunteer.person = person
        volunteer.organisation_id = (
            volunteer.organisation_id or request.user.organisation_id
        )
        return volunteer_save(volunteer=volunteer)


@login_required
def volunteer_create(request: HttpRequest) -> HttpResponse:
    _coordinator(request)
    if (
        request.user.organisation_id is None
        or organisation_write_q(request.user) is None
    ):
        raise PermissionDenied
    form = VolunteerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        volunteer = _save(request, form, Volunteer())
        messages.success(request, _("Fiche enregistrée."))
        return redirect("sensibilisation:volunteer_detail", pk=volunteer.pk)
    return render(request, "sensibilisation/volunteer_form.html", {"form": form})


@login_required
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _coordinator(request)
    volunteer = get_object_or_404(
        volunteers_visible_to(request.user).select_related("person"), pk=pk
    )
    form = VolunteerForm(request.POST or None, instance=volunteer)
    if request.method == "POST":
        if not volunteers_writable(request.user).filter(pk=volunteer.pk).exists():
            raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        _save(request, form, volunteer)
        messages.success(request, _("Fiche modifiée."))
        return redirect("sensibilisation:volunteer_detail", pk=volunteer.pk)
    participations = ActionParticipant.objects.filter(
        person=volunteer.person
    ).select_related("action")
    return render(
        request,
        "sensibilisation/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "form": form,
            "participations": participations,
            "hours": participations.filter(action__kind=Action.Kind.WORK_DAY).aggregate(
                total=Sum("hours")
            )["total"],
        },
    )


@login_required
def volunteer_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    _coordinator(request)
    if fmt not in {"json", "csv"}:
        raise Http404
    volunteer = get_object_or_404(volunteers_visible_to(request.user), pk=pk)
    filename = f"donnees-personnelles-{volunteer.pk}"
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        for row in person_export_rows(
            person=volunteer.person,
            organisation=volunteer.organisation,
            user=request.user,
        ):
            # Formula injection: a text cell never starts with = + - @ in a spreadsheet.
            writer.writerow(
                [
                    f"'{c}" if c[:1] in {"=", "+", "-", "@", "\t", "\r"} else c
                    for c in row
                ]
            )
        return response
    response = HttpResponse(
        json.dumps(
            person_export(
                person=volunteer.person,
                organisation=volunteer.organisation,
                user=request.user,
            ),
            ensure_ascii=False,
            indent=2,
        ),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
    return response


@login_required
@require_POST
def volunteer_erase(request: HttpRequest, pk: int) -> HttpResponse:
    _coordinator(request)
    volunteer = get_object_or_404(volunteers_writable(request.user), pk=pk)
    person_erase(person=volunteer.person, organisation=volunteer.organisation)
    messages.success(
        request,
        _("Les données personnelles ont été effacées (participations anonymisées)."),
    )
    return redirect("sensibilisation:volunteer_list")
