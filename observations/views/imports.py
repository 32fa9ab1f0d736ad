"""Import pages: upload, column mapping, batch report with live progress, undo, template."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from cpie_naturaliste.core.jobs.status import job_page_context, job_status_response
from cpie_naturaliste.core.tabular.errors import Mode
from cpie_naturaliste.core.tabular.files import size_refusal, table_open
from observations.imports import (
    ImportRefused,
    import_batch_can_undo,
    import_batch_create,
    import_batch_is_coordinated_by,
    import_batch_needs_mapping,
    import_batch_set_mapping,
    import_batch_undo,
    import_batch_validated_count,
    import_batches_visible_to,
    import_mapping_propose,
    import_max_bytes,
    template_headers,
)
from observations.imports.columns import FORMAT_LABELS
from observations.imports.forms import ImportMappingForm, ImportUploadForm
from observations.models import ImportBatch
from observations.tasks import import_batch_start
from referentiel.permissions import can_enter

BATCHES_PER_PAGE = 20
ERRORS_SHOWN = 200
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
REASON_COLUMN = "motif du refus"


class SizeLimitedUploadHandler(FileUploadHandler):
    """Stops reading an upload as soon as it exceeds IMPORT_MAX_BYTES (nothing is kept);
    the view then shows the refusal. The web server should cap the body too."""

    def handle_raw_input(
        self, input_data, META, content_length, boundary, encoding=None
    ):
        self.limit = import_max_bytes()
        self.received = 0
        self.body_length = content_length or 0
        # A body this large cannot hold an acceptable file: stop at its first chunk.
        self.too_large = bool(content_length and content_length > self.limit + 65536)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.too_large or self.received > self.limit:
            self.request.upload_too_large = max(self.received, self.body_length)
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def _check_can_import(request: HttpRequest) -> None:
    if not can_enter(request.user):
        raise PermissionDenied(_("L'import est réservé aux rôles de saisie."))


def _batch(request: HttpRequest, uuid) -> ImportBatch:
    _check_can_import(request)
    return get_object_or_404(import_batches_visible_to(request.user), uuid=uuid)


@login_required
@csrf_exempt  # the upload handler must be set before the CSRF check reads the body
def import_upload(request: HttpRequest) -> HttpResponse:
    _check_can_import(request)
    request.upload_handlers.insert(0, SizeLimitedUploadHandler(request))
    return _import_upload(request)


@csrf_protect
def _import_upload(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, user=request.user
    )
    too_large = getattr(request, "upload_too_large", None)
    if request.method == "POST" and too_large:
        form.is_valid()  # the other fields' errors, if any
        form.errors["file"] = form.error_class([size_refusal(too_large).message])
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = import_batch_create(
                user=user,
                dataset=data["dataset"],
                file=data["file"],
                filename=data["file"].name,
                dry_run=data["dry_run"],
                mode=data["mode"] or Mode.ALL_OR_NOTHING,
                mapping=data["mapping"].mapping if data["mapping"] else None,
            )
        except ImportRefused as refusal:
            form.add_error("file", refusal.as_text())
        else:
            if import_batch_needs_mapping(batch):
                return redirect("observations:import_mapping", uuid=batch.uuid)
            import_batch_start(batch=batch)
            return redirect("observations:import_detail", uuid=batch.uuid)
    page = Paginator(import_batches_visible_to(user), BATCHES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "observations/importbatch_form.html",
        {"form": form, "page": page, "max_mb": import_max_bytes() // 2**20},
    )


@login_required
def import_mapping(request: HttpRequest, uuid) -> HttpResponse:
    batch = _batch(request, uuid)
    if batch.created_by_id != request.user.pk:
        raise PermissionDenied(
            _("Seule la personne qui a déposé le fichier l'associe.")
        )
    if (
        not import_batch_needs_mapping(batch)
        or batch.status != ImportBatch.Status.PENDING
    ):
        return redirect("observations:import_detail", uuid=batch.uuid)
    headers = batch.mapping.get("headers", [])
    organisation = request.user.organisation
    proposed, note = import_mapping_propose(organisation=organisation, headers=headers)
    form = ImportMappingForm(request.POST or None, headers=headers, proposed=proposed)
    if request.method == "POST" and form.is_valid():
        try:
            import_batch_set_mapping(
                batch=batch,
                mapping=form.mapping(),
                organisation=organisation,
                save_as_default=form.cleaned_data["save_default"],
                name=form.cleaned_data["name"],
            )
        except ImportRefused as refusal:
            form.add_error(None, refusal.as_text())
        else:
            if form.cleaned_data["save_default"]:
                messages.success(
                    request,
                    _("Modèle enregistré comme modèle par défaut de votre organisme."),
                )
            import_batch_start(batch=batch)
            return redirect("observations:import_detail", uuid=batch.uuid)
    return render(
        request,
        "observations/importbatch_mapping.html",
        {"batch": batch, "form": form, "note": note},
    )


@login_required
def import_detail(request: HttpRequest, uuid) -> HttpResponse:
    batch = _batch(request, uuid)
    user = request.user
    can_undo = import_batch_can_undo(user, batch)
    return render(
        request,
        "observations/importbatch_detail.html",
        {
            "batch": batch,
            "running": batch.is_running and not import_batch_needs_mapping(batch),
            "errors": batch.errors[:ERRORS_SHOWN],
            "errors_hidden": max(len(batch.errors) - ERRORS_SHOWN, 0),
            "can_undo": can_undo,
            "validated": import_batch_validated_count(batch) if can_undo else 0,
            "can_force": can_undo and import_batch_is_coordinated_by(user, batch),
            "format_label": FORMAT_LABELS.get(batch.mapping.get("format", "")),
            **job_page_context(
                batch, reverse("observations:import_status", args=[batch.uuid])
            ),
        },
    )


@login_required
def import_status(request: HttpRequest, uuid) -> JsonResponse:
    return job_status_response(_batch(request, uuid))


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (ASVS 1.2.10)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@login_required
def import_errors_csv(request: HttpRequest, uuid) -> HttpResponse:
    batch = _batch(request, uuid)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="erreurs-import-{batch.uuid}.csv"'
    )
    response.write("\ufeff")  # BOM: Excel then reads UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow(["ligne", "colonne", "erreur"])
    for error in batch.errors:
        writer.writerow(
            [
                error.get("line") or "",
                _cell(error.get("column")),
                _cell(error["message"]),
            ]
        )
    return response


@login_required
def import_refused_csv(request: HttpRequest, uuid) -> HttpResponse:
    """The lines a valid-lines import left out, as the file had them, with a French
    column saying why: fix them and import this file again."""
    batch = _batch(request, uuid)
    if not batch.refused_lines or not batch.file:
        raise Http404(_("Cet import n'a laissé aucune ligne de côté."))
    try:
        table = table_open(path=batch.file.path, filename=batch.filename)
    except (ImportRefused, OSError) as error:
        raise Http404(_("Le fichier déposé n'est plus disponible.")) from error
    reasons: dict[int, list[str]] = {}
    for error in batch.errors:
        if error.get("line"):
            where = f"{error['column']} : " if error.get("column") else ""
            reasons.setdefault(error["line"], []).append(where + error["message"])
    wanted = set(batch.refused_lines)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stem = batch.filename.rsplit(".", 1)[0]
    response["Content-Disposition"] = (
        f'attachment; filename="lignes-refusees-{stem[:80]}.csv"'
    )
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    try:
        writer.writerow([_cell(h) for h in table.headers] + [REASON_COLUMN])
        width = len(table.headers)
        for line, cells in table.rows():
            if line not in wanted:
                continue
            values = [_value(cells[i]) if i < len(cells) else "" for i in range(width)]
            reason = " ; ".join(reasons.get(line, [])) or _(
                "erreur non détaillée (au-delà des erreurs listées)."
            )
            writer.writerow(values + [_cell(reason)])
    finally:
        table.close()
    return response


def _value(value) -> str:
    """A cell as the file had it (an XLSX date as AAAA-MM-JJ), made formula-safe."""
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    return _cell(value)


@login_required
@require_POST
def import_undo(request: HttpRequest, uuid) -> HttpResponse:
    batch = _batch(request, uuid)
    if not request.POST.get("confirm"):
        messages.error(
            request, _("Cochez la case de confirmation pour annuler l'import.")
        )
        return redirect("observations:import_detail", uuid=batch.uuid)
    try:
        deleted = import_batch_undo(
            batch=batch, user=request.user, force=bool(request.POST.get("force"))
        )
    except ImportRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("Import annulé : %(count)d observation(s) supprimée(s).")
            % {"count": deleted},
        )
    return redirect("observations:import_detail", uuid=batch.uuid)


@login_required
def import_template_csv(request: HttpRequest) -> HttpResponse:
    """Empty CSV with the SINP column names: the file to fill in."""
    _check_can_import(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="modele-import-sinp.csv"'
    response.write("\ufeff")
    csv.writer(response, delimiter=";").writerow(template_headers())
    return response
