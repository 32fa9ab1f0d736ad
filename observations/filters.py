"""The one FilterSet of occurrences, shared by the list page, the map layer, the API and exports."""

import django_filters as filters
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.filters import Wgs84InBBoxFilter, YearFilter, known_value
from cpie_naturaliste.core.geo import GRID_10KM_RE, grid_10km_polygon
from observations.blurring import attribute_q, filter_area, filter_attribute
from observations.models import (
    VALIDATION_CHOICES,
    Occurrence,
    OccurrenceDeletion,
    Source,
)
from referentiel.models import (
    AtlasGroup,
    Commune,
    Dataset,
    Departement,
    Person,
    Programme,
    Site,
    Taxon,
)


class OccurrenceFilter(filters.FilterSet):
    # A number, not a choice list: a full TAXREF would render 700,000 <option>s.
    taxon = filters.NumberFilter(
        method="filter_taxon",
        validators=[
            known_value(Taxon.objects, "pk", _("Taxon inconnu : cd_nom %(value)s."))
        ],
        label=_("Taxon (cd_nom)"),
        help_text=_(
            "Le taxon, ses synonymes et, sauf descendants=false, les taxons inférieurs."
        ),
    )
    descendants = filters.BooleanFilter(
        method="filter_noop", label=_("Inclure les taxons inférieurs")
    )
    atlas_group = filters.ModelChoiceFilter(
        queryset=AtlasGroup.objects.all(),
        to_field_name="code",
        label=_("Groupe d'atlas"),
    )
    date_min = filters.DateFilter(
        field_name="date_start", lookup_expr="gte", label=_("Du")
    )
    date_max = filters.DateFilter(
        field_name="date_start", lookup_expr="lte", label=_("Au")
    )
    year = YearFilter(field_name="date_start", label=_("Année"))
    # Codes, checked: an unknown one is a 400 naming it, not an empty page.
    commune = filters.CharFilter(
        method="filter_commune",
        validators=[
            known_value(
                Commune.objects, "insee", _("Commune inconnue : « %(value)s ».")
            )
        ],
        label=_("Commune (code INSEE)"),
    )
    departement = filters.CharFilter(
        method="filter_departement",
        validators=[
            known_value(
                Departement.objects, "code", _("Département inconnu : « %(value)s ».")
            )
        ],
        label=_("Département"),
    )
    grid_10km = filters.CharFilter(
        method="filter_grid",
        validators=[
            RegexValidator(
                GRID_10KM_RE,
                _("Maille 10 km attendue au format 10kmL93E065N698."),
            )
        ],
        label=_("Maille 10 km"),
    )
    site = filters.ModelChoiceFilter(
        queryset=lambda request: _for_reader(Site.objects, request),
        method="filter_site",
        label=_("Site"),
    )
    programme = filters.ModelChoiceFilter(
        queryset=Programme.objects.all(), to_field_name="code", label=_("Programme")
    )
    observer = filters.ModelChoiceFilter(
        queryset=Person.objects.all(), field_name="observers", label=_("Observateur")
    )
    # distinct=False: a column of the row cannot duplicate it, and DISTINCT over a
    # million rows costs ~200 ms on every page.
    validation_status = filters.MultipleChoiceFilter(
        choices=VALIDATION_CHOICES, label=_("Statut de validation"), distinct=False
    )
    dataset = filters.ModelChoiceFilter(
        queryset=lambda request: _for_reader(Dataset.objects, request),
        to_field_name="uuid",
        label=_("Jeu de données"),
    )
    presence = filters.ChoiceFilter(
        field_name="observation_status",
        choices=[("Pr", _("Présences")), ("No", _("Absences"))],
        label=_("Présence"),
    )
    source = filters.ChoiceFilter(choices=Source.choices, label=_("Source"))
    q = filters.CharFilter(
        method="filter_text", label=_("Recherche (lieu, commentaire, observateurs)")
    )
    # Incremental sync (README): records created or changed at or after this instant,
    # read in the order of their modification (observations.api pages them by cursor).
    updated_since = filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("Modifiées depuis"),
        help_text=_(
            "Date et heure ISO 8601 (2026-03-01T08:00:00+01:00) ; sans fuseau, heure de "
            "Paris. Trie par date de modification et pagine par curseur."
        ),
    )
    ordering = filters.OrderingFilter(
        fields=[
            ("date_start", "date"),
            ("taxon__scientific_name", "taxon"),
            ("validation_status", "validation"),
            ("created_at", "created"),
        ],
        field_labels={
            "date": _("Date"),
            "taxon": _("Taxon"),
            "validation": _("Validation"),
            "created": _("Saisie"),
        },
        label=_("Tri"),
    )

    class Meta:
        model = Occurrence
        fields: list[str] = []

    def filter_noop(self, queryset, name, value):
        return queryset  # read by filter_taxon

    def filter_taxon(self, queryset, name, cd_nom):
        taxon = Taxon.objects.filter(pk=cd_nom).first()
        if taxon is None:
            return queryset.none()
        descendants = self.form.cleaned_data.get("descendants")
        return queryset.of_taxon(taxon, descendants=descendants is not False)

    # Area filters see a blurred record only through its blurred geometry, and attribute
    # filters never match what blurring dropped (observations.blurring).
    def filter_commune(self, queryset, name, value):
        area = (
            Commune.objects.filter(insee=value).values_list("geom", flat=True).first()
        )
        return filter_area(queryset, precise=Q(communes__contains=[value]), area=area)

    def filter_departement(self, queryset, name, value):
        area = (
            Departement.objects.filter(code=value)
            .values_list("geom", flat=True)
            .first()
        )
        return filter_area(queryset, precise=Q(departement_id=value), area=area)

    def filter_grid(self, queryset, name, value):
        area = grid_10km_polygon(value) if GRID_10KM_RE.match(value) else None
        return filter_area(queryset, precise=Q(grid_10km=value), area=area)

    def filter_site(self, queryset, name, site):
        return filter_attribute(queryset, Q(site=site))

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(observers_label__icontains=value)
            | attribute_q(
                queryset, Q(place_name__icontains=value) | Q(comment__icontains=value)
            )
        )


class OccurrenceBBoxFilter(Wgs84InBBoxFilter):
    """``in_bbox`` on what the reader sees: a blurred record by its blurred area.

    A record is in the view when its geometry's box overlaps it (a point: when it lies
    in it; a line or a polygon reaching into the view is shown too). ``&&`` is estimated
    by PostgreSQL from the column's statistics, which ``@`` (contained) is not: for a
    whole-region box it planned 500 rows and built a bitmap of the million before
    counting up to the map's point limit (70 ms), where reading the table in order
    stops at the limit."""

    def filter_queryset(self, request, queryset, view):
        bbox = self.get_filter_bbox(request)
        if bbox is None:
            return queryset
        return occurrences_in_box(queryset, bbox)


def occurrences_in_box(queryset, box):
    """The occurrences of ``queryset`` whose geometry, as its reader sees it, overlaps
    ``box``: a blurred record only through its blurred area (``blurring.filter_area``).
    The API's ``in_bbox`` and the OGC API's ``bbox`` are this one filter."""
    return filter_area(queryset, precise=Q(geom__bboverlaps=box), area=box)


def _for_reader(manager, request):
    """The choices a filter offers (and accepts): what the request's user may read. A
    choice list is a page too: it must not name another organisation's private
    datasets or protected sites."""
    user = getattr(request, "user", None)
    if user is None:
        return manager.none()
    return manager.visible_to(user)


class DeletionFilter(filters.FilterSet):
    """The deletions feed's one filter (``/api/v1/occurrences/deletions/?since=``)."""

    since = filters.IsoDateTimeFilter(
        field_name="deleted_at",
        lookup_expr="gte",
        label=_("Depuis"),
        help_text=_(
            "Date et heure ISO 8601 ; sans fuseau, heure de Paris. La valeur « until » "
            "de la synchronisation précédente."
        ),
    )

    class Meta:
        model = OccurrenceDeletion
        fields: list[str] = []
