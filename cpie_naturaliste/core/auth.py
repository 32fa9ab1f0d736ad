"""The API token endpoint (``/api/v1/token/``): DRF's, behind its throttles and the login
lockout that the login page shares; and HTTP Basic for the clients that only know it
(GIS clients reading ``/ogc/``), behind the same lockout."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BasicAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cpie_naturaliste.core.throttling import (
    TokenAddressThrottle,
    TokenUsernameThrottle,
    locked_out_message,
    login_cool_off_seconds,
    login_locked_out,
)


class LoginLockedOut(exceptions.APIException):
    """429 with Retry-After: the login is locked by django-axes."""

    status_code = 429
    default_code = "login_locked_out"

    def __init__(self, seconds: int):
        super().__init__(locked_out_message(seconds))
        self.wait = seconds  # DRF's handler writes it as Retry-After


class AxesBasicAuthentication(BasicAuthentication):
    """HTTP Basic through django-axes: DRF's ``authenticate()`` call already goes through
    the axes backend (each wrong password counts towards the lockout of the login page,
    the admin and the token endpoint); here a locked login answers 429 with Retry-After,
    in French, instead of a bare 401 that a client would retry with the same password.
    The realm names the site, which GIS clients show when they ask for a password."""

    www_authenticate_realm = "CPIE Naturaliste"

    def authenticate_credentials(self, userid, password, request=None):
        try:
            return super().authenticate_credentials(userid, password, request)
        except exceptions.AuthenticationFailed:
            if request is not None and getattr(request, "axes_locked_out", False):
                raise LoginLockedOut(login_cool_off_seconds(request)) from None
            raise exceptions.AuthenticationFailed(
                _("Identifiant ou mot de passe incorrect.")
            ) from None


class ObtainAuthTokenView(ObtainAuthToken):
    """A token for a username and password.

    DRF's view has no throttle at all; here the requests are counted per client address
    and per username (``token_address``, ``token_username`` rates), and the password
    goes through django-axes like the login page's: the failures of both count
    together, and a locked login answers 429 here too (axes flags the DRF request it
    was given, which its middleware, looking at Django's request, does not see)."""

    throttle_classes = [TokenAddressThrottle, TokenUsernameThrottle]

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False):
                return login_locked_out(request)
            raise ValidationError(serializer.errors)
        token, _created = Token.objects.get_or_create(
            user=serializer.validated_data["user"]
        )
        return Response({"token": token.key})
