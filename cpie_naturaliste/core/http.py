"""Request guards and error pages shared by the whole site: JSON for the API, HTML elsewhere."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


class RejectNulMiddleware:
    """Refuse (400) a URL, query string or form-encoded body holding a NUL character.

    PostgreSQL text cannot hold NUL: a lookup by code or slug, a filter value or a field
    that carries one makes the query fail with a DataError (a 500). No form field,
    filter or identifier of the site ever needs one. JSON bodies are the serializers'
    (a field error naming the field: DRF's CharField, and core.serializers'
    SlugRelatedField); multipart bodies are left alone: their files are binary, and the
    import views choose their upload handlers before the body is read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return _nul_refused(
                request, _("Caractère nul (NUL) interdit dans l'adresse.")
            )
        if _body_has_nul(request):
            return _nul_refused(
                request, _("Caractère nul (NUL) interdit dans les données envoyées.")
            )
        return self.get_response(request)


def _body_has_nul(request) -> bool:
    """A NUL in a form-encoded body (raw, or ``%00``)."""
    if request.content_type != "application/x-www-form-urlencoded":
        return False
    try:
        body = request.body
    except Exception:  # too big, or already read: left to the view, which answers it
        return False
    return b"\x00" in body or b"%00" in body


def _nul_refused(request, message: str):
    if _is_api(request):
        return JsonResponse({"detail": message}, status=400)
    return HttpResponseBadRequest(message)


def page_not_found(request, exception):
    """``handler404``: API clients get JSON ({"detail": …}) even for a URL that matches no
    route (a malformed id), as for any other API error; pages get the HTML 404."""
    if _is_api(request):
        return JsonResponse({"detail": _("Introuvable.")}, status=404)
    return defaults.page_not_found(request, exception)


# Seconds a client should wait before asking again while the database does not answer.
RETRY_AFTER_SECONDS = 30
ERROR_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>{title}</h1><p>{message}</p></body></html>"""


def server_error(request):
    """``handler500``: a database that does not answer (a restart, a failover, a
    maintenance) is a 503 with Retry-After, which clients and proxies retry; any other
    error a 500. JSON for the API, a page of its own elsewhere (no template, no query:
    the error may be the database itself)."""
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        status = 503
        title = _("Service momentanément indisponible")
        message = _("La base de données ne répond pas : réessayez dans un instant.")
    else:
        status = 500
        title = _("Erreur interne du serveur")
        message = _("L'erreur a été enregistrée ; réessayez plus tard.")
    if _is_api(request):
        response = JsonResponse({"detail": f"{title}. {message}"}, status=status)
    else:
        response = HttpResponse(
            ERROR_PAGE.format(title=escape(title), message=escape(message)),
            status=status,
        )
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
