"""SINP/RAIN export pages, for coordinators: past exports, a form that launches one in the
Celery worker, its progress, and the download of its file."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpie_naturaliste.core.jobs.services import job_enqueue
from cpie_naturaliste.core.jobs.status import job_page_context, job_status_response
from observations.exports.sinp import (
    YEAR_MIN,
    SinpExportRefused,
    sinp_export_create,
    sinp_export_perimeter,
    sinp_exports_visible_to,
    user_can_export_sinp,
)
from observations.models import SinpExport
from observations.tasks import sinp_export_run

EXPORTS_PER_PAGE = 20


class SinpExportForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("Année des observations"),
        error_messages={
            "required": gettext_lazy("Indiquez l'année à exporter."),
            "invalid": gettext_lazy(
                "Année invalide : indiquez une année sur quatre chiffres, par exemple 2020."
            ),
        },
    )
    pole = forms.ChoiceField(
        label=gettext_lazy("Pôle régional"),
        choices=SinpExport.Pole.choices,
        error_messages={"required": gettext_lazy("Choisissez le pôle faune ou flore.")},
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Contenu"),
        choices=[
            (
                SinpExport.Mode.COMPLETE,
                gettext_lazy("Complet : toutes les observations validées de l'année"),
            ),
            (
                SinpExport.Mode.INCREMENTAL,
                gettext_lazy(
                    "Incrémental : ce qui a changé depuis le dernier export, et les "
                    "suppressions"
                ),
            ),
        ],
        initial=SinpExport.Mode.COMPLETE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        last = timezone.localdate().year
        self.fields["year"].initial = last - 1
        self.fields["year"].widget.attrs.update({"min": YEAR_MIN, "max": last})


def _check_role(request: HttpRequest) -> None:
    if not user_can_export_sinp(request.user):
        raise PermissionDenied(_("Les exports SINP sont réservés aux coordinateurs."))


def _export(request: HttpRequest, uuid) -> SinpExport:
    _check_role(request)
    return get_object_or_404(sinp_exports_visible_to(request.user), uuid=uuid)


@login_required
def sinp_export_list(request: HttpRequest) -> HttpResponse:
    _check_role(request)
    user = request.user
    form = SinpExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            export = sinp_export_create(
                year=data["year"],
                pole=data["pole"],
                incremental=data["mode"] == SinpExport.Mode.INCREMENTAL,
                user=user,
            )
        except SinpExportRefused as refusal:
            form.add_error("year", str(refusal))
        else:
            job_enqueue(sinp_export_run, export)
            messages.success(
                request,
                _("Export lancé : le fichier sera prêt dans quelques instants."),
            )
            return redirect("observations:sinp_export_detail", uuid=export.uuid)
    page = Paginator(sinp_exports_visible_to(user), EXPORTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    perimeter = sinp_export_perimeter(user)
    return render(
        request,
        "observations/sinp_export_list.html",
        {"form": form, "page": page, "perimeter": perimeter},
        status=400 if form.is_bound else 200,
    )


@login_required
def sinp_export_detail(request: HttpRequest, uuid) -> HttpResponse:
    export = _export(request, uuid)
    return render(
        request,
        "observations/sinp_export_detail.html",
        {
            "export": export,
            "running": export.is_running,
            **job_page_context(
                export, reverse("observations:sinp_export_status", args=[export.uuid])
            ),
        },
    )


@login_required
def sinp_export_status(request: HttpRequest, uuid) -> JsonResponse:
    return job_status_response(_export(request, uuid))


@login_required
def sinp_export_download(request: HttpRequest, uuid) -> FileResponse:
    export = _export(request, uuid)
    if export.status != SinpExport.Status.DONE or not export.file:
        raise Http404(_("Le fichier de cet export n'est pas disponible."))
    try:
        handle = export.file.open("rb")
    except FileNotFoundError:
        raise Http404(
            _("Le fichier de cet export n'est plus sur le serveur.")
        ) from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=export.filename,
        content_type="application/zip",
    )
