"""Forms of the campaign page and of the state-zero upload."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from referentiel.models import Dataset
from referentiel.permissions import writable_datasets
from terrils.models import Campaign, GroupCode
from terrils.services.state_zero import _taxon


class CampaignRecordForm(forms.Form):
    group = forms.ChoiceField(
        label=_("Groupe"),
        choices=[c for c in GroupCode.choices if c[0] != GroupCode.HABITATS],
    )
    species = forms.CharField(
        label=_("Espèce"),
        help_text=_("Nom scientifique, nom français ou cd_nom TAXREF."),
    )
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    count = forms.IntegerField(label=_("Effectif"), min_value=0, required=False)
    comment = forms.CharField(label=_("Commentaire"), required=False)

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign

    def clean_species(self):
        taxon = _taxon(self.cleaned_data["species"])
        if taxon is None:
            raise forms.ValidationError(_("Espèce inconnue de TAXREF."))
        return taxon

    def clean_date(self):
        date: dt.date = self.cleaned_data["date"]
        if not self.campaign.date_start <= date <= self.campaign.date_end:
            raise forms.ValidationError(
                _("La date doit être comprise dans la période de la campagne.")
            )
        return date


class HabitatForm(forms.Form):
    code = forms.ChoiceField(label=_("Habitat patrimonial"))
    surface_m2 = forms.IntegerField(
        label=_("Surface (m²)"), min_value=0, required=False
    )

    def __init__(self, *args, habitats=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.habitats = {h.code: h for h in habitats}
        self.fields["code"].choices = [
            (h.code, f"{h.code} – {h.name}") for h in self.habitats.values()
        ]


class StateZeroUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_("CSV ou XLSX, colonnes terril, groupe, espece (et annee)."),
    )
    dataset = forms.ModelChoiceField(
        label=_("Jeu de données"),
        queryset=Dataset.objects.none(),
        help_text=_(
            "Jeu de votre organisme auquel l'état zéro est rattaché : seuls ses "
            "coordinateurs pourront le remplacer."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        datasets = writable_datasets(user).order_by("title")
        self.fields["dataset"].queryset = datasets
        if len(datasets) == 1:
            self.fields["dataset"].initial = datasets[0].pk
