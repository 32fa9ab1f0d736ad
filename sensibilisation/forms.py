"""Forms of the sensibilisation pages: the public report form and the staff forms."""

from django import forms
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.geo import territory_polygon
from referentiel.models import Commune, Organisation
from sensibilisation.models import (
    Action,
    ActionParticipant,
    Audience,
    Campaign,
    Volunteer,
)
from sensibilisation.permissions import sites_shown_to
from sensibilisation.protection import (
    HONEYPOT_FIELD,
    photo_clean,
    plain_text,
)

TERRITORY = territory_polygon()


class SpeciesChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.common_name} ({obj.taxon.scientific_name})"


class ReportForm(forms.Form):
    """A sighting from the public: what, when, where, how many, an optional photo."""

    species = SpeciesChoiceField(
        label=_("Espèce observée"),
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choisissez l'espèce observée.")},
    )
    observed_on = forms.DateField(
        label=_("Date de l'observation"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Indiquez la date de l'observation."),
            "invalid": _("Date invalide (jj/mm/aaaa)."),
        },
    )
    # The place: a point (the map or the device's position fills these) or a commune.
    # Its errors are the latitude's, shown by the place block and linked to the commune
    # field, the way in by keyboard.
    latitude = forms.FloatField(
        label=_("Lieu de l'observation"),
        required=False,
        widget=forms.HiddenInput,
        min_value=-90,
        max_value=90,
    )
    longitude = forms.FloatField(
        required=False, widget=forms.HiddenInput, min_value=-180, max_value=180
    )
    commune = forms.CharField(
        label=_("Commune"),
        max_length=150,
        required=False,
        help_text=_("Si vous ne placez pas le point sur la carte."),
    )
    address = forms.CharField(
        label=_("Adresse ou lieu-dit (facultatif)"), max_length=200, required=False
    )
    count = forms.IntegerField(
        label=_("Nombre d'individus"),
        min_value=1,
        max_value=10000,
        initial=1,
        error_messages={"required": _("Indiquez combien d'individus vous avez vus.")},
    )
    photo = forms.FileField(
        label=_("Photo (facultatif, JPEG, PNG ou WebP, 5 Mo au plus)"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp"}
        ),
    )
    comment = forms.CharField(
        label=_("Commentaire (facultatif)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    email = forms.EmailField(
        label=_("Votre courriel"),
        help_text=_(
            "Pour confirmer votre signalement ; il n'est ni publié ni transmis."
        ),
        error_messages={
            "required": _("Indiquez votre courriel pour confirmer le signalement."),
            "invalid": _("Adresse de courriel invalide."),
        },
    )
    # The anti-spam time (sensibilisation.protection.sent_too_fast): read by the view,
    # never an error of the form.
    started = forms.CharField(widget=forms.HiddenInput, required=False)
    # The honeypot: hidden from people (CSS and aria-hidden), filled in by robots.
    site_web = forms.CharField(
        label=_("Ne pas remplir"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    # Where the error summary's links go (cpie_naturaliste/core/templatetags/error_summary.py).
    error_anchors = {"latitude": "id_commune", "longitude": "id_commune"}

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["species"].queryset = campaign.species.select_related("taxon")
        self.fields["observed_on"].widget.attrs["max"] = (
            timezone.localdate().isoformat()
        )
        self.photo_jpeg: bytes | None = None
        self.geom = None
        self.precision_m = None

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD))

    def clean_observed_on(self):
        value = self.cleaned_data["observed_on"]
        if value > timezone.localdate():
            raise ValidationError(_("La date ne peut pas être dans le futur."))
        if value.year < 1950:
            raise ValidationError(_("La date est trop ancienne."))
        return value

    def clean_address(self):
        return plain_text(self.cleaned_data["address"], field_label=_("Adresse"))

    def clean_comment(self):
        return plain_text(self.cleaned_data["comment"], field_label=_("Commentaire"))

    def clean_commune(self):
        return plain_text(self.cleaned_data["commune"], field_label=_("Commune"))

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if upload:
            self.photo_jpeg = photo_clean(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        lat, lon = cleaned.get("latitude"), cleaned.get("longitude")
        name = cleaned.get("commune")
        if lat is not None and lon is not None:
            point = Point(lon, lat, srid=4326)
            try:
                point.transform(TERRITORY.srid)
            except GDALException:  # a pole or the antimeridian: no Lambert-93 point
                point = None
            if point is None or not TERRITORY.covers(point):
                self.add_error(
                    "latitude",
                    _("Le point est hors des Hauts-de-France : vérifiez la carte."),
                )
            self.geom, self.precision_m = point, 50
        elif name:
            communes = list(
                Commune.objects.filter(name__iexact=name)
                | Commune.objects.filter(insee=name)
            )
            if not communes:
                self.add_error(
                    "commune", _("Commune inconnue : vérifiez l'orthographe.")
                )
            elif len(communes) > 1:
                self.add_error(
                    "commune",
                    _("Plusieurs communes portent ce nom : indiquez le code INSEE."),
                )
            else:
                commune = Commune.objects.filter(pk=communes[0].pk).values_list(
                    "geom", flat=True
                )[0]
                self.geom = commune.point_on_surface
                self.geom.srid = commune.srid
                self.precision_m = 2000
        else:
            self.add_error(
                "latitude",
                _("Indiquez le lieu : touchez la carte ou saisissez la commune."),
            )
        return cleaned


class ActionForm(forms.ModelForm):
    audiences = forms.MultipleChoiceField(
        label=_("Publics"),
        choices=Audience.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Action
        fields = [
            "kind",
            "title",
            "date_start",
            "date_end",
            "site",
            "commune",
            "theme",
            "audiences",
            "partners",
            "action_line",
            "format",
            "participants_count",
            "duration_hours",
            "description",
        ]
        widgets = {
            "date_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "date_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "partners": forms.SelectMultiple(attrs={"size": 6}),
            "commune": forms.TextInput(attrs={"placeholder": "code INSEE, ex. 62528"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the sites this user may be shown (a private place holding a record they
        # may not place is not theirs to name: sensibilisation.permissions).
        self.fields["site"].queryset = sites_shown_to(user).order_by("name")
        self.fields["partners"].queryset = Organisation.objects.order_by("name")
        self.fields["commune"].help_text = _("Code INSEE de la commune.")


class ParticipantsForm(forms.Form):
    """Name participants: one person per line, "NOM Prénom" (created when unknown)."""

    role = forms.ChoiceField(label=_("Rôle"), choices=ActionParticipant.Role.choices)
    hours = forms.DecimalField(
        label=_("Heures (chantiers)"), required=False, min_value=0, max_digits=5
    )
    names = forms.CharField(
        label=_("Personnes (une par ligne : NOM Prénom)"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean_names(self):
        lines = [
            plain_text(line, field_label=_("Personnes"))
            for line in self.cleaned_data["names"].splitlines()
        ]
        names = [line for line in lines if line]
        if not names:
            raise ValidationError(_("Indiquez au moins une personne."))
        return names


class TrainingSessionForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    duration_hours = forms.DecimalField(
        label=_("Durée (heures)"), min_value=0, max_digits=4, initial=7
    )
    topic = forms.CharField(label=_("Contenu"), max_length=200, required=False)


class VolunteerForm(forms.ModelForm):
    first_name = forms.CharField(label=_("Prénom"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    email = forms.EmailField(label=_("Courriel"), required=False)
    consent_scope = forms.MultipleChoiceField(
        label=_("Objet du consentement"),
        choices=Volunteer.ConsentScope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Volunteer
        fields = [
            "status",
            "phone",
            "member_since",
            "consent_date",
            "consent_scope",
            "consent_withdrawn_on",
            "notes",
        ]
        widgets = {
            "member_since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "consent_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "consent_withdrawn_on": forms.DateInput(
                attrs={"type": "date"}, format="%Y-%m-%d"
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            person = self.instance.person
            self.fields["first_name"].initial = person.first_name
            self.fields["last_name"].initial = person.last_name
            self.fields["email"].initial = person.email

    def person_fields(self) -> dict:
        return {
            "first_name": self.cleaned_data["first_name"],
            "last_name": self.cleaned_data["last_name"],
            "email": self.cleaned_data["email"],
        }
