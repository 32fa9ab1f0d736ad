"""Forms of the wetlands pages: the POP passage sheet (phone-friendly), a newt capture,
the drift-fence morning round, water levels and management operations."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from observations.forms.geometry import geometry_as_geojson, geometry_from_geojson
from observations.forms.media import MediaField
from referentiel.models import Dataset, Organisation, Person, Site
from zones_humides.models import (
    FenceCheck,
    FenceCount,
    ManagementOperation,
    PassageObservation,
    PopPassage,
    WaterLevelReading,
)
from zones_humides.models.newts import NewtSex
from zones_humides.services import SpeciesLine, newt_photo_check
from zones_humides.taxa import protocol_taxa

NO_COUNT_FOR_MEDIA = _(
    "Indiquez l'effectif de l'espèce photographiée : ses photos vont à son observation."
)


def species_media_field(name: str) -> MediaField:
    """Photos and sounds of one species of a protocol sheet (a POP line, a fence
    count): they go to the record it publishes (``observations.services.media``)."""
    return MediaField(
        label=_("Photos et sons – %(species)s") % {"species": name}, help_text=""
    )


class SpeciesMediaMixin:
    """Per species row: a ``media`` field; ``species_media()`` gives the checked files
    by taxon (``{cd_nom: [Prepared]}``); a file for a species not counted is refused."""

    def add_species_media(self, row: dict, name: str) -> None:
        field = f"{name}_media"
        self.fields[field] = species_media_field(
            row["vernacular"] or row["taxon"].scientific_name
        )
        row["media"] = self[field]
        row["media_name"] = field

    def check_species_media(self, counted: set[int]) -> None:
        for row in self.media_rows():
            media = self.cleaned_data.get(row["media_name"])
            if media and row["taxon"].cd_nom not in counted:
                self.add_error(row["media_name"], NO_COUNT_FOR_MEDIA)

    def species_media(self) -> dict:
        return {
            row["taxon"].cd_nom: self.cleaned_data.get(row["media_name"]) or []
            for row in self.media_rows()
            if self.cleaned_data.get(row["media_name"])
        }

    @property
    def media_errors(self) -> bool:
        return any(self[row["media_name"]].errors for row in self.media_rows())


class PassageForm(SpeciesMediaMixin, forms.ModelForm):
    """The passage itself; species lines come from ``species_lines`` (one count field per
    species of the protocol list: a count above 0 means found)."""

    observers = forms.ModelMultipleChoiceField(
        label=_("Observateurs"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    methods = forms.MultipleChoiceField(
        label=_("Méthodes de prospection"),
        choices=PopPassage.Method.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    nothing_found = forms.BooleanField(
        label=_("Rien trouvé (aucun amphibien vu ni entendu)"), required=False
    )

    class Meta:
        model = PopPassage
        fields = [
            "number",
            "date",
            "time_start",
            "time_end",
            "observers",
            "expertise",
            "methods",
            "accessible",
            "site_state",
            "works_date",
            "comment",
        ]
        widgets = {
            "number": forms.Select(choices=[(1, "1"), (2, "2"), (3, "3")]),
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "time_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "time_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "works_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "comment": forms.Textarea(attrs={"rows": 2}),
        }

    # The form-wide errors are about the species found: the summary links them to
    # "Rien trouvé", the first box of that section.
    error_anchors = {None: "id_nothing_found"}
    error_anchor_label = _("Espèces trouvées")

    def __init__(self, *args, user, aire, **kwargs):
        super().__init__(*args, **kwargs)
        current = list(self.instance.observers.all()) if self.instance.pk else []
        self.fields["observers"].queryset = Person.objects.selectable_by(
            user, also=[aire.main_observer_id, *current]
        )
        if not self.is_bound and not self.instance.pk:
            person = Person.objects.filter(user=user).first()
            initial = [person.pk] if person else []
            if not initial and aire.main_observer_id:
                initial = [aire.main_observer_id]
            if not self.initial.get("observers"):
                self.initial["observers"] = initial
        self.regional, self.others = protocol_taxa()
        existing = {}
        if self.instance.pk:
            existing = {o.taxon_id: o for o in self.instance.observations.all()}
            self.initial["nothing_found"] = not any(
                o.present for o in existing.values()
            )
        self.species_rows = []
        for taxon in [*self.regional, *self.others]:
            name = f"sp_{taxon.cd_nom}"
            line = existing.get(taxon.cd_nom)
            self.fields[name] = forms.IntegerField(
                label=taxon.scientific_name,
                min_value=0,
                required=False,
                initial=line.count_max if line and line.present else None,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            )
            vernacular = (taxon.vernacular_name or "").split(",")[0]
            self.fields[f"{name}_est"] = forms.BooleanField(
                # Named after its line: a screen reader hears which count is estimated.
                label=_("Effectif estimé – %(species)s")
                % {"species": vernacular or taxon.scientific_name},
                required=False,
                initial=bool(line and line.count_type == "Es"),
            )
            row = {
                "taxon": taxon,
                "vernacular": vernacular,
                "field": self[name],
                "estimate": self[f"{name}_est"],
                "regional": taxon in self.regional,
            }
            self.add_species_media(row, name)
            self.species_rows.append(row)

    def media_rows(self) -> list[dict]:
        return self.species_rows

    def clean(self):
        cleaned = super().clean()
        counted = {
            row["taxon"].cd_nom
            for row in self.species_rows
            if cleaned.get(f"sp_{row['taxon'].cd_nom}")
            and not cleaned.get("nothing_found")
        }
        self.check_species_media(counted)
        return cleaned

    def species_lines(self) -> list[SpeciesLine]:
        lines = []
        for row in self.species_rows:
            taxon = row["taxon"]
            count = self.cleaned_data.get(f"sp_{taxon.cd_nom}")
            if count:
                lines.append(
                    SpeciesLine(
                        taxon=taxon,
                        count_min=count,
                        count_max=count,
                        count_type=PassageObservation.CountType.ESTIME
                        if self.cleaned_data.get(f"sp_{taxon.cd_nom}_est")
                        else PassageObservation.CountType.COMPTE,
                    )
                )
        return lines

    def passage_fields(self) -> dict:
        return {
            name: self.cleaned_data.get(name)
            for name in self.Meta.fields
            if name != "observers"
        } | {"methods": self.cleaned_data.get("methods") or []}


class NewtCaptureForm(forms.Form):
    """A belly photo of a Great crested newt. At a fence check or a POP passage, date,
    site and dataset come from it and are not asked."""

    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    dataset = forms.ModelChoiceField(
        label=_("Jeu de données"), queryset=Dataset.objects.none()
    )
    sex = forms.ChoiceField(
        label=_("Sexe"), choices=[("", "—"), *NewtSex.choices], required=False
    )
    photo = forms.FileField(
        label=_("Photo du ventre"),
        help_text=_("JPEG, PNG ou WebP, 8 Mo au plus."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp"}
        ),
    )
    comment = forms.CharField(label=_("Commentaire"), max_length=255, required=False)

    def __init__(self, *args, sites, datasets, context=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.context = context or {}
        self.fields["site"].queryset = sites
        self.fields["dataset"].queryset = datasets
        for name in ("date", "site", "dataset"):
            if name in self.context:
                del self.fields[name]

    def clean_photo(self):
        photo = self.cleaned_data["photo"]
        newt_photo_check(photo)
        return photo


class FenceCheckForm(SpeciesMediaMixin, forms.ModelForm):
    """The morning round; the counts come from the grid (``count_fields``). Its
    observers are people of the referential (the user by default); a name written as
    free text before (``observer``) is shown, and gives way to the people chosen."""

    observers = forms.ModelMultipleChoiceField(
        label=_("Observateurs"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = FenceCheck
        fields = ["date", "time", "temperature_c", "rain", "observers", "comment"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "temperature_c": forms.NumberInput(attrs={"step": "0.5"}),
        }

    def __init__(self, *args, user, taxa, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = list(self.instance.observers.all()) if self.instance.pk else []
        self.fields["observers"].queryset = Person.objects.selectable_by(
            user, also=current
        )
        if not self.instance.pk and not self.is_bound:
            self.initial["observers"] = list(
                Person.objects.filter(user=user).values_list("pk", flat=True)
            )
        existing = existing or {}
        self.taxa = taxa
        self.grid = []
        for taxon in taxa:
            cells = []
            for sex, sex_label in FenceCount.Sex.choices:
                for alive in (True, False):
                    name = f"n_{taxon.cd_nom}_{sex}_{'v' if alive else 'm'}"
                    self.fields[name] = forms.IntegerField(
                        label=f"{taxon.scientific_name}, {sex_label}, "
                        f"{'vivant' if alive else 'mort'}",
                        min_value=0,
                        max_value=10000,
                        required=False,
                        initial=existing.get((taxon.cd_nom, sex, alive)),
                        widget=forms.NumberInput(
                            attrs={
                                "inputmode": "numeric",
                                "min": 0,
                                "class": "grid-count",
                            }
                        ),
                    )
                    cells.append(self[name])
            row = {
                "taxon": taxon,
                "vernacular": (taxon.vernacular_name or "").split(",")[0],
                "cells": cells,
            }
            self.add_species_media(row, f"n_{taxon.cd_nom}")
            self.grid.append(row)

    def media_rows(self) -> list[dict]:
        return self.grid

    def clean(self):
        cleaned = super().clean()
        self.check_species_media({row["taxon"].cd_nom for row in self.counts()})
        return cleaned

    def counts(self) -> list[dict]:
        rows = []
        for taxon in self.taxa:
            for sex, _label in FenceCount.Sex.choices:
                for alive in (True, False):
                    name = f"n_{taxon.cd_nom}_{sex}_{'v' if alive else 'm'}"
                    count = self.cleaned_data.get(name)
                    if count:
                        rows.append(
                            {"taxon": taxon, "sex": sex, "alive": alive, "count": count}
                        )
        return rows

    def check_fields(self) -> dict:
        return {
            name: self.cleaned_data.get(name)
            for name in self.Meta.fields
            if name != "observers"
        }


class WaterLevelForm(forms.ModelForm):
    class Meta:
        model = WaterLevelReading
        fields = ["date", "level_cm", "gauge", "comment"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "level_cm": forms.NumberInput(
                attrs={"step": "0.5", "inputmode": "decimal"}
            ),
        }

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("La date ne peut pas être dans le futur."))
        return date

    def validate_unique(self):
        # A second reading of the same gauge on the same day corrects the first one
        # (water_level_save).
        pass


class ManagementOperationForm(forms.ModelForm):
    """An operation; ``geometry`` is the drawn outline as GeoJSON in WGS84 (empty: the
    whole site)."""

    geometry = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ManagementOperation
        fields = [
            "kind",
            "description",
            "date_start",
            "date_end",
            "performed_by",
            "contractor",
            "beneficiary",
            "cost_eur",
            "participants_count",
            "participants",
        ]
        widgets = {
            "date_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "date_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
            "participants": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.fields["beneficiary"].queryset = Organisation.objects.order_by("name")
        if self.instance.pk and self.instance.geom and not self.is_bound:
            self.initial["geometry"] = geometry_as_geojson(self.instance.geom)

    def clean_geometry(self):
        text = (self.cleaned_data.get("geometry") or "").strip()
        if not text:
            return None
        if len(text) > 200_000:
            raise forms.ValidationError(_("Tracé trop détaillé."))
        geom = geometry_from_geojson(text)
        geom.transform(settings.SRID)
        if not geom.valid:
            raise forms.ValidationError(
                _("Le tracé se recoupe : redessinez-le sans croisement.")
            )
        if self.site.geom and geom.distance(self.site.geom) > 5000:
            raise forms.ValidationError(_("Le tracé est loin du site (plus de 5 km)."))
        return geom

    def clean(self):
        data = super().clean()
        start, end = data.get("date_start"), data.get("date_end")
        if start and end and end < start:
            self.add_error("date_end", _("La fin précède le début."))
        return data
