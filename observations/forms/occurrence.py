"""The entry form of one observation (``/observations/nouvelle/`` and ``…/modifier/``).

A plain form rather than a ModelForm: it reads what the field worker typed, turns it into
the keyword arguments of ``occurrence_create`` / ``occurrence_update`` (a GEOS geometry with
its SRID, model instances), and puts the French errors of ``occurrence_check`` back next to
the fields they concern."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpie_naturaliste.core.geo import to_storage_srid
from observations.models import Occurrence, Source
from observations.services import nomenclature_choices
from referentiel.models import Dataset, Person, Programme, Site, Taxon
from referentiel.permissions import default_dataset

from .fields import (
    DETAIL_CODES,
    DETAIL_FIELDS,
    MAIN_CODES,
    PLACE_FIELDS,
    PLAIN_FIELDS,
    DateInput,
    TimeInput,
    count_field,
    label,
)
from .geometry import (
    COORDINATE_SYSTEMS,
    WGS84,
    geometry_from_geojson,
    point_from_coordinates,
)
from .media import MediaField
from .values import record_initial, taxon_from_text

# Database constraints (reported as form-wide errors) → the field the user must correct.
CONSTRAINT_FIELDS = {
    "occ_geom_in_territory": "geometry",
    "occ_geom_valid": "geometry",
    "occ_count_ordered": "count_max",
    "occ_dates_ordered": "date_end",
    "occ_date_not_future": "date_start",
    "occ_observation_status": "observation_status",
}
MODEL_TO_FORM = {"geom": "geometry", "taxon": "taxon_search"}
# The map keeps the stored geometry when the form sends it back within this tolerance.
SAME_PLACE_M = 0.05


class OccurrenceForm(forms.Form):
    observation_status = forms.ChoiceField(
        label=gettext_lazy("Statut d'observation"),
        choices=[
            ("Pr", gettext_lazy("Présent")),
            ("No", gettext_lazy("Non observé (absence)")),
        ],
        initial="Pr",
        widget=forms.RadioSelect,
    )
    taxon_search = forms.CharField(
        label=gettext_lazy("Taxon"),
        required=False,
        help_text=gettext_lazy(
            "Nom latin ou français : tapez au moins 3 lettres puis choisissez."
        ),
    )
    taxon = forms.IntegerField(required=False, widget=forms.HiddenInput)
    date_start = forms.DateField(label=gettext_lazy("Date"), widget=DateInput)
    geometry = forms.CharField(required=False, widget=forms.HiddenInput)
    coord_system = forms.ChoiceField(
        label=gettext_lazy("Système de coordonnées"),
        choices=COORDINATE_SYSTEMS,
        initial=WGS84,
    )
    coord_x = forms.CharField(
        label=gettext_lazy("Longitude (°E) ou X"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    coord_y = forms.CharField(
        label=gettext_lazy("Latitude (°N) ou Y"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    precision_m = forms.IntegerField(
        label=gettext_lazy("Précision (m)"),
        required=False,
        min_value=0,
        max_value=100000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
    )
    place_name = forms.CharField(label=label("place_name"), required=False)
    observers = forms.ModelMultipleChoiceField(
        label=label("observers"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Indiquez au moins un observateur.")},
    )
    dataset = forms.ModelChoiceField(
        label=label("dataset"), queryset=Dataset.objects.none(), empty_label=None
    )
    count_min = count_field("count_min")
    count_max = count_field(
        "count_max", help_text=gettext_lazy("Vide : égal au minimum.")
    )
    site = forms.ModelChoiceField(
        label=label("site"),
        queryset=Site.objects.none(),
        required=False,
        empty_label=gettext_lazy("— Aucun —"),
    )
    comment = forms.CharField(
        label=label("comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    date_end = forms.DateField(
        label=label("date_end"),
        required=False,
        widget=DateInput,
        help_text=gettext_lazy("Pour une observation sur plusieurs jours."),
    )
    time_start = forms.TimeField(
        label=label("time_start"), required=False, widget=TimeInput
    )
    time_end = forms.TimeField(
        label=label("time_end"), required=False, widget=TimeInput
    )
    cited_name = forms.CharField(
        label=label("cited_name"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Par défaut, le nom latin choisi."),
    )
    determiner = forms.ModelChoiceField(
        label=label("determiner"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=gettext_lazy("— L'observateur —"),
    )
    programme = forms.ModelChoiceField(
        label=label("programme"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=gettext_lazy("— Aucun —"),
    )
    proof_url = forms.URLField(
        label=label("proof_url"), required=False, assume_scheme="https"
    )
    proof_text = forms.CharField(label=label("proof_text"), required=False)
    media = MediaField()

    def __init__(
        self,
        data=None,
        files=None,
        *,
        user,
        occurrence: Occurrence | None = None,
        place: Occurrence | None = None,
    ):
        """``occurrence``: the record being edited. ``place``: a record just saved, whose
        place, date and observers start the next one."""
        self.user = user
        self.occurrence = occurrence
        super().__init__(data, files, initial=self._initial(occurrence, place))
        # The people the user may name (the search of /api/v1/persons/ proposes the
        # same), and the record's current ones.
        current = []
        datasets = Q(pk__in=Dataset.objects.writable_by(user).values("pk"))
        if occurrence is not None:
            current = [*occurrence.observers.all(), occurrence.determiner_id]
            datasets |= Q(pk=occurrence.dataset_id)
        today = timezone.localdate().isoformat()
        for name in ("date_start", "date_end"):
            # The phone's date picker stops at today.
            self.fields[name].widget.attrs["max"] = today
        if occurrence is None and str(self.initial.get("date_start")) == today:
            # A copy of the page opened offline another day starts on that day
            # (static/js/offline.js).
            self.fields["date_start"].widget.attrs["data-default-today"] = ""
        people_qs = Person.objects.selectable_by(user, also=current).select_related(
            "organisation"
        )
        self.fields["observers"].queryset = people_qs
        self.fields["observers"].required = people_qs.exists()
        self.fields["determiner"].queryset = people_qs
        self.fields["dataset"].queryset = Dataset.objects.filter(datasets).order_by(
            "title"
        )
        if not self.initial.get("dataset"):
            # No default: the user picks one, nothing is preselected.
            self.fields["dataset"].empty_label = _("— Choisissez le jeu de données —")
        if occurrence is None:
            self.fields["dataset"].help_text = self.dataset_origin
        self.fields["site"].queryset = Site.objects.visible_to(user).order_by("name")
        self.fields["programme"].queryset = Programme.objects.order_by("code")
        for name, mnemonic in Occurrence.NOMENCLATURES.items():
            if name in MAIN_CODES or name in DETAIL_CODES:
                self.fields[name] = forms.ChoiceField(
                    label=label(name),
                    choices=nomenclature_choices(mnemonic),
                    initial=Occurrence._meta.get_field(name).default,
                )
        self.order_fields(
            [
                "observation_status",
                "taxon_search",
                "taxon",
                *[f for f in self.base_fields if f not in DETAIL_FIELDS],
                *MAIN_CODES,
                *DETAIL_FIELDS,
            ]
        )

    # Display helpers for the template.

    def main_code_fields(self):
        return [self[name] for name in MAIN_CODES]

    def detail_fields(self):
        return [self[name] for name in DETAIL_FIELDS]

    def details_have_errors(self) -> bool:
        return any(self[name].errors for name in DETAIL_FIELDS)

    def error_summary(self) -> list[tuple[str, str, str]]:
        """``(anchor, label, message)`` of every error, in the order of the page."""
        items = [("", "", message) for message in self.non_field_errors()]
        for name, field in self.fields.items():
            for message in self.errors.get(name, []):
                target = "taxon_search" if name == "taxon" else name
                title = _("Lieu") if name == "geometry" else field.label
                # The place's link goes to its typed coordinates: the way in by keyboard.
                anchor = "id_coord_x" if name == "geometry" else f"field-{target}"
                items.append((anchor, title or name, message))
        return items

    def _initial(self, occurrence, place) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "date_start": timezone.localdate(),
            "count_min": 1,
            "observers": list(
                Person.objects.filter(user=self.user).values_list("pk", flat=True)
            ),
        }
        dataset, self.dataset_origin = (
            self._default_dataset() if occurrence is None else (None, "")
        )
        if dataset is not None:
            initial["dataset"] = dataset.pk
        source = occurrence or place
        if source is None:
            return initial
        values = record_initial(source)
        if occurrence is None:
            values = {name: values[name] for name in PLACE_FIELDS if name in values}
        return {**initial, **values}

    def _default_dataset(self) -> tuple[Dataset | None, str]:
        """The dataset a new record starts in and why (shown next to it): the last one
        the user entered into, else the organisation's default. See default_dataset."""
        last_used = (
            Occurrence.objects.filter(created_by=self.user, source=Source.SAISIE)
            .order_by("-created_at", "-id")
            .values_list("dataset_id", flat=True)
            .first()
        )
        dataset = default_dataset(
            self.user, Dataset.objects.writable_by(self.user), last_used
        )
        if dataset is None:
            return None, ""
        if dataset.pk == last_used:
            return dataset, _("Le dernier jeu de données où vous avez saisi.")
        if dataset.pk == getattr(self.user.organisation, "default_dataset_id", None):
            return dataset, _("Le jeu de données par défaut de votre organisme.")
        return dataset, _("Le seul jeu de données où vous pouvez saisir.")

    def clean(self):
        data = super().clean()
        taxon = self._clean_taxon(data)
        data["taxon_obj"] = taxon
        data["geom"] = self._clean_geometry(data)
        if data.get("observation_status") == "No":
            data["count_min"] = data["count_max"] = 0
        else:
            low, high = data.get("count_min"), data.get("count_max")
            if low is not None and high is None:
                data["count_max"] = low
            elif high is not None and low is None:
                data["count_min"] = high
            if data.get("count_max") == 0:
                self.add_error(
                    "count_max",
                    _(
                        "Une présence compte au moins 1 : pour une absence, choisissez "
                        "« Non observé »."
                    ),
                )
        if taxon is not None:
            data["cited_name"] = self._cited_name(taxon, data.get("cited_name"))
        return data

    def _cited_name(self, taxon: Taxon, typed: str | None) -> str:
        """The name as cited: the chosen name by default, following a change of taxon."""
        cited = (typed or "").strip()
        previous = self.occurrence.taxon if self.occurrence else None
        if previous is None:
            return cited or taxon.scientific_name
        if taxon != previous and cited in ("", previous.scientific_name):
            return taxon.scientific_name
        return cited

    def _clean_taxon(self, data) -> Taxon | None:
        cd_nom = data.get("taxon")
        text = (data.get("taxon_search") or "").strip()
        taxon = Taxon.objects.filter(pk=cd_nom).first() if cd_nom else None
        if taxon is None and text:
            taxon = taxon_from_text(text)
        if taxon is None:
            self.add_error(
                "taxon_search",
                _("Choisissez un taxon dans la liste proposée (nom latin ou français).")
                if text
                else _("Indiquez le taxon observé."),
            )
        return taxon

    def _clean_geometry(self, data):
        drawn = (data.get("geometry") or "").strip()
        x, y = (data.get("coord_x") or "").strip(), (data.get("coord_y") or "").strip()
        try:
            if drawn:
                geom = geometry_from_geojson(drawn)
            elif x or y:
                if not (x and y):
                    raise ValidationError(_("Saisissez les deux coordonnées."))
                geom = point_from_coordinates(data.get("coord_system") or WGS84, x, y)
            else:
                raise ValidationError(
                    _(
                        "Indiquez le lieu : touchez la carte, utilisez « Ma position » "
                        "ou saisissez des coordonnées."
                    )
                )
        except ValidationError as error:
            self.add_error("geometry", error)
            return None
        stored = self.occurrence.geom if self.occurrence else None
        if stored is not None:
            # A round trip through the map's degrees moves a point by micrometres: that
            # must not count as a change (it would send a validated record back to
            # "en attente").
            candidate = to_storage_srid(geom)
            if candidate.geom_type == stored.geom_type and candidate.equals_exact(
                stored, tolerance=SAME_PLACE_M
            ):
                return stored
        return geom

    def occurrence_fields(self) -> dict[str, Any]:
        """Keyword arguments of ``occurrence_create`` / ``occurrence_update``."""
        data = self.cleaned_data
        fields = {name: data.get(name) for name in PLAIN_FIELDS}
        for name in ("place_name", "proof_url", "proof_text", "comment"):
            fields[name] = fields[name] or ""
        fields["taxon"] = data["taxon_obj"]
        fields["cited_name"] = data["cited_name"]
        fields["geom"] = data["geom"]
        return fields

    def add_service_errors(self, error: ValidationError) -> None:
        """Put the errors of ``occurrence_check`` next to the fields they concern."""
        by_message = {
            str(constraint.violation_error_message): field
            for constraint in Occurrence._meta.constraints
            if (field := CONSTRAINT_FIELDS.get(constraint.name))
        }
        for model_field, messages in error.message_dict.items():
            for message in messages:
                if model_field == "__all__":
                    target = by_message.get(message)
                else:
                    target = self._form_field(model_field)
                if message not in self.errors.get(target or "__all__", []):
                    self.add_error(target, message)

    def _form_field(self, model_field: str) -> str | None:
        if model_field == "date_end" and not self.cleaned_data.get("date_end"):
            return "date_start"  # the end date was the start date
        name = MODEL_TO_FORM.get(model_field, model_field)
        return name if name in self.fields else None
