"""Ringing API under ``/api/v1/baguage/``: sessions (list, detail, create, update) and
captures (list filtered by session and ring, detail, create, update, delete).

Sessions are read when their dataset is visible to the user and written by a writing role
in a dataset the user may enter data into (baguage.permissions). Capture writes go through
``capture_save``/``capture_delete``: a refused line answers 400 with the errors per field
(and ``to_confirm`` when a confirmation would let it through), a saved one lists its
``warnings``."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets

from baguage.filters import CaptureFilter, SessionFilter
from baguage.models import Capture, Session
from baguage.permissions import (
    session_can_edit,
    sessions_visible_to,
    user_can_enter,
)
from baguage.selectors import sessions_with_action_counts
from baguage.serializers import CaptureSerializer, SessionSerializer
from baguage.services import capture_delete


class RingingPermission(permissions.BasePermission):
    """Read what is visible; write with a writing role in a writable dataset."""

    message = _("Vous ne pouvez pas modifier les données de cette session.")

    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return False
        return request.method in permissions.SAFE_METHODS or user_can_enter(
            request.user
        )

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        session = obj if isinstance(obj, Session) else obj.session
        return session_can_edit(request.user, session)


@extend_schema_view(
    list=extend_schema(summary=_("Sessions de baguage")),
    retrieve=extend_schema(summary=_("Une session de baguage")),
    create=extend_schema(summary=_("Créer une session de baguage")),
    update=extend_schema(summary=_("Modifier une session de baguage")),
    partial_update=extend_schema(summary=_("Modifier une session de baguage")),
)
class SessionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    permission_classes = [RingingPermission]
    ordering_fields = ["date", "id"]
    ordering = ["-date", "-id"]

    def get_queryset(self):
        return sessions_with_action_counts(
            sessions_visible_to(self.request.user).select_related(
                "station", "programme__programme", "dataset"
            )
        ).prefetch_related("ringers")


@extend_schema_view(
    list=extend_schema(summary=_("Captures (filtrables par session et par bague)")),
    retrieve=extend_schema(summary=_("Une capture")),
    create=extend_schema(
        summary=_("Saisir une capture"),
        description=_(
            "Contrôles de saisie : bague B déjà posée ou hors stock, date future (refus "
            "400 par champ) ; bague C notée sur une autre espèce (400 avec "
            "« to_confirm » : renvoyer avec confirm=true) ; biométrie hors des valeurs "
            "habituelles (ligne enregistrée, message dans « warnings »)."
        ),
    ),
    update=extend_schema(summary=_("Modifier une capture")),
    partial_update=extend_schema(summary=_("Modifier une capture")),
    destroy=extend_schema(
        summary=_("Supprimer une capture (et son observation publiée)")
    ),
)
class CaptureViewSet(viewsets.ModelViewSet):
    serializer_class = CaptureSerializer
    filterset_class = CaptureFilter
    permission_classes = [RingingPermission]
    ordering_fields = ["line", "id"]
    ordering = ["session", "line", "id"]

    def get_queryset(self):
        return Capture.objects.filter(
            session__in=sessions_visible_to(self.request.user)
        ).select_related("taxon", "occurrence", "session")

    def perform_destroy(self, instance):
        capture_delete(capture=instance, user=self.request.user)


def register(router) -> None:
    router.register("baguage/sessions", SessionViewSet, basename="ringing-session")
    router.register("baguage/captures", CaptureViewSet, basename="ringing-capture")
