"""Records sent from a device's outbox (static/js/outbox.js) to the API, with the entry
form's own fields and a UUID made on the device.

- ``known_record``: the answer to a resend of a UUID already saved: the record (200) when
  the sender may read it, else a 409 that says no more.
- ``form_refusal``: a refused form as the API answers it, ``{field: [message, …],
  "labels": {field: label}}``: the French messages the page would have shown, and each
  field's label to show them with."""

from uuid import UUID

from django import forms
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

# The request body of such a route in the OpenAPI schema: the form's fields and "uuid".
ENTRY_REQUEST = {
    "type": "object",
    "properties": {"uuid": {"type": "string", "format": "uuid"}},
    "required": ["uuid"],
    "additionalProperties": True,
}


def sent_uuid(request) -> UUID | None:
    data = request.data
    try:
        return UUID(str(data.get("uuid"))) if isinstance(data, dict) else None
    except ValueError:
        return None


def known_record(
    *, uuid: UUID | None, model: type[Model], readable: QuerySet, serialize
) -> Response | None:
    """None when no ``model`` row has ``uuid`` (the send is a new record)."""
    if uuid is None:
        return None
    existing = model.objects.filter(uuid=uuid).values_list("pk", flat=True).first()
    if existing is None:
        return None
    record = readable.filter(pk=existing).first()
    if record is None:
        return Response(
            {"detail": _("Cet identifiant est déjà pris.")},
            status=status.HTTP_409_CONFLICT,
        )
    return Response(serialize(record))


def form_refusal(
    form: forms.Form, *, labels: dict | None = None, renamed: dict | None = None
) -> dict:
    """``labels``: a label for fields without one (a hidden field the page shows
    elsewhere); ``renamed``: a hidden field whose errors belong to the visible one."""
    labels, renamed = labels or {}, renamed or {}
    errors: dict = {}
    shown: dict = {}
    for name, messages in form.errors.items():
        key = "non_field_errors" if name == forms.forms.NON_FIELD_ERRORS else name
        key = renamed.get(key, key)
        field = form.fields.get(key)
        errors.setdefault(key, []).extend(str(m) for m in messages)
        if key != "non_field_errors":
            shown[key] = str(labels.get(key) or (field and field.label) or key)
    return {**errors, "labels": shown}
