"""Filters of the printable report: dates as a French letter writes them, text safe inside
a CSS string (the structure's name in the page margins)."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from baguage.reports import MONTHS

register = template.Library()


@register.filter
def french_date(value) -> str:
    """« 7 décembre 2026 », « 1er mars 2020 »: a date, a datetime (in local time), or a
    date as the snapshots keep it (ISO, or 31/12/2020); anything else as it is."""
    if isinstance(value, str):
        text = value
        for parse in (
            lambda: dt.date.fromisoformat(text[:10]),
            lambda: dt.datetime.strptime(text, "%d/%m/%Y").date(),
        ):
            try:
                value = parse()
                break
            except ValueError:
                continue
        else:
            return text
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    if not isinstance(value, dt.date):
        return "" if value is None else str(value)
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


@register.filter
def css_string(value) -> str:
    """``value`` as the inside of a double-quoted CSS string: quotes, backslashes and line
    ends escaped, and no ``<`` that could close the style element."""
    text = str(value or "")
    for char, escape in (("\\", "\\\\"), ('"', '\\"'), ("\n", " "), ("<", "\\3c ")):
        text = text.replace(char, escape)
    # Safe in a <style> element (raw text: an HTML entity would print as it is).
    return mark_safe(text)  # noqa: S308


# A figure's detail longer than this is cut in the printed table (the workbook lists it).
BRIEF_DETAIL = 180


@register.filter
def brief(detail) -> str:
    """A figure's detail as the printed table shows it: a long list (the taxa of 237 first
    mentions) cut after its first items, with how many there are in all."""
    text = "" if detail is None else str(detail)
    if len(text) <= BRIEF_DETAIL:
        return text
    items = text.split(", ")
    kept, length = [], 0
    for item in items:
        if length + len(item) > BRIEF_DETAIL - 30:
            break
        kept.append(item)
        length += len(item) + 2
    return f"{', '.join(kept)}… ({len(items)} au total)"
