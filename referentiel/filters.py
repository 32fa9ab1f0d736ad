"""FilterSets of the referential, shared by the API and the HTML lists."""

import re

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.text import normalize_search
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

SEARCH_MIN_LETTERS = 3


def validate_taxon_search(value: str) -> None:
    """A taxon search needs a word of at least 3 letters: shorter terms match too many names
    for the trigram index to help, and would be noise in an autocomplete anyway."""
    words = re.split(r"[\W_]+", normalize_search(value))
    if max((len(word) for word in words), default=0) < SEARCH_MIN_LETTERS:
        raise ValidationError(
            _("Saisissez au moins %(count)d lettres d'un nom latin ou français."),
            code="too_short",
            params={"count": SEARCH_MIN_LETTERS},
        )


class NumberInFilter(django_filters.BaseInFilter, django_filters.NumberFilter):
    pass


class TaxonFilter(django_filters.FilterSet):
    cd_nom = NumberInFilter(
        field_name="cd_nom",
        label=_("cd_nom (un ou plusieurs, séparés par des virgules)"),
    )
    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Recherche"),
        validators=[validate_taxon_search],
        help_text=_(
            "Début des mots du nom latin ou français, au moins 3 lettres ; accents et "
            "majuscules ignorés, fautes de frappe tolérées. Noms valides en premier, "
            "espèces avant les genres."
        ),
    )
    atlas_group = django_filters.CharFilter(
        field_name="atlas_group__code", label=_("Groupe d'atlas (code)")
    )
    rank = django_filters.BaseInFilter(
        field_name="rank", label=_("Rang TAXREF (ex. ES ou ES,SSES)")
    )
    valid_only = django_filters.BooleanFilter(
        method="filter_valid_only", label=_("Noms valides seulement")
    )

    class Meta:
        model = Taxon
        fields = ["cd_nom", "search", "atlas_group", "rank", "valid_only"]

    def filter_search(self, queryset, name, value):
        return queryset.search(value, typos=True)

    def filter_valid_only(self, queryset, name, value):
        return queryset.filter(is_valid=True) if value else queryset


class NameOrCodeFilterSet(django_filters.FilterSet):
    """Adds ``search``: accent- and case-insensitive match on the name, or the code."""

    search = django_filters.CharFilter(method="filter_search", label=_("Recherche"))
    search_fields: tuple[str, ...] = ("name",)
    code_field: str | None = None

    def filter_search(self, queryset, name, value):
        value = value.strip()
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__unaccent__icontains": value})
        if self.code_field:
            condition |= Q(**{f"{self.code_field}__istartswith": value})
        return queryset.filter(condition)


class SiteFilter(NameOrCodeFilterSet):
    code_field = "code"
    kind = django_filters.MultipleChoiceFilter(
        choices=Site.Kind.choices, label=_("Type de site")
    )
    commune = django_filters.CharFilter(
        field_name="communes__insee", label=_("Commune (code INSEE)")
    )
    manager = django_filters.NumberFilter(
        field_name="manager_id", label=_("Gestionnaire (identifiant)")
    )

    class Meta:
        model = Site
        fields = ["search", "kind", "commune", "manager"]


class CommuneFilter(NameOrCodeFilterSet):
    code_field = "insee"
    insee = django_filters.BaseInFilter(
        field_name="insee",
        label=_("Codes INSEE (un ou plusieurs, séparés par des virgules)"),
    )
    departement = django_filters.CharFilter(
        field_name="departement_id", label=_("Département (code)")
    )

    class Meta:
        model = Commune
        fields = ["insee", "search", "departement"]


class DatasetFilter(NameOrCodeFilterSet):
    search_fields = ("title", "short_title")
    programme = django_filters.CharFilter(
        field_name="programme__code", label=_("Programme (code)")
    )
    producer = django_filters.NumberFilter(
        field_name="producer_id", label=_("Organisme producteur (identifiant)")
    )

    class Meta:
        model = Dataset
        fields = ["search", "programme", "producer", "is_public"]


class ProgrammeFilter(NameOrCodeFilterSet):
    code_field = "code"
    active_in = django_filters.NumberFilter(
        method="filter_active_in", label=_("Actif l'année")
    )
    atlas_group = django_filters.CharFilter(
        field_name="taxon_groups__code", label=_("Groupe d'atlas suivi (code)")
    )

    class Meta:
        model = Programme
        fields = ["search", "level", "coordinator", "active_in", "atlas_group"]

    def filter_active_in(self, queryset, name, value):
        return queryset.active_in(int(value))


class AtlasGroupFilter(django_filters.FilterSet):
    class Meta:
        model = AtlasGroup
        fields = ["kingdom"]


class OrganisationFilter(NameOrCodeFilterSet):
    search_fields = ("name", "short_name")

    class Meta:
        model = Organisation
        fields = ["search", "kind", "is_network_member"]


class PersonFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Recherche"),
        help_text=_(
            "Début du prénom ou du nom (chaque mot), accents et majuscules ignorés."
        ),
    )
    id = NumberInFilter(
        field_name="id", label=_("Identifiants (séparés par des virgules)")
    )
    # By the reverse name of the ringing module's ringers (the referential imports no
    # app above it): the session form's ringers chooser.
    bagueur = django_filters.BooleanFilter(
        field_name="ringer",
        lookup_expr="isnull",
        exclude=True,
        label=_("Bagueurs"),
        help_text=_(
            "« true » : seulement les bagueurs (titulaires d'un permis CRBPO), "
            "« false » : seulement les autres."
        ),
    )

    class Meta:
        model = Person
        fields = ["search", "id", "bagueur"]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)
