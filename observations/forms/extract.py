"""The partner extract request: territory, taxa, years, programmes, validation, formats.

Communes and taxa are lists of codes (INSEE, cd_nom), typed or pasted as such; the page
turns each field into a search by name that adds removable chips
(``observations/includes/chips_field.html``), and shows the names of the codes chosen."""

import re

from django import forms
from django.conf import settings
from django.contrib.gis.geos import MultiPolygon
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpie_naturaliste.core.geo import territory_polygon
from observations.forms.geometry import geometry_from_geojson
from observations.models import VALIDATION_CHOICES, Extract
from referentiel.models import AtlasGroup, Commune, Programme, Site, Taxon

CODES_SPLIT = re.compile(r"[\s,;]+")
FIRST_YEAR = 1900


def _codes(text: str) -> list[str]:
    return [code for code in CODES_SPLIT.split(text.strip()) if code]


class ExtractForm(forms.Form):
    recipient = forms.ModelChoiceField(
        queryset=None,
        label=gettext_lazy("Pour l'organisme"),
        help_text=gettext_lazy(
            "La précision des données sensibles est celle accordée à cet organisme."
        ),
    )
    purpose = forms.CharField(
        label=gettext_lazy("Objet de la demande"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("Étude, convention, porter-à-connaissance…"),
    )
    area = forms.CharField(
        label=gettext_lazy("Territoire dessiné"),
        widget=forms.HiddenInput,
        required=False,
    )
    communes = forms.CharField(
        label=gettext_lazy("Communes"),
        required=False,
        help_text=gettext_lazy(
            "Tapez le nom ou le code INSEE et choisissez dans la liste ; une liste de "
            "codes INSEE collée (62498, 59350) est acceptée."
        ),
    )
    sites = forms.ModelMultipleChoiceField(
        queryset=None,
        label=gettext_lazy("Sites"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    atlas_groups = forms.ModelMultipleChoiceField(
        queryset=AtlasGroup.objects.all(),
        to_field_name="code",
        label=gettext_lazy("Groupes taxonomiques"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    taxa = forms.CharField(
        label=gettext_lazy("Taxons"),
        required=False,
        help_text=gettext_lazy(
            "Nom latin ou français (3 lettres au moins), ou cd_nom TAXREF ; une liste de "
            "cd_nom collée est acceptée. Chaque taxon avec ses taxons inférieurs."
        ),
    )
    year_min = forms.IntegerField(label=gettext_lazy("De l'année"), required=False)
    year_max = forms.IntegerField(label=gettext_lazy("À l'année"), required=False)
    programmes = forms.ModelMultipleChoiceField(
        queryset=Programme.objects.all(),
        to_field_name="code",
        label=gettext_lazy("Programmes"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    validation = forms.TypedMultipleChoiceField(
        choices=VALIDATION_CHOICES,
        coerce=int,
        label=gettext_lazy("Statuts de validation"),
        required=False,
        initial=[1, 2],
        widget=forms.CheckboxSelectMultiple,
    )
    formats = forms.MultipleChoiceField(
        choices=Extract.Format.choices,
        label=gettext_lazy("Formats"),
        initial=[Extract.Format.CSV],
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Plusieurs formats : un seul fichier ZIP, un fichier par format."
        ),
        error_messages={"required": gettext_lazy("Choisissez au moins un format.")},
    )

    # The error summary links the drawn territory's errors to the map (a Tab stop).
    error_anchors = {"area": "extract-map"}

    def __init__(self, *args, user, recipients, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = recipients
        self.fields["sites"].queryset = sites
        if user.organisation_id and not self.is_bound:
            self.initial.setdefault("recipient", user.organisation_id)

    def clean_area(self):
        text = self.cleaned_data["area"].strip()
        if not text:
            return None
        geom = geometry_from_geojson(text)
        if geom.geom_type != "Polygon":
            raise ValidationError(_("Dessinez un polygone pour le territoire."))
        geom = geom.transform(settings.SRID, clone=True)
        if not geom.valid:
            raise ValidationError(
                _("Le territoire dessiné se recoupe lui-même : redessinez-le.")
            )
        if not geom.intersects(territory_polygon()):
            raise ValidationError(_("Le territoire dessiné est hors de la région."))
        return MultiPolygon(geom, srid=settings.SRID)

    def clean_communes(self):
        codes = _codes(self.cleaned_data["communes"])
        found = set(
            Commune.objects.filter(insee__in=codes).values_list("insee", flat=True)
        )
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise ValidationError(
                _("Code(s) INSEE inconnu(s) : %(codes)s.")
                % {"codes": ", ".join(unknown[:10])}
            )
        return sorted(set(codes))

    def clean_taxa(self):
        codes = _codes(self.cleaned_data["taxa"])
        bad = [code for code in codes if not code.isdigit()]
        numbers = {int(code) for code in codes if code.isdigit()}
        found = set(
            Taxon.objects.filter(pk__in=numbers).values_list("cd_nom", flat=True)
        )
        unknown = bad + [str(n) for n in sorted(numbers - found)]
        if unknown:
            raise ValidationError(
                _("cd_nom inconnu(s) dans TAXREF : %(codes)s.")
                % {"codes": ", ".join(unknown[:10])}
            )
        return sorted(numbers)

    def _year(self, name):
        year = self.cleaned_data.get(name)
        if year is not None and not FIRST_YEAR <= year <= timezone.localdate().year:
            raise ValidationError(
                _("Année entre %(first)d et %(last)d.")
                % {"first": FIRST_YEAR, "last": timezone.localdate().year}
            )
        return year

    def clean_year_min(self):
        return self._year("year_min")

    def clean_year_max(self):
        return self._year("year_max")

    def clean(self):
        data = super().clean()
        low, high = data.get("year_min"), data.get("year_max")
        if low and high and low > high:
            self.add_error("year_max", _("L'année de fin précède l'année de début."))
        return data

    def chosen(self, name: str) -> list[dict]:
        """The communes or taxa of the request, named, for the chips of the page: the
        valid codes of the cleaned field, or of the submitted text when it was refused."""
        codes = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
        if codes is None:
            codes = _codes(str(self.data.get(name, "") if self.is_bound else ""))
        if name == "communes":
            return [
                {"value": c.insee, "label": f"{c.name} ({c.insee})"}
                for c in Commune.objects.filter(insee__in=codes).order_by("name")
            ]
        numbers = [int(code) for code in codes if str(code).isdigit()]
        return [
            {"value": str(t.cd_nom), "label": taxon_label(t)}
            for t in Taxon.objects.filter(pk__in=numbers).order_by("scientific_name")
        ]

    def filters(self) -> dict:
        """The cleaned filters as the extract log keeps them (JSON)."""
        data = self.cleaned_data
        return {
            key: value
            for key, value in {
                "communes": data["communes"],
                "sites": sorted(site.pk for site in data["sites"]),
                "atlas_groups": sorted(group.code for group in data["atlas_groups"]),
                "taxa": data["taxa"],
                "year_min": data["year_min"],
                "year_max": data["year_max"],
                "programmes": sorted(p.code for p in data["programmes"]),
                "validation": sorted(data["validation"]),
            }.items()
            if value not in (None, [], "")
        }


def taxon_label(taxon: Taxon) -> str:
    """ "Bufo bufo — Crapaud commun", as the taxon search proposes it."""
    french = (taxon.vernacular_name or "").split(",")[0].strip()
    return f"{taxon.scientific_name} — {french}" if french else taxon.scientific_name


def sites_for(user):
    return Site.objects.visible_to(user).order_by("name")
