"""CRBPO import pages (``/baguage/import/``): upload a season file, which the worker imports
(``baguage.imports.jobs``); follow it on its page, then see the error table (line, column,
reason) or what was created; download the empty template."""

import csv

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from baguage.imports import crbpo_headers
from baguage.imports.jobs import ringing_import_create
from baguage.models import RingingImport
from baguage.selectors import ringing_imports_visible_to
from cpie_naturaliste.core.jobs.status import job_page_context, job_status_response
from cpie_naturaliste.core.tabular.files import import_max_bytes, size_refusal
from observations.views.imports import SizeLimitedUploadHandler
from referentiel.models import Dataset
from referentiel.permissions import can_enter, writable_datasets

RECENT_IMPORTS = 10


class CrbpoImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier du masque de saisie CRBPO"),
        help_text=gettext_lazy(
            "CSV (séparateur ; ou , en UTF-8 ou Windows-1252) ou classeur XLSX (première "
            "feuille), première ligne = noms des colonnes du masque CRBPO."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    dataset = forms.ModelChoiceField(
        queryset=Dataset.objects.none(),
        to_field_name="uuid",
        label=gettext_lazy("Jeu de données des observations publiées"),
        empty_label=None,
    )
    dry_run = forms.BooleanField(
        required=False,
        label=gettext_lazy("Essai à blanc : tout vérifier sans rien enregistrer"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = writable_datasets(user).order_by("title")


def _check_can_import(request: HttpRequest) -> None:
    if not can_enter(request.user):
        raise PermissionDenied(
            _("L'import CRBPO est réservé aux personnes qui saisissent des données.")
        )


@login_required
@csrf_exempt  # the upload handler must be set before the CSRF check reads the body
def crbpo_import_page(request: HttpRequest) -> HttpResponse:
    _check_can_import(request)
    request.upload_handlers.insert(0, SizeLimitedUploadHandler(request))
    return _crbpo_import_page(request)


@csrf_protect
def _crbpo_import_page(request: HttpRequest) -> HttpResponse:
    form = CrbpoImportForm(
        request.POST or None, request.FILES or None, user=request.user
    )
    too_large = getattr(request, "upload_too_large", None)
    if request.method == "POST" and too_large:
        form.is_valid()
        form.errors["file"] = form.error_class([size_refusal(too_large).message])
    elif request.method == "POST" and form.is_valid():
        job = ringing_import_create(
            user=request.user,
            dataset=form.cleaned_data["dataset"],
            file=form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
        )
        return redirect("baguage:import_detail", uuid=job.uuid)
    return render(
        request,
        "baguage/import.html",
        {
            "form": form,
            "imports": ringing_imports_visible_to(request.user)[:RECENT_IMPORTS],
            "max_mb": import_max_bytes() // 2**20,
        },
    )


def _job(request: HttpRequest, uuid) -> RingingImport:
    _check_can_import(request)
    return get_object_or_404(ringing_imports_visible_to(request.user), uuid=uuid)


@login_required
def crbpo_import_detail(request: HttpRequest, uuid) -> HttpResponse:
    """The import's progress while the worker runs it, then its result."""
    job = _job(request, uuid)
    status_url = reverse("baguage:import_status", args=[job.uuid])
    return render(
        request,
        "baguage/import_detail.html",
        {
            "job": job,
            "errors_hidden": job.errors_total - len(job.errors),
            **job_page_context(job, status_url),
        },
    )


@login_required
def crbpo_import_status(request: HttpRequest, uuid) -> JsonResponse:
    return job_status_response(_job(request, uuid))


@login_required
def crbpo_import_template(request: HttpRequest) -> HttpResponse:
    """Empty CSV with the CRBPO template's header: the file to fill in."""
    _check_can_import(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="modele-import-crbpo.csv"'
    response.write("\ufeff")  # BOM: Excel then reads UTF-8
    csv.writer(response, delimiter=";").writerow(crbpo_headers())
    return response
