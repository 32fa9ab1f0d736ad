"""Sensibilisation API under ``/api/v1/sensibilisation/``:

- ``campaigns/``: the open citizen-science campaigns and their species (public), and
  ``campaigns/<slug>/map/``: their validated reports blurred to the commune (GeoJSON);
- ``actions/``: outreach actions, read by the staff of the organisation, written by its
  coordinators (``sensibilisation.permissions``), and ``actions/figures/?year=2020``:
  the year's figures per action line.

Reports themselves are only sent through the protected public form (rate limit,
honeypot, time check, photo checks), never through the API."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action as route
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from referentiel.permissions import can_coordinate, can_read_network, role_permission
from sensibilisation.models import Action, Campaign
from sensibilisation.permissions import (
    action_can_edit,
    actions_visible_to,
)
from sensibilisation.selectors import (
    actions_with_reach,
    campaign_public_map,
    figures_for_year,
)
from sensibilisation.serializers import ActionSerializer, CampaignSerializer
from sensibilisation.services import action_save


@extend_schema_view(
    list=extend_schema(summary=_("Campagnes participatives ouvertes")),
    retrieve=extend_schema(summary=_("Une campagne participative")),
)
class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CampaignSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"
    ordering = ["-date_start", "title"]

    def get_queryset(self):
        return (
            Campaign.objects.filter(is_open=True)
            .select_related("programme")
            .prefetch_related("species__taxon")
            .order_by("-date_start", "title")
        )

    @extend_schema(
        summary=_("Signalements validés d'une campagne, floutés à la commune"),
        responses={200: dict},
    )
    @route(detail=True, methods=["get"])
    def map(self, request, slug=None):
        return Response(campaign_public_map(campaign=self.get_object()))


ActionPermission = role_permission(
    read=can_read_network,
    write=can_coordinate,
    may_change=action_can_edit,
    message=_("Réservé aux coordinateurs de l'organisme de l'action."),
)


class FiguresQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)


@extend_schema_view(
    list=extend_schema(summary=_("Actions de sensibilisation")),
    retrieve=extend_schema(summary=_("Une action de sensibilisation")),
    create=extend_schema(summary=_("Enregistrer une action")),
    update=extend_schema(summary=_("Modifier une action")),
    partial_update=extend_schema(summary=_("Modifier une action")),
    destroy=extend_schema(summary=_("Supprimer une action")),
)
class ActionViewSet(viewsets.ModelViewSet):
    serializer_class = ActionSerializer
    permission_classes = [ActionPermission]
    filterset_fields = ["kind", "action_line", "format"]
    ordering_fields = ["date_start", "title"]
    ordering = ["-date_start", "id"]

    def get_queryset(self):
        return actions_with_reach(actions_visible_to(self.request.user)).order_by(
            "-date_start", "id"
        )

    def _save(self, serializer, **extra):
        data = dict(serializer.validated_data)
        partners = data.pop("partners", None)
        action = serializer.instance or Action()
        for name, value in {**data, **extra}.items():
            setattr(action, name, value)
        try:
            action_save(action=action, user=self.request.user, partners=partners)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        serializer.instance = self.get_queryset().get(pk=action.pk)

    def perform_create(self, serializer):
        if self.request.user.organisation_id is None:
            raise ValidationError(_("Votre compte n'a pas d'organisme."))
        self._save(serializer, organisation_id=self.request.user.organisation_id)

    def perform_update(self, serializer):
        self._save(serializer)

    @extend_schema(
        summary=_("Chiffres de l'année par action du bilan"),
        parameters=[
            OpenApiParameter("year", int, description=_("Année (défaut : N-1)"))
        ],
        responses={200: dict},
    )
    @route(detail=False, methods=["get"])
    def figures(self, request):
        query = FiguresQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or timezone.localdate().year - 1
        figures = figures_for_year(actions=actions_visible_to(request.user), year=year)
        return Response(_jsonable(figures))


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "as_tuple"):  # Decimal
        return float(value)
    if isinstance(value, Promise):  # lazy translation
        return str(value)
    return value


def register(router) -> None:
    router.register(
        "sensibilisation/campaigns",
        CampaignViewSet,
        basename="sensibilisation-campaign",
    )
    router.register(
        "sensibilisation/actions", ActionViewSet, basename="sensibilisation-action"
    )
