"""A data exchange made outside the app (a file sent or received by mail, a dump…),
recorded by hand by a coordinator so that the exchange log and the report count it."""

from django import forms
from django.utils.translation import gettext_lazy

from observations.forms.fields import DateInput
from observations.models import DataExchange
from referentiel.models import Organisation


class DataExchangeForm(forms.ModelForm):
    class Meta:
        model = DataExchange
        fields = [
            "partner",
            "date",
            "direction",
            "content",
            "fauna_rows",
            "flora_rows",
            "species",
            "notes",
        ]
        widgets = {"date": DateInput, "notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "fauna_rows": gettext_lazy("Nombre de données de faune échangées."),
            "flora_rows": gettext_lazy("Nombre de données de flore échangées."),
            "species": gettext_lazy("Facultatif : nombre d'espèces concernées."),
        }

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.fields["partner"].queryset = Organisation.objects.exclude(
            pk=organisation.pk
        ).order_by("name")
        self.fields["partner"].empty_label = gettext_lazy("Choisir le partenaire")

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("fauna_rows") or cleaned.get("flora_rows")):
            # The model's constraint says it too; here it points at the two fields.
            message = gettext_lazy(
                "Indiquez le nombre de données échangées (faune, flore ou les deux)."
            )
            self.add_error("fauna_rows", message)
            self.add_error("flora_rows", message)
        return cleaned
