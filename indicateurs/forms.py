"""The coordinators' forms of the dashboard: the narrative of each action, a share link."""

import datetime as dt

from django import forms
from django.utils import timezone

from indicateurs.models import ActionNarrative, ShareLink

NARRATIVE_HELP = (
    "Texte libre ; une ligne vide sépare deux paragraphes, « - » en début de ligne fait "
    "une liste, **gras** et *italique*. Pas de liens ni de HTML."
)
# The longest a share link may live.
SHARE_DAYS_MAX = 365


class NarrativeForm(forms.Form):
    """One text per action of the report."""

    def __init__(self, *args, titles: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        for action in ActionNarrative.Action.values:
            self.fields[f"action_{action}"] = forms.CharField(
                label=f"Récit de l'action {action}"
                + (f" – {titles[action]}" if titles.get(action) else ""),
                required=False,
                max_length=20000,
                help_text=NARRATIVE_HELP,
                widget=forms.Textarea(attrs={"rows": 8}),
            )

    def texts(self) -> dict[int, str]:
        return {
            action: self.cleaned_data[f"action_{action}"]
            for action in ActionNarrative.Action.values
        }


class ShareLinkForm(forms.ModelForm):
    days = forms.IntegerField(
        label="Durée de validité (jours)",
        min_value=1,
        max_value=SHARE_DAYS_MAX,
        initial=30,
        help_text=f"30 jours par défaut, {SHARE_DAYS_MAX} au plus.",
    )

    class Meta:
        model = ShareLink
        fields = ["recipient"]

    def expires_at(self) -> dt.datetime:
        return timezone.now() + dt.timedelta(days=self.cleaned_data["days"])
