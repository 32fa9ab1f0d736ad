"""Field lists, widgets and labels of the observation entry form."""

from django import forms
from django.utils.text import capfirst

from observations.models import Occurrence

# Code lists shown up front; the others wait in "Plus de détails".
MAIN_CODES = ["life_stage", "sex", "obs_technique", "bio_status", "behaviour"]
DETAIL_CODES = [
    "bio_condition",
    "count_object",
    "count_type",
    "naturalness",
    "biogeo_status",
    "determination_method",
    "proof_exists",
    "source_status",
    "geo_object_nature",
]
DETAIL_FIELDS = [
    "date_end",
    "time_start",
    "time_end",
    "cited_name",
    "determiner",
    "programme",
    *DETAIL_CODES,
    "proof_url",
    "proof_text",
]
# Passed as they are to the services.
PLAIN_FIELDS = [
    "observation_status",
    "date_start",
    "date_end",
    "time_start",
    "time_end",
    "precision_m",
    "place_name",
    "dataset",
    "site",
    "programme",
    "determiner",
    "count_min",
    "count_max",
    *MAIN_CODES,
    *DETAIL_CODES,
    "proof_url",
    "proof_text",
    "comment",
]
# What "Enregistrer et saisir une autre" keeps for the next taxon of a field list.
PLACE_FIELDS = [
    "date_start",
    "date_end",
    "time_start",
    "time_end",
    "geometry",
    "coord_x",
    "coord_y",
    "precision_m",
    "place_name",
    "observers",
    "dataset",
    "site",
    "programme",
]


def label(name: str) -> str:
    return capfirst(Occurrence._meta.get_field(name).verbose_name)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


def count_field(name: str, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label(name),
        help_text=help_text,
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
    )
