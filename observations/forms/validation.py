"""Validation decisions: one record from its page, or many from the queue."""

from django import forms
from django.utils.translation import gettext_lazy as _

from observations.models import VALIDATION_CHOICES

# 0 ("en attente") is what a record is before validation, not a decision.
DECISIONS = VALIDATION_CHOICES[1:]


class ValidationForm(forms.Form):
    status = forms.TypedChoiceField(
        label=_("Statut de validation"),
        choices=[("", _("— Choisir —")), *DECISIONS],
        coerce=int,
        error_messages={"required": _("Choisissez un statut de validation.")},
    )
    comment = forms.CharField(
        label=_("Commentaire de validation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BulkValidationForm(ValidationForm):
    occurrences = forms.ModelMultipleChoiceField(
        label=_("Observations cochées"),
        queryset=None,
        to_field_name="uuid",
        error_messages={
            "required": _("Cochez au moins une observation."),
            "invalid_choice": _(
                "Une des observations cochées n'est plus en attente ou ne vous est pas "
                "accessible : rechargez la page."
            ),
            "invalid_pk_value": _("Identifiant d'observation invalide."),
        },
    )

    # The error summary links "Cochez au moins une observation" to the first row's box.
    error_anchors = {"occurrences": "occurrence-rows"}

    def __init__(self, data=None, *, queryset):
        """``queryset``: the records this validator may validate now."""
        super().__init__(data)
        self.fields["occurrences"].queryset = queryset
