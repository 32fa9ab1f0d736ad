"""Ringing API under ``/api/v1/baguage/``: sessions (list, detail, create, update) and
captures (list filtered by session and ring, detail, create, update, delete).

Read and write as ``baguage.permissions`` says: sessions of visible datasets at places the
reader may see, captures only when the reader may place their occurrence (the session's
``counts`` count those, ``hidden`` says how many others); a session or capture is created in
a dataset of the user's organisation and changed by its coordinators or by its author. A
refused write answers 403 (404 when the row is not even readable) and changes nothing.
Capture writes go through ``capture_save``/``capture_delete``: a refused line answers 400
with the errors per field (and ``to_confirm`` when a confirmation would let it through), a
saved one lists its ``warnings``."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import PermissionDenied

from baguage.filters import CaptureFilter, SessionFilter
from baguage.models import Session
from baguage.permissions import (
    capture_can_edit,
    captures_shown_to,
    may_add_capture,
    session_can_edit,
    sessions_visible_to,
)
from baguage.selectors import sessions_with_action_counts
from baguage.serializers import CaptureSerializer, SessionSerializer
from baguage.services import capture_delete
from referentiel.permissions import can_enter, role_permission, signed_in


def _may_change(user, obj) -> bool:
    if isinstance(obj, Session):
        return session_can_edit(user, obj)
    return capture_can_edit(user, obj)


# Read what is visible; write with a writing role what the write rule allows.
RingingPermission = role_permission(
    read=signed_in,
    write=can_enter,
    may_change=_may_change,
    message=_("Vous ne pouvez pas modifier les données de cette session."),
)


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
            ),
            self.request.user,
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
        return captures_shown_to(self.request.user).select_related(
            "taxon", "occurrence", "session"
        )

    def perform_create(self, serializer):
        if not may_add_capture(self.request.user, serializer.validated_data["session"]):
            raise PermissionDenied(
                _("Saisie réservée aux organismes qui produisent le jeu de données.")
            )
        serializer.save()

    def perform_destroy(self, instance):
        capture_delete(capture=instance, user=self.request.user)


def register(router) -> None:
    router.register("baguage/sessions", SessionViewSet, basename="ringing-session")
    router.register("baguage/captures", CaptureViewSet, basename="ringing-capture")
