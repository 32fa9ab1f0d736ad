"""Occurrence API: ``/api/v1/occurrences/`` (JSON or CSV, paginated by page or, to sync a
copy, by cursor), ``…/deletions/`` (what a copy must drop) and ``…/geojson/`` (map layer).

Incremental sync (observations.sync, README « Synchroniser une copie locale »):
``?updated_since=`` orders by modification and pages by cursor; the list and the detail
answer ``ETag`` and ``Last-Modified``, and 304 to ``If-None-Match`` / ``If-Modified-Since``;
an unknown query parameter or an invalid filter value is a 400 in French."""

import datetime as dt
import hashlib

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Max
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import re_path
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import (
    APIException,
    ParseError,
    PermissionDenied,
    ValidationError,
)
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from cpie_naturaliste.core.filters import KnownParameters, QueryFilterBackend
from cpie_naturaliste.core.pagination import KeysetPagination, SyncablePagination
from cpie_naturaliste.core.resend import known_record, sent_uuid
from cpie_naturaliste.core.schema import DETAIL_SCHEMA
from observations.atlas_api import AtlasViewSet
from observations.blurring import filter_map_box
from observations.entry_api import (
    ENTRY_DESCRIPTION,
    ENTRY_ERRORS,
    ENTRY_REQUEST,
    entry_form_save,
)
from observations.filters import (
    DeletionFilter,
    OccurrenceBBoxFilter,
    OccurrenceFilter,
)
from observations.models import Occurrence, OccurrenceDeletion
from observations.selectors import (
    GRID_CODE_CELL_M,
    MAP_POINT_LIMIT,
    MAX_TILE_ZOOM,
    occurrences_count_upto,
    occurrences_geojson,
    occurrences_grid_cells,
    occurrences_in_map_box_upto,
    occurrences_tile,
)
from observations.serializers import (
    DeletionSerializer,
    MediaSerializer,
    MediaUploadSerializer,
    OccurrenceGeoSerializer,
    OccurrenceSerializer,
)
from observations.services import occurrence_delete, occurrence_media_add
from observations.sync import (
    csv_document,
    csv_rows,
    deletions_horizon,
    deletions_visible_to,
)
from referentiel.permissions import can_enter, role_permission, signed_in


def _may_change(user, occurrence: Occurrence) -> bool:
    return Occurrence.objects.editable_by(user).filter(pk=occurrence.pk).exists()


# Read what ``visible_to`` allows (the list is scoped by ``get_queryset``); write with a
# writing role, change only what ``editable_by`` allows.
OccurrencePermission = role_permission(
    read=signed_in,
    write=can_enter,
    may_change=_may_change,
    message=_("Vous n'avez pas le droit de modifier cette observation."),
)


BBOX_PARAM = OpenApiParameter(
    "in_bbox",
    OpenApiTypes.STR,
    description=_("Emprise en WGS84 : minlon,minlat,maxlon,maxlat"),
)


class CsvRenderer(BaseRenderer):
    """``Accept: text/csv`` or ``?format=csv``: the list is streamed by the view
    (``observations.sync.csv_rows``); this renders a single record the same way."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return csv_document([data]).encode()


class MvtRenderer(BaseRenderer):
    """Vector tiles (``tiles/<z>/<x>/<y>.mvt``): the view answers the bytes PostGIS wrote."""

    media_type = "application/vnd.mapbox-vector-tile"
    format = "mvt"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


MVT_CONTENT_TYPE = MvtRenderer.media_type
# How long a browser may reuse a tile before asking again (with its ETag).
TILE_MAX_AGE = 60


TILE_DESCRIPTION = _(
    "Tuile vectorielle Mapbox (MVT, Web Mercator) des observations, mêmes filtres que la "
    "liste, floutées comme la liste : une observation que le lecteur ne peut pas "
    "localiser y figure au point représentatif de sa zone de floutage (ST_PointOnSurface "
    "de la commune, de la maille de 10 km ou du département ; propriété « blurred »), "
    "dans la seule tuile qui contient ce point, jamais à son lieu. À partir du zoom 12 et "
    "jusqu'à 5 000 observations par tuile, couche « occurrences » (un point par "
    "observation, propriétés de la couche GeoJSON) ; sinon couche « cells » (mailles "
    "Lambert-93 carrées, propriétés « count » et « cell_size_m », chaque observation dans "
    "la maille de son point). Tuile vide : 204. ETag ; 304 sur If-None-Match. "
    "z de 0 à 22, x et y de 0 à 2^z − 1, sinon 400."
)


class SinceTooOld(APIException):
    status_code = status.HTTP_410_GONE
    default_code = "gone"


SYNC_DESCRIPTION = _(
    "Avec updated_since (ou cursor), les observations modifiées depuis cet instant, triées "
    "par date de modification puis identifiant, par pages de curseur : suivre « next » "
    "jusqu'à null, puis garder « until » pour la synchronisation suivante (updated_since "
    "et since du flux des suppressions). Sans updated_since : pages numérotées. "
    "Accept: text/csv ou format=csv : toutes les lignes en CSV (mêmes colonnes, même "
    "floutage), en flux. ETag et Last-Modified ; 304 sur If-None-Match / "
    "If-Modified-Since. Un paramètre inconnu ou une valeur invalide : 400."
)


class OccurrenceViewSet(viewsets.ModelViewSet):
    serializer_class = OccurrenceSerializer
    filterset_class = OccurrenceFilter
    filter_backends = [KnownParameters, DjangoFilterBackend, OccurrenceBBoxFilter]
    pagination_class = SyncablePagination
    renderer_classes = [JSONRenderer, CsvRenderer]
    permission_classes = [OccurrencePermission]
    bbox_filter_field = "geom"
    lookup_field = "uuid"
    lookup_value_regex = "[0-9a-f-]{36}"
    # The instant the answer's rows last changed (list, detail), for Last-Modified.
    last_modified = None

    def get_queryset(self):
        if self.action == "deletions":
            return deletions_visible_to(self.request.user)
        return (
            Occurrence.objects.visible_to(self.request.user)
            .select_related("taxon", "dataset", "programme", "validator", "atlas_group")
            .prefetch_related("observers", "media")
        )

    def get_renderers(self):
        # CSV for reading records only; everything else (writes, errors) answers JSON.
        if getattr(self, "action", None) in ("list", "retrieve"):
            return super().get_renderers()
        if getattr(self, "action", None) == "tiles":
            return [MvtRenderer(), JSONRenderer()]
        return [JSONRenderer()]

    @extend_schema(description=SYNC_DESCRIPTION)
    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        if "updated_since" in request.query_params:
            queryset = queryset.order_by("updated_at", "id")
        if request.accepted_renderer.format == "csv":
            return self._csv(queryset)
        # Max of an expression, not of the column: for max(updated_at) the planner walks the
        # updated_at index backwards until a row passes the filters, which after a bulk
        # update (a sensitivity refresh rewrites 1.8 M rows at 10 M) reads millions of rows
        # (3 s); the list's covering index answers the filtered maximum in milliseconds.
        changed = queryset.order_by().aggregate(
            at=Max(F("updated_at") + dt.timedelta(0))
        )["at"]
        deleted = OccurrenceDeletion.objects.aggregate(at=Max("deleted_at"))["at"]
        self.last_modified = max((t for t in (changed, deleted) if t), default=None)
        not_modified = self._not_modified_since(request)
        if not_modified is not None:
            return not_modified
        # The queryset filtered above, not filtered again by ListModelMixin.list (each
        # filter resolves its taxon, its area… with queries of its own).
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(
                self.get_serializer(page, many=True).data
            )
        return Response(self.get_serializer(queryset, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        self.last_modified = instance.updated_at
        not_modified = self._not_modified_since(request)
        if not_modified is not None:
            return not_modified
        return Response(self.get_serializer(instance).data)

    def _not_modified_since(self, request):
        """A 304 before serialising anything, when the client only sent If-Modified-Since
        (If-None-Match, when sent, decides alone: ``finalize_response``)."""
        if "HTTP_IF_NONE_MATCH" in request.META or self.last_modified is None:
            return None
        response = get_conditional_response(
            request, last_modified=int(self.last_modified.timestamp())
        )
        return response

    def _csv(self, queryset):
        response = StreamingHttpResponse(
            csv_rows(queryset, self.serializer_class, self.get_serializer_context()),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="observations.csv"'
        patch_vary_headers(response, ["Accept", "Authorization", "Cookie"])
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and response.status_code >= 400:
            # An error is JSON (as the schema says), even to a client that asked for CSV.
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
            return response
        if (
            self.action in ("list", "retrieve")
            and request.method in ("GET", "HEAD")
            and isinstance(response, Response)
            and response.status_code == 200
        ):
            return self._conditional(request, response)
        return response

    def _conditional(self, request, response):
        """ETag (a digest of the body: what this reader reads, blurred as he reads it) and
        Last-Modified; a 304 when the client's copy is current."""
        response.render()
        etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
        response["ETag"] = etag
        last_modified = None
        if self.last_modified is not None:
            last_modified = int(self.last_modified.timestamp())
            response["Last-Modified"] = http_date(last_modified)
        patch_vary_headers(response, ["Accept", "Authorization", "Cookie"])
        return get_conditional_response(
            request, etag=etag, last_modified=last_modified, response=response
        )

    def perform_destroy(self, instance):
        occurrence_delete(occurrence=instance, user=self.request.user)

    def _known(self, uuid) -> Response | None:
        return known_record(
            uuid=uuid,
            model=Occurrence,
            readable=self.get_queryset(),
            serialize=lambda record: self.get_serializer(record).data,
        )

    @extend_schema(
        responses={
            201: OccurrenceSerializer,
            200: OpenApiResponse(
                response=OccurrenceSerializer,
                description=_(
                    "Déjà créée avec cet « uuid » : l'observation existante."
                ),
            ),
            409: DETAIL_SCHEMA,
        },
    )
    def create(self, request, *args, **kwargs):
        known = self._known(sent_uuid(request))
        if known is not None:
            return known
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        occurrence = serializer.save()
        if not getattr(serializer, "created", True):  # a send racing this one won
            return self._known(occurrence.uuid)
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": ENTRY_REQUEST},
        responses={
            201: OccurrenceSerializer,
            200: OpenApiResponse(
                response=OccurrenceSerializer,
                description=_(
                    "Déjà créée avec cet « uuid » : l'observation existante."
                ),
            ),
            400: ENTRY_ERRORS,
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
        known = self._known(sent_uuid(request))
        if known is not None:
            return known
        outcome = entry_form_save(
            data=request.data, files=request.FILES, user=request.user
        )
        if isinstance(outcome, dict):
            return Response(outcome, status=status.HTTP_400_BAD_REQUEST)
        occurrence, created = outcome
        if not created:
            return self._known(occurrence.uuid)
        data = self.get_serializer(occurrence).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": MediaUploadSerializer},
        responses={201: MediaSerializer(many=True)},
        description=_(
            "Ajoute des photos (JPEG, PNG, WebP) ou des sons (WAV, MP3, FLAC, OGG) à "
            "l'observation, en multipart/form-data : un champ « file » par fichier "
            "(20 Mo au plus chacun, 12 fichiers au plus par observation). Le type est lu "
            "dans le contenu ; une photo est réduite à 2 048 px et perd ses métadonnées "
            "EXIF. Réservé à qui peut modifier l'observation."
        ),
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="photos",
        parser_classes=[MultiPartParser],
        serializer_class=MediaUploadSerializer,
        filter_backends=[],
    )
    def photos(self, request, uuid=None):
        occurrence = self.get_object()
        if getattr(occurrence, "is_precise", True) is False:
            raise PermissionDenied(OccurrencePermission.message)
        upload = MediaUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            created = occurrence_media_add(
                occurrence=occurrence,
                user=request.user,
                media=upload.validated_data["file"],
            )
        except DjangoValidationError as exc:
            raise ValidationError({"file": exc.message_dict["media"]}) from exc
        return Response(
            MediaSerializer(created, many=True, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        responses={
            200: DeletionSerializer(many=True),
            410: OpenApiResponse(
                response=DETAIL_SCHEMA,
                description=_(
                    "« since » antérieur à la rétention des suppressions : "
                    "resynchronisez tout."
                ),
            ),
        },
        description=_(
            "Les observations qu'une copie locale doit effacer depuis « since » : "
            "supprimées (« deleted ») ou que vous ne pouvez plus lire (« withdrawn » : "
            "changées de jeu de données, devenues trop sensibles). Seules celles que vous "
            "pouviez lire y figurent. Pages de curseur comme la synchronisation ; garder "
            "« until ». Rétention : SYNC_DELETIONS_RETENTION_DAYS jours ; au-delà, 410."
        ),
    )
    @action(
        detail=False,
        url_path="deletions",
        filter_backends=[KnownParameters, DjangoFilterBackend],
        filterset_class=DeletionFilter,
        pagination_class=type(
            "DeletionPagination", (KeysetPagination,), {"timestamp_field": "deleted_at"}
        ),
        serializer_class=DeletionSerializer,
    )
    def deletions(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        since = self.filterset_since(request, queryset)
        if since is not None and since < deletions_horizon():
            raise SinceTooOld(
                gettext_now(
                    "« since » est antérieur à la rétention des suppressions : "
                    "resynchronisez toute la copie (sans updated_since)."
                )
            )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def filterset_since(self, request, queryset):
        filterset = DeletionFilter(request.query_params, queryset=queryset)
        return (
            filterset.form.cleaned_data.get("since") if filterset.is_valid() else None
        )

    @extend_schema(
        parameters=[BBOX_PARAM],
        responses={200: OccurrenceGeoSerializer(many=True)},
        description=_(
            "Couche cartographique GeoJSON en WGS84, mêmes filtres que la liste. Jusqu'à "
            "5 000 observations : un point (ou une géométrie) par observation. Au-delà : des "
            "mailles agrégées (propriété « count »), et « aggregated » vaut true ; une "
            "maille de 10 km compte toutes ses observations dès qu'elle touche l'emprise. "
            "Comme sur les tuiles, une observation que le lecteur ne peut pas localiser est "
            "dans l'emprise quand le point représentatif de sa zone de floutage y est (elle "
            "est dessinée par sa zone entière, et comptée dans la maille de ce point)."
        ),
    )
    @action(detail=False, url_path="geojson", pagination_class=None)
    def geojson(self, request):
        # The attribute filters, then the view's box: the cells of a large view are
        # counted from the grid code alone (occurrences_grid_cells, ``within``).
        filtered = KnownParameters().filter_queryset(request, self.get_queryset(), self)
        filtered = DjangoFilterBackend().filter_queryset(request, filtered, self)
        box = OccurrenceBBoxFilter()
        # A map layer: a blurred record by its map point, as the tiles read it (by its
        # whole area, a view in a département held every record blurred to it).
        bbox = box.get_filter_bbox(request)
        if bbox is None:
            queryset = filtered.order_by()
            count = occurrences_count_upto(queryset, MAP_POINT_LIMIT)
        else:
            queryset = filter_map_box(filtered, bbox).order_by()
            count = occurrences_in_map_box_upto(filtered, bbox, MAP_POINT_LIMIT)
        if count <= MAP_POINT_LIMIT:
            # The FeatureCollection is written by PostgreSQL: serialising 5,000 features
            # through DRF and GEOS costs ~10× more than the query itself.
            return HttpResponse(
                occurrences_geojson(queryset=queryset), content_type="application/json"
            )
        cell_m = _cell_size(request.query_params.get("in_bbox"))
        if cell_m >= GRID_CODE_CELL_M:
            features = occurrences_grid_cells(
                queryset=filtered.order_by(),
                cell_m=cell_m,
                within=box.get_filter_bbox(request),
                user=_unfiltered_reader(request),
            )
        else:
            features = occurrences_grid_cells(queryset=queryset, cell_m=cell_m)
        return Response(
            {
                "type": "FeatureCollection",
                "aggregated": True,
                "cell_size_m": cell_m,
                "features": features,
            }
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH)
            for name in ("z", "x", "y")
        ],
        responses={
            (200, MVT_CONTENT_TYPE): OpenApiTypes.BINARY,
            204: OpenApiResponse(description=_("Tuile vide.")),
            400: DETAIL_SCHEMA,
        },
        description=TILE_DESCRIPTION,
    )
    def tiles(self, request, z, x, y):
        z, x, y = _tile_coordinates(z, x, y)
        queryset = self.filter_queryset(self.get_queryset()).order_by()
        body = occurrences_tile(
            queryset=queryset, z=z, x=x, y=y, user=_unfiltered_reader(request)
        )
        etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
        if body:
            response = HttpResponse(body, content_type=MVT_CONTENT_TYPE)
        else:
            # MapLibre, Mapbox GL and VectorGrid read a 204 as an empty tile.
            response = HttpResponse(status=status.HTTP_204_NO_CONTENT)
            del response["Content-Type"]
        response["ETag"] = etag
        # A tile is what this reader may see: never kept by a shared cache.
        patch_cache_control(response, private=True, max_age=TILE_MAX_AGE)
        patch_vary_headers(response, ["Authorization", "Cookie"])
        return get_conditional_response(request, etag=etag, response=response)


# Parameters that do not filter the records: a map view with these alone shows all its
# reader reads, counted in large cells from the summary (observations.models.summaries).
UNFILTERED_PARAMETERS = {"in_bbox", "format"}


def _unfiltered_reader(request):
    """The user, when the request filters nothing (its cells may come from the summary);
    else None."""
    if set(request.query_params) <= UNFILTERED_PARAMETERS:
        return request.user
    return None


def _tile_coordinates(z: str, x: str, y: str) -> tuple[int, int, int]:
    z_, x_, y_ = int(z), int(x), int(y)
    if z_ > MAX_TILE_ZOOM:
        raise ParseError(
            gettext_now("Zoom invalide : z doit être compris entre 0 et %(max)s.")
            % {"max": MAX_TILE_ZOOM}
        )
    if x_ >= 2**z_ or y_ >= 2**z_:
        raise ParseError(
            gettext_now("Tuile invalide : au zoom %(z)s, x et y vont de 0 à %(last)s.")
            % {"z": z_, "last": 2**z_ - 1}
        )
    return z_, x_, y_


def _cell_size(bbox: str | None) -> int:
    """About 40 cells across the view, rounded to 1, 2 or 5 × 10ⁿ metres; 10 km without a bbox."""
    try:
        minlon, _minlat, maxlon, _maxlat = (float(v) for v in (bbox or "").split(","))
    except ValueError:
        return 10000
    width_m = (
        max(maxlon - minlon, 0.0001) * 71000
    )  # metres per degree of longitude at 50° N
    raw = width_m / 40
    for size in (100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000):
        if raw <= size:
            return size
    return 50000


def tile_urls() -> list:
    """``occurrences/tiles/<z>/<x>/<y>.mvt``: outside the router, whose routes end with a
    slash that a tile URL template does not have."""
    view = OccurrenceViewSet.as_view(
        {"get": "tiles"},
        filter_backends=[KnownParameters, QueryFilterBackend],
        pagination_class=None,
    )
    return [
        re_path(
            r"^occurrences/tiles/(?P<z>[0-9]{1,2})/(?P<x>[0-9]{1,7})/(?P<y>[0-9]{1,7})"
            r"\.mvt$",
            view,
            name="occurrence-tiles",
        )
    ]


def register(router) -> None:
    router.register("occurrences", OccurrenceViewSet, basename="occurrence")
    router.register("atlas", AtlasViewSet, basename="atlas")
