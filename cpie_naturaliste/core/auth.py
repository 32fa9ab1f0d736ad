"""The API token endpoint (``/api/v1/token/``): DRF's, behind its throttles and the login
lockout that the login page shares."""

from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cpie_naturaliste.core.throttling import (
    TokenAddressThrottle,
    TokenUsernameThrottle,
    login_locked_out,
)


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
