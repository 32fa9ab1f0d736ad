"""FilterSets of the ringing app, shared by the HTML session list and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from baguage.models import Capture, RingingProgramme, Session
from baguage.permissions import stations_visible_to
from baguage.services import ring_normalise
from cpie_naturaliste.core.filters import YearFilter


class SessionFilter(django_filters.FilterSet):
    year = YearFilter(field_name="date", label=_("Année"))
    station = django_filters.ModelChoiceFilter(
        # Only the stations the user may see named (baguage.permissions).
        queryset=lambda request: stations_visible_to(getattr(request, "user", None)),
        label=_("Station"),
        empty_label=_("Toutes les stations"),
    )
    programme = django_filters.ModelChoiceFilter(
        queryset=RingingProgramme.objects.select_related("programme"),
        label=_("Programme"),
        empty_label=_("Tous les programmes"),
    )

    class Meta:
        model = Session
        fields = ["year", "station", "programme"]


class CaptureFilter(django_filters.FilterSet):
    session = django_filters.NumberFilter(field_name="session_id", label=_("Session"))
    ring = django_filters.CharFilter(
        method="filter_ring",
        label=_("N° de bague"),
        help_text=_("Espaces, points et tirets ignorés ; majuscules indifférentes."),
    )
    action = django_filters.ChoiceFilter(
        choices=Capture.Action.choices, label=_("Action")
    )

    class Meta:
        model = Capture
        fields = ["session", "ring", "action"]

    def filter_ring(self, queryset, name, value):
        return queryset.filter(ring_number=ring_normalise(value))
