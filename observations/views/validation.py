"""The validation queue (``/observations/validation/``): records pending in the groups the
validator covers, filtered like the list, validated one by one or in bulk."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from observations.forms import BulkValidationForm
from observations.media import media_attach
from observations.models import Occurrence
from observations.services import occurrences_validate
from observations.views.occurrence_list import list_context
from referentiel.permissions import can_coordinate, can_validate

PENDING = 0


@login_required
def validation_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_validate(user):
        raise PermissionDenied(_("La validation est réservée aux validateurs."))
    pending = Occurrence.objects.validatable_by(user).filter(validation_status=PENDING)
    form = BulkValidationForm(request.POST or None, queryset=pending)
    if request.method == "POST" and form.is_valid():
        status = form.cleaned_data["status"]
        count = occurrences_validate(
            occurrences=form.cleaned_data["occurrences"],
            validator=user,
            status=status,
            comment=form.cleaned_data["comment"],
        )
        label = dict(Occurrence._meta.get_field("validation_status").choices)[status]
        messages.success(
            request,
            ngettext(
                "%(count)d observation validée : « %(status)s ».",
                "%(count)d observations validées : « %(status)s ».",
                count,
            )
            % {"count": count, "status": label},
        )
        query = request.GET.urlencode()
        queue = reverse("observations:validation_queue")
        return redirect(f"{queue}?{query}" if query else queue)
    context = list_context(request, pending)
    # Validators see the photos: the proof they ask for.
    media_attach(context["page"].object_list, user)
    # Coordinators validate everything they read; validators their taxon groups.
    groups = None
    if not can_coordinate(user):
        groups = list(user.validation_groups.all())
    return render(
        request,
        "observations/validation_queue.html",
        {
            **context,
            "bulk_form": form,
            "checked": set(request.POST.getlist("occurrences")),
            "validation_groups": groups,
        },
        status=400 if form.is_bound else 200,
    )
