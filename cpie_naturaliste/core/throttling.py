"""Who is asking, and how often: one client address for every limit of the site, DRF's
request rates for the API, and the answer to a login locked out by django-axes.

Each concern has one mechanism, and every counter lives in the shared cache (Redis), so
that all web workers count the same requests:

- wrong passwords (login page, admin login, token endpoint): django-axes counts the
  failures per username and per client address and locks the login for a cool-off
  (``AXES_*`` settings); its answer is :func:`login_locked_out`, a 429 with Retry-After;
- request rates of the API: DRF throttles (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``):
  anonymous clients per address, signed-in ones per user, and the token endpoint per
  address and per username, whether the password is right or not (it is the door a
  script guessing passwords knocks on);
- the public campaign form: its own limit per address and per email address
  (``sensibilisation.protection``), which answers the form's page.
"""

import hashlib
from datetime import timedelta

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import exceptions, throttling
from rest_framework.settings import api_settings

from cpie_naturaliste.core.http import API_PREFIX


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind ``TRUSTED_PROXIES`` reverse proxies the
    address the outermost trusted proxy appended to X-Forwarded-For (never a value the
    client chose: anything it sent itself stands further left). Used by the DRF
    throttles, django-axes (``AXES_CLIENT_IP_CALLABLE``) and the campaign form alike."""
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def login_username(request, credentials) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the username as typed, case-folded, so that "Admin" and
    "admin" count as one target (the token throttle keys it the same way)."""
    if credentials:
        username = credentials.get("username")
    else:  # a form's or a DRF request's body (a JSON list has no username)
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        username = data.get("username") if hasattr(data, "get") else None
    return str(username).strip().casefold() if username else None


def wait_phrase(seconds: int) -> str:
    """ "réessayez dans N secondes / minutes / heures", for a French 429 message."""
    if seconds >= 2 * 3600:
        hours = -(-seconds // 3600)
        return ngettext(
            "réessayez dans %(n)d heure", "réessayez dans %(n)d heures", hours
        ) % {"n": hours}
    if seconds >= 120:
        minutes = -(-seconds // 60)
        return ngettext(
            "réessayez dans %(n)d minute", "réessayez dans %(n)d minutes", minutes
        ) % {"n": minutes}
    return ngettext(
        "réessayez dans %(n)d seconde", "réessayez dans %(n)d secondes", seconds
    ) % {"n": seconds}


def login_cool_off_seconds(request=None) -> int:
    cool_off = get_cool_off(request) or timedelta(0)
    return int(cool_off.total_seconds())


def locked_out_message(seconds: int) -> str:
    return _(
        "Trop de tentatives de connexion ont échoué pour cet identifiant ou depuis "
        "votre connexion : %(wait)s."
    ) % {"wait": wait_phrase(seconds)}


def login_locked_out(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the login locked for too many failures, as a 429 with
    Retry-After; a French page, JSON under /api/.

    Every refused attempt restarts the cool-off
    (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``), so the whole cool-off is what
    is left to wait after this answer."""
    seconds = login_cool_off_seconds(request)
    message = locked_out_message(seconds)
    if request.path.startswith(API_PREFIX):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"message": message, "minutes": -(-seconds // 60)},
            status=429,
        )
    response["Retry-After"] = str(seconds)
    return response


def api_exception_handler(exc, context):
    """DRF's handler, with the throttled message in French (DRF formats "Expected
    available in N seconds" before translating it, so it stays in English)."""
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        exc.detail = _("Trop de requêtes : %(wait)s.") % {
            "wait": wait_phrase(int(exc.wait))
        }
    # Imported here: rest_framework.views reads DEFAULT_THROTTLE_CLASSES (this module)
    # when it is first imported, so a module-level import would be circular.
    from rest_framework.views import exception_handler

    return exception_handler(exc, context)


class _RateFromSettings:
    """The rate read when the throttle is built (each request), not when DRF's module
    was imported: the settings (and a test's override_settings) decide."""

    def get_rate(self):
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            return super().get_rate()

    def get_ident(self, request):
        return client_address(request)


class AnonRateThrottle(_RateFromSettings, throttling.AnonRateThrottle):
    """Anonymous API clients, per client address (scope ``anon``)."""


class UserRateThrottle(_RateFromSettings, throttling.UserRateThrottle):
    """Signed-in API clients, per user (scope ``user``; anonymous ones per address)."""


class TokenAddressThrottle(_RateFromSettings, throttling.SimpleRateThrottle):
    """Requests for a token (``/api/v1/token/``) per client address, any username."""

    scope = "token_address"

    def get_cache_key(self, request, view):
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


class TokenUsernameThrottle(_RateFromSettings, throttling.SimpleRateThrottle):
    """Requests for a token per username asked for, from any address: a guesser that
    spreads its tries over many addresses still meets this one."""

    scope = "token_username"

    def get_cache_key(self, request, view):
        username = login_username(request, None)
        if not username:
            return None  # the address throttle still counts it
        digest = hashlib.sha256(username.encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}
