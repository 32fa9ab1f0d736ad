"""Wetlands API under ``/api/v1/zones-humides/``: POP aires, sites, passages (entry
through ``passage_save``, which publishes the occurrences) and the results of a season;
wetland profiles, management operations, water levels and drift fences (read).

What a user reads follows ``observations.policy`` through ``zones_humides.selectors``: a
pond, a passage or a fence holding a record the user may not place answers 404, the
season's results attribute to aires and species only the lines shown and count the others
apart (``hidden_*``). Writes follow ``referentiel.permissions``: a passage or a morning
round is created in a dataset of the user's organisation, and changed or deleted by those
who may change it (403 otherwise)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from cpie_naturaliste.core.filters import reader_filterset
from cpie_naturaliste.core.pagination import GeoJsonPagination
from cpie_naturaliste.core.resend import ENTRY_REQUEST, known_record, sent_uuid
from cpie_naturaliste.core.schema import DETAIL_SCHEMA, VALIDATION_SCHEMA
from referentiel.permissions import (
    can_enter,
    may_write_in,
    role_permission,
    signed_in,
)
from zones_humides.entry_api import (
    ENTRY_DESCRIPTION,
    FENCE_CHECK_DESCRIPTION,
    fence_check_form_save,
    passage_form_save,
)
from zones_humides.models import (
    FenceCheck,
    ManagementOperation,
    PassageObservation,
    PopPassage,
    PopSite,
    WaterLevelReading,
    WetlandProfile,
)
from zones_humides.permissions import may_write_fence_check, may_write_passage
from zones_humides.selectors.fences import (
    fence_first_arrivals,
    fence_yearly_totals,
    fences_visible_to,
)
from zones_humides.selectors.pop import (
    aires_readable,
    aires_visible_to,
    lines_shown_to,
    passages_visible_to,
    ponds_visible_to,
    pop_results,
)
from zones_humides.selectors.reading import sites_visible_to
from zones_humides.serializers import (
    DriftFenceSerializer,
    FenceCheckSerializer,
    ManagementOperationSerializer,
    PassageSerializer,
    PopAireSerializer,
    PopSiteSerializer,
    WaterLevelSerializer,
    WetlandProfileSerializer,
)
from zones_humides.services import fence_check_save, passage_delete

# One chart: years as labels, one series per species (totals, or first arrival as a day of
# the year with its "dd/mm" date).
_CHART = {
    "type": "object",
    "required": ["labels", "series"],
    "properties": {
        "labels": {"type": "array", "items": {"type": "integer"}},
        "series": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["label", "data"],
                "properties": {
                    "label": {"type": "string"},
                    "data": {
                        "type": "array",
                        "items": {"type": "integer", "nullable": True},
                    },
                    "dates": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}
FENCE_CHARTS_SCHEMA = {
    "type": "object",
    "required": ["yearly_totals", "first_arrivals"],
    "properties": {"yearly_totals": _CHART, "first_arrivals": _CHART},
}


class GeoPagination(GeoJsonPagination):
    """A FeatureCollection per page (with ``count`` and ``next``)."""

    page_size = 200
    page_size_query_param = "page_size"
    max_page_size = 1000


# Reading for signed-in users; writing for a writing role, and a passage changed or
# deleted only by those who may change it (``zones_humides.permissions``).
PopPermission = role_permission(
    read=signed_in,
    write=can_enter,
    may_change=may_write_passage,
    message=_("Vous ne pouvez pas modifier les données de cette aire."),
)


class PopAireViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PopAireSerializer
    pagination_class = GeoPagination

    def get_queryset(self):
        return aires_visible_to(self.request.user).order_by("number")

    @extend_schema(
        summary=_("Résultats POP Amphibien d'une saison"),
        parameters=[OpenApiParameter("year", int, description=_("Saison"))],
    )
    @action(detail=False)
    def results(self, request):
        try:
            year = int(request.query_params.get("year", ""))
        except ValueError:
            year = timezone.localdate().year
        results = pop_results(
            year=year, aires=aires_readable(request.user), user=request.user
        )

        def species(items):
            return [
                {
                    "cd_ref": s.cd_ref,
                    "scientific_name": s.name,
                    "vernacular_name": s.vernacular,
                    "sites": len(s.sites),
                    "records": s.records,
                    "naive_occupancy": round(s.occupancy, 4),
                }
                for s in items
            ]

        return Response(
            {
                "year": year,
                "sites_visited": results.sites_visited,
                "sites_occupied": results.sites_occupied,
                "passages": results.passages,
                "records": results.records,
                "positive_records": results.positive,
                "species": species(results.species),
                # Lines the user may not place: counted in the totals above, attributed
                # to no aire and no species.
                "hidden_records": results.hidden.records,
                "hidden_sites": len(results.hidden.sites_visited),
                "hidden_passages": results.hidden.passages,
                "aires": [
                    {
                        "number": a.aire.number,
                        "name": a.aire.name,
                        "sites_visited": len(a.sites_visited),
                        "sites_occupied": len(a.sites_occupied),
                        "passages": a.passages,
                        "records": a.records,
                        "positive_records": a.positive,
                        "species": species(a.species_list),
                    }
                    for a in results.aires
                ],
            }
        )


class PopSiteViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PopSiteSerializer
    pagination_class = GeoPagination
    filterset_class = reader_filterset(PopSite, ["aire"], {"aire": aires_visible_to})

    def get_queryset(self):
        return ponds_visible_to(self.request.user).order_by("aire__number", "code")


class PassageViewSet(viewsets.ModelViewSet):
    serializer_class = PassageSerializer
    permission_classes = [PopPermission]
    filterset_class = reader_filterset(
        PopPassage, ["pop_site", "year", "number"], {"pop_site": ponds_visible_to}
    )
    ordering = ["-date", "id"]

    def get_queryset(self):
        user = self.request.user
        lines = lines_shown_to(
            user, PassageObservation.objects.select_related("occurrence")
        )
        return (
            passages_visible_to(user)
            .select_related("pop_site__aire")
            .prefetch_related("observers", Prefetch("observations", queryset=lines))
        )

    def perform_create(self, serializer):
        pop_site = serializer.validated_data["pop_site"]
        if not may_write_in(self.request.user, pop_site.aire.dataset_id):
            self.permission_denied(self.request, message=PopPermission.message)
        serializer.save()

    def perform_update(self, serializer):
        # Moving a passage to another pond is an entry in that pond's dataset too.
        pop_site = serializer.validated_data.get("pop_site")
        if (
            pop_site is not None
            and pop_site.pk != serializer.instance.pop_site_id
            and not may_write_in(self.request.user, pop_site.aire.dataset_id)
        ):
            self.permission_denied(self.request, message=PopPermission.message)
        serializer.save()

    def perform_destroy(self, instance):
        passage_delete(passage=instance, user=self.request.user)

    @extend_schema(
        request={"multipart/form-data": ENTRY_REQUEST},
        parameters=[
            OpenApiParameter(
                "pop_site", int, required=True, description=_("La mare du passage.")
            )
        ],
        responses={
            201: PassageSerializer,
            200: PassageSerializer,
            400: VALIDATION_SCHEMA,
            409: DETAIL_SCHEMA,
        },
        description=ENTRY_DESCRIPTION,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="saisie",
        parser_classes=[MultiPartParser, FormParser],
        filter_backends=[],
        pagination_class=None,
    )
    def entry(self, request):
        pond = request.query_params.get("pop_site", "")
        pop_site = (
            ponds_visible_to(request.user)
            .select_related("aire")
            .filter(pk=int(pond) if pond.isdigit() and len(pond) < 10 else None)
            .first()
        )
        if pop_site is None:
            raise NotFound(_("Mare inconnue."))
        if not may_write_in(request.user, pop_site.aire.dataset_id):
            self.permission_denied(request, message=PopPermission.message)

        def known(uuid):
            return known_record(
                uuid=uuid,
                model=PopPassage,
                readable=self.get_queryset(),
                serialize=lambda record: self.get_serializer(record).data,
            )

        answer = known(sent_uuid(request))
        if answer is not None:
            return answer
        outcome = passage_form_save(
            data=request.data, files=request.FILES, user=request.user, pop_site=pop_site
        )
        if isinstance(outcome, dict):
            return Response(outcome, status=status.HTTP_400_BAD_REQUEST)
        passage, created = outcome
        if not created:
            return known(passage.uuid)
        passage = self.get_queryset().get(pk=passage.pk)
        return Response(
            self.get_serializer(passage).data, status=status.HTTP_201_CREATED
        )


class WetlandProfileViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = WetlandProfileSerializer

    def get_queryset(self):
        return WetlandProfile.objects.filter(
            site__in=sites_visible_to(self.request.user)
        ).select_related("site")


class ManagementOperationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ManagementOperationSerializer
    pagination_class = GeoPagination
    filterset_class = reader_filterset(
        ManagementOperation, ["site", "kind"], {"site": sites_visible_to}
    )

    def get_queryset(self):
        return ManagementOperation.objects.filter(
            site__in=sites_visible_to(self.request.user)
        )


class WaterLevelViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = WaterLevelSerializer
    filterset_class = reader_filterset(
        WaterLevelReading, ["site"], {"site": sites_visible_to}
    )

    def get_queryset(self):
        return WaterLevelReading.objects.filter(
            site__in=sites_visible_to(self.request.user)
        ).order_by("site", "date")


class DriftFenceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DriftFenceSerializer

    def get_queryset(self):
        return fences_visible_to(self.request.user)

    @extend_schema(
        summary=_("Saisir le relevé d'un matin (remplace celui du même jour)"),
        request=FenceCheckSerializer,
        responses={201: FenceCheckSerializer},
    )
    @action(detail=True, methods=["post"], url_path="releves")
    def checks(self, request, pk=None):
        fence = self.get_object()
        if not may_write_in(request.user, fence.dataset_id):
            self.permission_denied(request, message=PopPermission.message)
        serializer = FenceCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        # The round of a day already entered is replaced: only by those who may change it.
        existing = FenceCheck.objects.filter(fence=fence, date=data["date"]).first()
        if existing is not None and not may_write_fence_check(request.user, existing):
            self.permission_denied(request, message=PopPermission.message)
        counts = data.pop("counts")
        observers = data.pop("observers", None)  # absent: those of the day's check
        try:
            check = fence_check_save(
                user=request.user,
                fence=fence,
                fields=data,
                counts=counts,
                observers=observers,
            )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        return Response(FenceCheckSerializer(check).data, status=201)

    @extend_schema(
        request={"multipart/form-data": ENTRY_REQUEST},
        responses={
            201: FenceCheckSerializer,
            200: FenceCheckSerializer,
            400: VALIDATION_SCHEMA,
            409: DETAIL_SCHEMA,
        },
        description=FENCE_CHECK_DESCRIPTION,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="releves/saisie",
        url_name="check-entry",
        parser_classes=[MultiPartParser, FormParser],
    )
    def check_entry(self, request, pk=None):
        fence = self.get_object()
        if not may_write_in(request.user, fence.dataset_id):
            self.permission_denied(request, message=PopPermission.message)

        def known(uuid):
            return known_record(
                uuid=uuid,
                model=FenceCheck,
                readable=FenceCheck.objects.filter(
                    fence__in=fences_visible_to(request.user)
                ),
                serialize=lambda record: FenceCheckSerializer(record).data,
            )

        answer = known(sent_uuid(request))
        if answer is not None:
            return answer
        outcome = fence_check_form_save(
            data=request.data, files=request.FILES, user=request.user, fence=fence
        )
        if isinstance(outcome, dict):
            return Response(outcome, status=status.HTTP_400_BAD_REQUEST)
        check, saved = outcome
        if not saved:
            return known(check.uuid)
        return Response(
            FenceCheckSerializer(check).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary=_("Effectifs par année et premières arrivées"),
        responses={200: FENCE_CHARTS_SCHEMA},
    )
    @action(detail=True)
    def charts(self, request, pk=None):
        fence = self.get_object()
        return Response(
            {
                "yearly_totals": fence_yearly_totals(fence=fence, user=request.user),
                "first_arrivals": fence_first_arrivals(fence=fence, user=request.user),
            }
        )


def register(router) -> None:
    router.register("zones-humides/pop/aires", PopAireViewSet, basename="pop-aire")
    router.register("zones-humides/pop/sites", PopSiteViewSet, basename="pop-site")
    router.register(
        "zones-humides/pop/passages", PassageViewSet, basename="pop-passage"
    )
    router.register(
        "zones-humides/sites", WetlandProfileViewSet, basename="wetland-site"
    )
    router.register(
        "zones-humides/operations",
        ManagementOperationViewSet,
        basename="wetland-operation",
    )
    router.register(
        "zones-humides/niveaux-eau", WaterLevelViewSet, basename="water-level"
    )
    router.register(
        "zones-humides/barrieres", DriftFenceViewSet, basename="drift-fence"
    )
