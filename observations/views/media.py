"""The photos and sounds of observations, served only to readers who place the record, and
the reading of a photo's date and position to propose them on the entry form."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpie_naturaliste.core.media import exif_read
from observations.media import media_visible_to
from referentiel.permissions import can_enter


def _send(request: HttpRequest, uuid, field: str) -> FileResponse:
    # A record read only blurred keeps its media: not found (observations.media).
    media = get_object_or_404(media_visible_to(request.user), uuid=uuid)
    file = getattr(media, field)
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = media.content_type if field == "file" else "image/jpeg"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


def media_file(request: HttpRequest, uuid) -> FileResponse:
    return _send(request, uuid, "file")


def media_thumbnail(request: HttpRequest, uuid) -> FileResponse:
    return _send(request, uuid, "thumbnail")


@login_required
@require_POST
def media_exif(request: HttpRequest) -> JsonResponse:
    """The date and GPS position in a photo's EXIF (``{"date", "time", "latitude",
    "longitude"}``, each null when absent), to propose on the form; nothing is stored."""
    if not can_enter(request.user):
        raise PermissionDenied
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"error": _("Aucun fichier reçu.")}, status=400)
    try:
        found = exif_read(upload)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    taken_at = found["taken_at"]
    return JsonResponse(
        {
            "date": taken_at.date().isoformat() if taken_at else None,
            "time": taken_at.strftime("%H:%M") if taken_at else None,
            "latitude": found["latitude"],
            "longitude": found["longitude"],
        }
    )
