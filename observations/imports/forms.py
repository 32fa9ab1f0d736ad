"""Forms of the import pages: the upload, and the column mapping step."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.tabular.errors import Mode
from observations.models import ImportMapping
from referentiel.models import Dataset

from .batches import DEFAULT_MAPPING_NAME
from .columns import REQUIRED, SRID_CHOICES, TARGETS, mapping_problems

LOCATION = (
    "geometrie",
    "longitude",
    "latitude",
    "x",
    "y",
    "precisionGeometrie",
    "natureObjetGeo",
    "nomLieu",
    "altitudeMin",
    "altitudeMax",
)
GROUPS = (
    (_("Champs obligatoires"), REQUIRED),
    (_("Localisation"), LOCATION),
    (
        _("Autres champs"),
        tuple(t.key for t in TARGETS if t.key not in REQUIRED + LOCATION),
    ),
)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_(
            "CSV (séparateur ; , ou tabulation, UTF-8 ou Windows-1252) ou classeur XLSX "
            "(première feuille), première ligne = noms des colonnes ; ou archive Darwin "
            "Core (.zip) d'occurrences."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx,.zip"}),
    )
    dataset = forms.ModelChoiceField(
        queryset=Dataset.objects.none(),
        to_field_name="uuid",
        label=_("Jeu de données"),
        empty_label=None,
    )
    mapping = forms.ModelChoiceField(
        queryset=ImportMapping.objects.none(),
        required=False,
        label=_("Correspondance des colonnes"),
        empty_label=_("Automatique (noms SINP ou modèle)"),
    )
    mode = forms.ChoiceField(
        choices=Mode.choices,
        initial=Mode.ALL_OR_NOTHING,
        required=False,  # a script's POST without it: all or nothing, as before
        widget=forms.RadioSelect,
        label=_("Lignes en erreur"),
    )
    dry_run = forms.BooleanField(
        required=False,
        label=_("Essai à blanc : tout vérifier sans rien enregistrer"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = Dataset.objects.writable_by(user).order_by(
            "title"
        )
        self.fields["mapping"].queryset = ImportMapping.objects.filter(
            organisation_id=user.organisation_id
        )


class ImportMappingForm(forms.Form):
    """One select per target field (SINP name), listing the file's columns."""

    srid = forms.TypedChoiceField(
        choices=SRID_CHOICES,
        coerce=int,
        label=_("Système des coordonnées (géométrie WKT, x / y)"),
        help_text=_("Les colonnes longitude / latitude sont toujours en WGS84."),
    )
    save_default = forms.BooleanField(
        required=False,
        label=_("Enregistrer comme modèle par défaut de mon organisme"),
    )
    name = forms.CharField(
        required=False,
        max_length=100,
        initial=DEFAULT_MAPPING_NAME,
        label=_("Nom du modèle"),
    )

    def __init__(self, *args, headers: list[str], proposed: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [("", _("— ignorer —"))] + [(h, h) for h in headers if h]
        columns = proposed.get("columns", {})
        self.fields["srid"].initial = proposed.get("srid", 4326)
        for target in TARGETS:
            self.fields[f"col_{target.key}"] = forms.ChoiceField(
                choices=choices,
                required=False,
                label=f"{target.label} ({target.key})",
                initial=columns.get(target.key, ""),
            )

    def groups(self):
        """(title, bound fields, folded) per group, for the template: the optional fields
        stay folded on small screens unless one of them is used or wrong."""
        groups = []
        for index, (title, keys) in enumerate(GROUPS):
            fields = [self[f"col_{key}"] for key in keys]
            used = any(f.value() or f.errors for f in fields) or self.non_field_errors()
            groups.append((title, fields, index == len(GROUPS) - 1 and not used))
        return groups

    def clean(self):
        data = super().clean()
        mapping = self.mapping()
        problems = mapping_problems(mapping, self.headers)
        if problems:
            raise ValidationError(problems)
        return data

    def mapping(self) -> dict:
        data = self.cleaned_data
        return {
            "columns": {
                t.key: data[f"col_{t.key}"] for t in TARGETS if data.get(f"col_{t.key}")
            },
            "srid": data.get("srid") or 4326,
        }
