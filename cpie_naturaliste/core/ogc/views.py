"""The OGC API – Features endpoints (Part 1 Core, GeoJSON, OpenAPI 3.0) under ``/ogc/``.

What QGIS, GDAL/OGR (the ``OAPIF`` driver) and other GIS clients read: the landing page,
the conformance declaration, the OpenAPI definition, the collections declared by the
apps (``cpie_naturaliste.core.ogc.collections``) and their features.

Reading follows each collection's own selector, the one its pages and REST API use: the
occurrences blurred per reader, sites as the referential shows them, and so on; a
collection a user may not read is absent from the list and answers 401 (asking to sign
in) to an anonymous client, 404 to a signed-in one. Clients sign in with the API token
(``Authorization: Token …``, from ``/api/v1/token/``), HTTP Basic (identifier and
password: the failures count towards the login lockout of django-axes, and a locked login
answers 429 with Retry-After) or the site's session.

Features are ordered by identifier and paged by cursor (``after`` / ``before`` in the
``next`` and ``prev`` links): a page does not shift when rows are added or removed
before it. ``numberMatched`` counts the features matching the request.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.gis.db.models.aggregates import Extent
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.contrib.gis.geos import Polygon
from django.db.models import Max, Min, Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cpie_naturaliste.core.auth import AxesBasicAuthentication
from cpie_naturaliste.core.ogc.collections import (
    PROPERTY_TYPES,
    Collection,
    collection_named,
    declared_collections,
)
from cpie_naturaliste.core.ogc.params import (
    ITEMS_PARAMETERS,
    LIMIT_DEFAULT,
    LIMIT_MAX,
    InvalidParameter,
    check_format,
    check_known,
    parse_bbox,
    parse_cursor,
    parse_datetime_param,
    parse_limit,
)

JSON = "application/json"
GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
JSON_SCHEMA = "application/schema+json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
# Status → OGC exception code (the body is {"code", "description"}).
CODES = {
    400: "InvalidParameterValue",
    401: "NotAuthenticated",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    429: "TooManyRequests",
}


def _default(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(data) -> str:
    return json.dumps(data, default=_default, ensure_ascii=False)


def json_response(body: str | dict, content_type: str = JSON, status: int = 200):
    text = body if isinstance(body, str) else dumps(body)
    return HttpResponse(text, content_type=content_type, status=status)


def ogc_error(status: int, description: str, code: str | None = None):
    return json_response(
        {"code": code or CODES.get(status, "ServerError"), "description": description},
        status=status,
    )


def link(href: str, rel: str, type_: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": type_, "title": title}


class OgcView(APIView):
    """Read-only; signed in by token, HTTP Basic or session; errors as OGC exceptions
    (``{"code", "description"}``) in French. Not in the REST API's schema: the OGC API
    describes itself (``/ogc/api``, OpenAPIView)."""

    schema = None
    authentication_classes = [
        AxesBasicAuthentication,
        TokenAuthentication,
        SessionAuthentication,
    ]
    permission_classes = [AllowAny]
    http_method_names = ["get", "head", "options"]

    def handle_exception(self, exc):
        if isinstance(exc, InvalidParameter):
            return ogc_error(400, exc.message, exc.code)
        response = super().handle_exception(exc)
        data = getattr(response, "data", None)
        if isinstance(response, Response) and isinstance(data, dict):
            response.data = {
                "code": CODES.get(response.status_code, "ServerError"),
                "description": str(data.get("detail", "")),
            }
        return response

    def url(self, name: str, *args, query: dict | None = None) -> str:
        path = reverse(f"ogc:{name}", args=args)
        if query:
            path = f"{path}?{urlencode(query)}"
        return self.request.build_absolute_uri(path)

    def check_query(self, accepted: tuple[str, ...] = ("f",)) -> None:
        check_known(self.request.GET, accepted)
        check_format(self.request.GET.get("f"))

    def collection(self, collection_id: str) -> Collection:
        """The collection, if offered to the user: else 401 to an anonymous client (so
        that QGIS asks for an identifier), 404 to the others."""
        collection = collection_named(collection_id)
        user = self.request.user
        if collection is not None and not collection.offered_to(user):
            if not user.is_authenticated:
                raise exceptions.NotAuthenticated(
                    _(
                        "Cette collection demande une connexion : identifiant et mot "
                        "de passe (HTTP Basic) ou jeton d'API (Authorization: Token …)."
                    )
                )
            collection = None
        if collection is None:
            raise exceptions.NotFound(
                _("Collection inconnue : %(id)s.") % {"id": collection_id}
            )
        return collection


class LandingView(OgcView):
    def get(self, request):
        self.check_query()
        return json_response(
            {
                "title": _("CPIE Naturaliste — OGC API – Features"),
                "description": _(
                    "Couches des données naturalistes du réseau des CPIE des "
                    "Hauts-de-France, pour QGIS et les autres SIG : observations "
                    "(floutées selon vos droits), sites, terrils, aires POP Amphibien, "
                    "zones humides. GeoJSON en WGS84."
                ),
                "links": [
                    link(self.url("landing"), "self", JSON, _("Cette page")),
                    link(
                        self.url("openapi"),
                        "service-desc",
                        OPENAPI,
                        _("Définition de l'API (OpenAPI 3.0)"),
                    ),
                    link(
                        self.url("conformance"),
                        "conformance",
                        JSON,
                        _("Classes de conformité"),
                    ),
                    link(self.url("collections"), "data", JSON, _("Collections")),
                ],
            }
        )


class ConformanceView(OgcView):
    def get(self, request):
        self.check_query()
        return json_response({"conformsTo": CONFORMANCE})


def _extent(collection: Collection, queryset) -> dict | None:
    """The spatial (CRS84) and temporal extent of what the reader reads."""
    aggregates = {"box": Extent(collection.geometry_expression(queryset))}
    if collection.dates:
        aggregates["first"] = Min(collection.dates[0])
        aggregates["last"] = Max(collection.dates[1])
    values = queryset.order_by().aggregate(**aggregates)
    extent = {}
    if values["box"] is not None:
        box = Polygon.from_bbox(values["box"])
        box.srid = settings.SRID
        box.transform(settings.API_SRID)
        minx, miny, maxx, maxy = box.extent
        extent["spatial"] = {
            "bbox": [[round(minx, 6), round(miny, 6), round(maxx, 6), round(maxy, 6)]],
            "crs": CRS84,
        }
    if collection.dates:
        first, last = values["first"], values["last"]
        extent["temporal"] = {
            "interval": [
                [
                    f"{first.isoformat()}T00:00:00Z" if first else None,
                    f"{last.isoformat()}T23:59:59Z" if last else None,
                ]
            ],
            "trs": GREGORIAN,
        }
    return extent or None


class CollectionsView(OgcView):
    def get(self, request):
        self.check_query()
        return json_response(
            {
                "links": [
                    link(self.url("collections"), "self", JSON, _("Collections")),
                ],
                "collections": [
                    collection_document(self, collection)
                    for collection in declared_collections()
                    if collection.offered_to(request.user)
                ],
            }
        )


def collection_document(view: OgcView, collection: Collection) -> dict:
    document = {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            link(
                view.url("collection", collection.id),
                "self",
                JSON,
                collection.title,
            ),
            link(
                view.url("items", collection.id),
                "items",
                GEOJSON,
                _("Éléments de la collection"),
            ),
            link(
                view.url("schema", collection.id),
                "describedby",
                JSON_SCHEMA,
                _("Schéma d'un élément (JSON Schema)"),
            ),
        ],
    }
    if collection.keywords:
        document["keywords"] = list(collection.keywords)
    extent = _extent(collection, collection.rows(view.request.user))
    if extent:
        document["extent"] = extent
    return document


class CollectionView(OgcView):
    def get(self, request, collection_id):
        self.check_query()
        collection = self.collection(collection_id)
        return json_response(collection_document(self, collection))


def feature_schema(collection: Collection) -> dict:
    """A feature of the collection as a JSON Schema (GeoJSON Feature)."""
    properties = {}
    for prop in collection.properties:
        kind, fmt = PROPERTY_TYPES[prop.type]
        entry = {"title": prop.title, "type": kind}
        if fmt:
            entry["format"] = fmt
        properties[prop.name] = entry
    return {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "title": collection.title,
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "integer"},
            "geometry": {"title": collection.geometry_type, "type": "object"},
            "properties": {"type": "object", "properties": properties},
        },
    }


class SchemaView(OgcView):
    def get(self, request, collection_id):
        self.check_query()
        collection = self.collection(collection_id)
        return json_response(feature_schema(collection), content_type=JSON_SCHEMA)


def features(collection: Collection, queryset) -> list[tuple[int, str]]:
    """``(id, GeoJSON text)`` of each feature of ``queryset`` (geometry in WGS84, 6
    decimals ≈ 0.1 m, written by PostGIS), in the queryset's order."""
    geometry = AsGeoJSON(
        Transform(collection.geometry_expression(queryset), settings.API_SRID),
        precision=6,
    )
    names = [prop.name for prop in collection.properties]
    rows = queryset.values_list(
        "pk", geometry, *(prop.expression(queryset) for prop in collection.properties)
    )
    return [
        (
            pk,
            f'{{"type":"Feature","id":{int(pk)},"geometry":{geom or "null"},'
            f'"properties":{dumps(dict(zip(names, values, strict=True)))}}}',
        )
        for pk, geom, *values in rows
    ]


def _now() -> str:
    return timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ItemsView(OgcView):
    def get(self, request, collection_id):
        collection = self.collection(collection_id)
        query = request.GET
        check_known(query, ITEMS_PARAMETERS)
        check_format(query.get("f"))
        limit = parse_limit(query.get("limit"))
        box = parse_bbox(query.get("bbox"))
        dates = parse_datetime_param(query.get("datetime"))
        after = parse_cursor("after", query.get("after"))
        before = parse_cursor("before", query.get("before"))
        if after is not None and before is not None:
            raise InvalidParameter(
                _("after et before ne peuvent pas être donnés ensemble.")
            )

        queryset = collection.rows(request.user)
        if box is not None:
            queryset = collection.filter_box(queryset, box)
        if dates is not None and collection.dates:
            start, end = collection.dates
            if dates.end is not None:
                queryset = queryset.filter(Q(**{f"{start}__lte": dates.end}))
            if dates.start is not None:
                queryset = queryset.filter(Q(**{f"{end}__gte": dates.start}))
        matched = queryset.order_by().count()

        if before is not None:
            page = queryset.filter(pk__lt=before).order_by("-pk")
            found = features(collection, page[: limit + 1])[::-1]
            has_prev, has_next = len(found) > limit, True
            found = found[-limit:] if has_prev else found
        else:
            page = queryset.order_by("pk")
            if after is not None:
                page = page.filter(pk__gt=after)
            found = features(collection, page[: limit + 1])
            has_next, has_prev = len(found) > limit, after is not None
            found = found[:limit]

        kept = {k: v for k, v in query.items() if k not in ("after", "before")}
        links = [
            link(
                self.url("items", collection.id, query=dict(query.items())),
                "self",
                GEOJSON,
                _("Cette page"),
            ),
            link(
                self.url("collection", collection.id),
                "collection",
                JSON,
                collection.title,
            ),
        ]
        ids = [pk for pk, _text in found]
        if has_next and ids:
            links.append(
                link(
                    self.url("items", collection.id, query={**kept, "after": ids[-1]}),
                    "next",
                    GEOJSON,
                    _("Page suivante"),
                )
            )
        if has_prev:
            cursor = ids[0] if ids else (after + 1 if after is not None else before)
            links.append(
                link(
                    self.url("items", collection.id, query={**kept, "before": cursor}),
                    "prev",
                    GEOJSON,
                    _("Page précédente"),
                )
            )
        head = dumps(
            {
                "type": "FeatureCollection",
                "numberMatched": matched,
                "numberReturned": len(found),
                "timeStamp": _now(),
                "links": links,
            }
        )
        texts = (text for _pk, text in found)
        body = head[:-1] + ',"features":[' + ",".join(texts) + "]}"
        return json_response(body, content_type=GEOJSON)


class ItemView(OgcView):
    def get(self, request, collection_id, feature_id):
        self.check_query()
        collection = self.collection(collection_id)
        found = features(
            collection, collection.rows(request.user).filter(pk=feature_id)
        )
        if not found:
            raise exceptions.NotFound(
                _("Élément inconnu dans la collection %(id)s : %(feature)s.")
                % {"id": collection.id, "feature": feature_id}
            )
        links = [
            link(
                self.url("item", collection.id, feature_id),
                "self",
                GEOJSON,
                _("Cet élément"),
            ),
            link(
                self.url("collection", collection.id),
                "collection",
                JSON,
                collection.title,
            ),
        ]
        body = found[0][1][:-1] + ',"links":' + dumps(links) + "}"
        return json_response(body, content_type=GEOJSON)


class OpenApiView(OgcView):
    def get(self, request):
        self.check_query()
        return json_response(openapi_document(self), content_type=OPENAPI)


def _parameter(name: str, description: str, schema: dict, **extra) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
        **extra,
    }


ITEMS_PARAMETER_DOCS = {
    "bbox": _parameter(
        "bbox",
        "Emprise minlon,minlat,maxlon,maxlat en degrés WGS84 (CRS84) ; six nombres "
        "(avec altitudes) acceptés, altitudes ignorées. Une observation floutée n'est "
        "retenue que si sa zone de floutage touche l'emprise.",
        {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        style="form",
        explode=False,
    ),
    "datetime": _parameter(
        "datetime",
        "Date, instant ou intervalle RFC 3339 (2021-05-04, 2021-05-04T10:00:00Z, "
        "2021-01-01/2021-12-31, ../2021-12-31, 2021-01-01/..), comparé au jour dans "
        "le fuseau Europe/Paris. Sans effet sur une collection sans dates.",
        {"type": "string"},
    ),
    "limit": _parameter(
        "limit",
        f"Nombre d'éléments par page : {LIMIT_DEFAULT} par défaut, {LIMIT_MAX} au "
        "plus (une valeur plus grande donne le maximum).",
        {
            "type": "integer",
            "minimum": 1,
            "maximum": LIMIT_MAX,
            "default": LIMIT_DEFAULT,
        },
        style="form",
        explode=False,
    ),
    "after": _parameter(
        "after",
        "Curseur de page (identifiant du dernier élément de la page précédente) : "
        "suivez le lien next.",
        {"type": "integer", "minimum": 0},
    ),
    "before": _parameter(
        "before",
        "Curseur de page (identifiant du premier élément de la page suivante) : "
        "suivez le lien prev.",
        {"type": "integer", "minimum": 0},
    ),
    "f": _parameter(
        "f", "Encodage de la réponse (seul json existe).", {"enum": ["json"]}
    ),
}
assert tuple(ITEMS_PARAMETER_DOCS) == ITEMS_PARAMETERS


def _operation(summary: str, media_type: str, parameters=(), extra_responses=None):
    responses = {
        "200": {"description": summary, "content": {media_type: {}}},
        "400": {"description": "Paramètre invalide (exception OGC en français)."},
        **(extra_responses or {}),
    }
    return {
        "get": {
            "summary": summary,
            "parameters": [ITEMS_PARAMETER_DOCS["f"], *parameters],
            "responses": responses,
        }
    }


def openapi_document(view: OgcView) -> dict:
    """The OpenAPI 3.0 definition of ``/ogc/``, one path per collection, as the reader's
    collections list shows them."""
    not_found = {"404": {"description": "Collection ou élément inconnu."}}
    paths = {
        "/": _operation("Page d'accueil", JSON),
        "/conformance": _operation("Classes de conformité", JSON),
        "/api": _operation("Cette définition", OPENAPI),
        "/collections": _operation("Collections", JSON),
    }
    items_parameters = [
        ITEMS_PARAMETER_DOCS[name] for name in ITEMS_PARAMETERS if name != "f"
    ]
    for collection in declared_collections():
        if not collection.offered_to(view.request.user):
            continue
        base = f"/collections/{collection.id}"
        paths[base] = _operation(collection.title, JSON, (), not_found)
        paths[f"{base}/schema"] = _operation(
            f"{collection.title} : schéma", JSON_SCHEMA, (), not_found
        )
        paths[f"{base}/items"] = _operation(
            f"{collection.title} : éléments", GEOJSON, items_parameters, not_found
        )
        paths[f"{base}/items/{{featureId}}"] = _operation(
            f"{collection.title} : un élément", GEOJSON, (), not_found
        )
        paths[f"{base}/items/{{featureId}}"]["get"]["parameters"].append(
            {
                "name": "featureId",
                "in": "path",
                "required": True,
                "schema": {"type": "integer"},
            }
        )
    root = view.url("landing").rstrip("/")
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "CPIE Naturaliste — OGC API – Features",
            "version": "1.0.0",
            "description": (
                "OGC API – Features, partie 1 (Core, GeoJSON). Authentification : "
                "jeton d'API (Authorization: Token …) ou HTTP Basic."
            ),
        },
        "servers": [{"url": root}],
        "components": {
            "securitySchemes": {
                "basic": {"type": "http", "scheme": "basic"},
                "token": {"type": "apiKey", "in": "header", "name": "Authorization"},
            }
        },
        "security": [{}, {"basic": []}, {"token": []}],
        "paths": paths,
    }
