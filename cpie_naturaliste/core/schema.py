"""OpenAPI schema generation: drf-spectacular's AutoSchema plus the API's error responses.

drf-spectacular documents only the success response of each operation, but every view of
the API also answers with DRF's errors: 400 (invalid filter, query, path or body, with one
list of French messages per field), 401 and 403 (authentication and permissions), 404
(unknown object, page past the end), 413 (a body too large), 415 (a body of a type the
API does not read), 429 (too many requests: the throttles, the login lockout of the
token endpoint). Clients generated from the schema, and the schemathesis test that
checks every response against it (tests/test_api_schemathesis.py), need them.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_gis import (
    GeoFeatureModelSerializerExtension,
)
from drf_spectacular.openapi import AutoSchema
from rest_framework.fields import TimeField
from rest_framework.permissions import AllowAny

DETAIL_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# {"champ": ["message", …], "non_field_errors": […]}, or {"detail": "…"} for a bad query.
VALIDATION_SCHEMA = {
    "type": "object",
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {}},
            {"type": "string"},
            {"type": "object"},
        ]
    },
}

TIME_PATTERN = r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"


def _response(description, schema, headers=None) -> dict:
    response = {
        "description": str(description),
        "content": {"application/json": {"schema": schema}},
    }
    if headers:
        response["headers"] = headers
    return response


WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "description": "Token",
        "schema": {"type": "string"},
    }
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Secondes à attendre avant de réessayer.",
        "schema": {"type": "integer"},
    }
}


class ErrorResponsesAutoSchema(AutoSchema):
    """Adds the error responses an operation can give, unless the view declares its own."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(
            path, path_regex, path_prefix, method, registry
        )
        if operation is None:
            return None
        responses = operation["responses"]
        parameters = operation.get("parameters", [])
        errors = {}
        if "requestBody" in operation or parameters:
            errors["400"] = _response(_("Requête invalide."), VALIDATION_SCHEMA)
        if "requestBody" in operation:
            # A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE (core.http).
            errors["413"] = _response(
                _("Données envoyées trop volumineuses."), DETAIL_SCHEMA
            )
            # A body DRF's parsers cannot read (another type, a broken multipart).
            errors["415"] = _response(
                _("Type de contenu non pris en charge."), DETAIL_SCHEMA
            )
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            # TokenAuthentication comes first: it names itself in WWW-Authenticate.
            errors["401"] = _response(
                _("Authentification requise."), DETAIL_SCHEMA, WWW_AUTHENTICATE
            )
            errors["403"] = _response(_("Accès refusé."), DETAIL_SCHEMA)
        # A path or query parameter may name what does not exist: an id, a page past the
        # end, a method version…
        if parameters:
            errors["404"] = _response(_("Introuvable."), DETAIL_SCHEMA)
        if self.view.get_throttles():
            # With Retry-After (core.throttling).
            errors["429"] = _response(
                _("Trop de requêtes."), DETAIL_SCHEMA, RETRY_AFTER
            )
        for code, response in errors.items():
            responses.setdefault(code, response)
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, TimeField) and schema.get("format") == "time":
            # DRF writes a local time, "06:30:00", without the UTC offset that the
            # "time" format (RFC 3339 full-time) requires: it is a partial-time.
            schema["format"] = "partial-time"
            schema["pattern"] = TIME_PATTERN
        return schema


class NullableGeometryFeatureExtension(GeoFeatureModelSerializerExtension):
    """drf-spectacular's GeoJSON Feature schema, with ``geometry`` nullable when the
    serializer's geometry field allows null (an operation without a drawn area)."""

    priority = 1

    def map_geo_feature_model_serializer(self, serializer, base_schema):
        schema = super().map_geo_feature_model_serializer(serializer, base_schema)
        if serializer.fields[serializer.Meta.geo_field].allow_null:
            geometry = schema["properties"]["geometry"]
            schema["properties"]["geometry"] = {**geometry, "nullable": True}
        return schema
