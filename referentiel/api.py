"""Referential API viewsets (read-only), registered on the site-wide router.

- ``taxa/``: the autocomplete of every form (``?search=``), see TaxonViewSet.
- ``sites/``: GeoJSON FeatureCollection in WGS84; anonymous visitors see public sites only,
  and a protected site only its managers and surveyors (``SiteQuerySet.visible_to``).
- ``persons/``: the observers' autocomplete (``?search=``), only the people the user may
  name (``PersonQuerySet.selectable_by``), see PersonViewSet.
- ``communes/``, ``datasets/``, ``programmes/``, ``atlas-groups/``, ``organisations/``.
"""

from django.db.models import Case, CharField, OuterRef, Subquery, When
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from cpie_naturaliste.core.filters import KnownParameters, Wgs84InBBoxFilter
from cpie_naturaliste.core.pagination import GeoJsonPagination
from referentiel.filters import (
    AtlasGroupFilter,
    CommuneFilter,
    DatasetFilter,
    OrganisationFilter,
    PersonFilter,
    ProgrammeFilter,
    SiteFilter,
    TaxonFilter,
)
from referentiel.models import (
    AtlasGroup,
    Commune,
    Dataset,
    Organisation,
    Person,
    Programme,
    Site,
    Taxon,
)
from referentiel.serializers import (
    AtlasGroupSerializer,
    CommuneDetailSerializer,
    CommuneSerializer,
    DatasetSerializer,
    OrganisationSerializer,
    PersonSerializer,
    ProgrammeSerializer,
    SiteSerializer,
    TaxonDetailSerializer,
    TaxonSerializer,
)


class TaxonPagination(PageNumberPagination):
    """Pages without a total. Counting the matches of a search costs as much as the search,
    and an autocomplete only needs the first page; one extra row tells if there is a next."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        try:
            self.number = int(request.query_params.get(self.page_query_param, 1))
        except ValueError:
            self.number = 0
        if self.number < 1:
            raise NotFound(_("Page invalide."))
        start = (self.number - 1) * self.page_size
        rows = list(queryset[start : start + self.page_size + 1])
        self.has_next = len(rows) > self.page_size
        return rows[: self.page_size]

    def get_next_link(self):
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number == 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"].pop("count")
        response["required"] = ["results"]
        return response


@extend_schema_view(
    list=extend_schema(
        summary=_("Recherche de taxons (autocomplétion)"),
        description=_(
            "`search` : début des mots du nom latin ou français (au moins 3 lettres, "
            "sinon erreur 400), accents et majuscules ignorés ; noms valides d'abord, "
            "puis ceux qui commencent par le texte saisi, puis les plus courts. Pages "
            "sans total (`next` est null sur la dernière)."
        ),
    ),
    retrieve=extend_schema(summary=_("Fiche d'un taxon par cd_nom")),
)
class TaxonViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TaxonSerializer
    filterset_class = TaxonFilter
    filter_backends = [DjangoFilterBackend]
    pagination_class = TaxonPagination
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        valid_name = (
            Taxon.objects.filter(cd_nom=OuterRef("cd_ref"))
            .order_by()
            .values("scientific_name")[:1]
        )
        queryset = (
            Taxon.objects.select_related("atlas_group")
            .defer("search_text", "full_name", "valid_name", "vernacular_name_en")
            # PostgreSQL evaluates this sub-select after ORDER BY … LIMIT: once per row
            # of the page, not once per candidate.
            .annotate(
                valid_scientific_name=Case(
                    When(is_valid=False, then=Subquery(valid_name)),
                    default=None,
                    output_field=CharField(),
                )
            )
        )
        if self.action == "retrieve":
            return queryset.select_related("status").defer(None)
        # Without a search, cd_nom order comes from the primary key: sorting 700,000 names
        # alphabetically for every page would cost far more than the page itself.
        return queryset.order_by("cd_nom")

    def get_serializer_class(self):
        return TaxonDetailSerializer if self.action == "retrieve" else TaxonSerializer


class SitePagination(GeoJsonPagination):
    page_size = 100
    max_page_size = 500


class SiteViewSet(viewsets.ReadOnlyModelViewSet):
    """Sites as a GeoJSON FeatureCollection in WGS84; ``in_bbox`` is in WGS84 too."""

    serializer_class = SiteSerializer
    filterset_class = SiteFilter
    filter_backends = [DjangoFilterBackend, Wgs84InBBoxFilter, OrderingFilter]
    ordering_fields = ["name", "code", "kind"]
    ordering = ["name", "id"]
    pagination_class = SitePagination
    permission_classes = [permissions.AllowAny]
    bbox_filter_field = "geom"
    bbox_filter_include_overlapping = True

    def get_queryset(self):
        # visible_to: a protected site of another organisation is left out of the list,
        # the search, the bbox and the detail (404).
        return (
            Site.objects.visible_to(self.request.user)
            .select_related("manager")
            .prefetch_related("communes")
        )


class CommuneViewSet(viewsets.ReadOnlyModelViewSet):
    """Communes without geometry in the list (speed); the detail has the outline."""

    filterset_class = CommuneFilter
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["name", "insee"]
    ordering = ["name", "insee"]
    lookup_value_regex = r"\w{5}"

    def get_queryset(self):
        queryset = Commune.objects.select_related("departement")
        if self.action == "list":
            return queryset.defer("geom", "departement__geom")
        return queryset.defer("departement__geom")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return CommuneDetailSerializer
        return CommuneSerializer


class DatasetViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DatasetSerializer
    filterset_class = DatasetFilter
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["title", "created_at"]
    ordering = ["title", "id"]

    def get_queryset(self):
        return Dataset.objects.visible_to(self.request.user).select_related(
            "programme", "producer"
        )


class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilter
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["code", "name", "start_year"]
    ordering = ["code"]
    queryset = (
        Programme.objects.select_related("coordinator")
        .prefetch_related("taxon_groups")
        .distinct()
    )


class AtlasGroupViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AtlasGroupSerializer
    filterset_class = AtlasGroupFilter
    filter_backends = [DjangoFilterBackend]
    queryset = AtlasGroup.objects.all()
    lookup_field = "code"


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["name"]
    ordering = ["name", "id"]
    queryset = Organisation.objects.all()


@extend_schema_view(
    list=extend_schema(
        summary=_("Recherche de personnes (observateurs à nommer)"),
        description=_(
            "Les personnes que l'utilisateur peut nommer observateurs : la sienne, celles "
            "de son organisme et, pour un rôle de saisie, les observateurs des données "
            "des jeux où il écrit (tout le monde pour le réseau). `search` : début du "
            "prénom ou du nom, chaque mot, accents et majuscules ignorés. Ni courriel "
            "ni téléphone."
        ),
    )
)
class PersonViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The people the signed-in user may name as observers: their own person, their
    organisation's people and the observers of the records of the datasets they write
    into (everyone for the network-wide writers). A list only: a name found here has
    nothing more to tell."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    filter_backends = [KnownParameters, DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["last_name", "first_name"]
    ordering = ["last_name", "first_name", "id"]

    def get_queryset(self):
        return Person.objects.selectable_by(self.request.user).select_related(
            "organisation"
        )


def register(router) -> None:
    router.register("taxa", TaxonViewSet, basename="taxon")
    router.register("sites", SiteViewSet, basename="site")
    router.register("communes", CommuneViewSet, basename="commune")
    router.register("datasets", DatasetViewSet, basename="dataset")
    router.register("programmes", ProgrammeViewSet, basename="programme")
    router.register("atlas-groups", AtlasGroupViewSet, basename="atlas-group")
    router.register("organisations", OrganisationViewSet, basename="organisation")
    router.register("persons", PersonViewSet, basename="person")
