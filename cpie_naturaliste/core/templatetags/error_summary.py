"""The one error summary of the app's forms (``templates/core/error_summary.html``).

``{% error_summary form "L'observation n'a pas été enregistrée" %}`` lists every error of
``form`` (several forms: ``{% error_summary form1 title also=form2 %}``; a message of
the page first: ``message=...``) with a link to
its field; ``static/js/app.js`` moves the focus to the summary when the page opens and,
when a link is followed, to the field itself (the first choice of a radio group).

Where a link goes:
- a form may list its own ``(anchor, label, message)`` items (``error_summary()``);
- else each field links to its widget's id, or to the first choice of a group of radios
  or checkboxes (``id_species_0``: Django gives no ``id_for_label`` to a group);
- ``error_anchors`` on the form maps a field (hidden ones, such as a map's geometry) to
  the id of the element that edits it, and ``None`` to the form-wide errors' target;
- a hidden field without an anchor is listed without a link (never ``href="#"``)."""

from django import template
from django.forms.widgets import ChoiceWidget

register = template.Library()


def _anchor(form, name: str) -> str:
    anchors = getattr(form, "error_anchors", {}) or {}
    if name in anchors:
        return anchors[name] or ""
    bound = form[name]
    if bound.is_hidden:
        return ""
    if bound.id_for_label:
        return bound.id_for_label
    widget = bound.field.widget
    if isinstance(widget, ChoiceWidget) and bound.auto_id:
        return f"{bound.auto_id}_0"
    return bound.auto_id or ""


def error_items(form) -> list[tuple[str, str, str]]:
    """``(anchor, label, message)`` of every error of ``form``, in the order of its fields."""
    if form is None or not form.errors:
        return []
    if callable(getattr(form, "error_summary", None)):
        return list(form.error_summary())
    wide = (getattr(form, "error_anchors", {}) or {}).get(None, "")
    label = getattr(form, "error_anchor_label", "") if wide else ""
    items = [(wide, label, message) for message in form.non_field_errors()]
    for name, field in form.fields.items():
        for message in form.errors.get(name, []):
            items.append((_anchor(form, name), field.label or name, message))
    return items


@register.inclusion_tag("core/error_summary.html")
def error_summary(form, title, also=None, message=""):
    items = error_items(form)
    for other in also if isinstance(also, list | tuple) else [also]:
        items += error_items(other)
    if message:
        items.insert(0, ("", "", message))
    return {"items": items, "title": title}
