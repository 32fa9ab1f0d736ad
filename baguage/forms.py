"""The session form (station, programme, date, times, ringers, nets, weather)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baguage.models import Ringer, RingingProgramme, Session, Station
from baguage.permissions import stations_visible_to
from referentiel.models import Dataset, Person

SESSION_FIELDS = [
    "station",
    "programme",
    "dataset",
    "date",
    "start_time",
    "end_time",
    "ringers",
    "nets_count",
    "nets_length_m",
    "weather",
    "temperature_c",
    "wind",
    "comment",
]


def station_nets() -> dict[str, dict]:
    """Per station: the number and total length of its fixed nets (to prefill the form)."""
    rows = Station.objects.annotate(
        nets_count=Count("nets"), nets_length=Sum("nets__length_m")
    ).values("pk", "nets_count", "nets_length")
    return {
        str(row["pk"]): {
            "count": row["nets_count"],
            "length": str(row["nets_length"] or Decimal(0)),
        }
        for row in rows
        if row["nets_count"]
    }


class SessionForm(forms.ModelForm):
    # The ringers are chosen as people (templates/observations/includes/people_field.html:
    # the search of /api/v1/persons/?bagueur=true and chips), among the ringers the user
    # may name (``PersonQuerySet.selectable_by``) and the session's own.
    ringers = forms.ModelMultipleChoiceField(
        label=_("Bagueurs"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un bagueur.")},
    )

    class Meta:
        model = Session
        fields = SESSION_FIELDS
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "comment": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = Dataset.objects.writable_by(user)
        self.fields["station"].queryset = stations_visible_to(user).select_related(
            "site"
        )
        self.fields["programme"].queryset = RingingProgramme.objects.select_related(
            "programme"
        )
        current = (
            list(self.instance.ringers.values_list("person_id", flat=True))
            if self.instance.pk
            else []
        )
        self.fields["ringers"].queryset = (
            Person.objects.selectable_by(user, also=current)
            .filter(ringer__isnull=False)
            .select_related("organisation")
            .order_by("last_name", "first_name", "pk")
        )
        if current and not self.is_bound:
            self.initial["ringers"] = current
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["nets_count"].required = False
        self.fields["nets_length_m"].required = False
        self.fields["dataset"].error_messages["invalid_choice"] = _(
            "Choisissez un jeu de données de votre organisme."
        )
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())
            # Opened offline another day, the page starts on that day (offline.js).
            self.fields["date"].widget.attrs["data-default-today"] = ""
            datasets = list(self.fields["dataset"].queryset[:2])
            if len(datasets) == 1:
                self.initial.setdefault("dataset", datasets[0].pk)
            ringer = Ringer.objects.filter(person__user=user).first()
            if ringer:
                self.initial.setdefault("ringers", [ringer.person_id])

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date and date > timezone.localdate():
            raise ValidationError(_("La date ne peut pas être dans le futur."))
        return date

    def clean_ringers(self) -> list[Ringer]:
        people = self.cleaned_data["ringers"]
        return list(
            Ringer.objects.filter(person__in=people).select_related("person")
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end < start:
            self.add_error("end_time", _("L'heure de fin précède l'heure de début."))
        station = cleaned.get("station")
        nets = station_nets().get(str(station.pk)) if station else None
        # Nets left empty: the station's fixed nets (the STOC rule: the same every time).
        if not cleaned.get("nets_count"):
            cleaned["nets_count"] = nets["count"] if nets else 0
        if not cleaned.get("nets_length_m"):
            cleaned["nets_length_m"] = Decimal(nets["length"]) if nets else Decimal(0)
        return cleaned

    def session_fields(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in SESSION_FIELDS
            if name != "ringers"
        }

    def add_service_errors(self, error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            field = name if name in self.fields else None
            for message in messages:
                self.add_error(field, message)
