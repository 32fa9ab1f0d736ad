"""Ringing API serializers. Writes go through ``baguage.services`` (entry checks, ring
stock, published occurrence); codes are validated here with French messages."""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from baguage.forms import SESSION_FIELDS
from baguage.models import (
    EURING_TO_FRENCH_AGE,
    FRENCH_AGES,
    Capture,
    Ringer,
    RingingProgramme,
    Session,
    Station,
)
from baguage.permissions import (
    captures_shown_to,
    sessions_visible_to,
    stations_visible_to,
)
from baguage.services import (
    CaptureRefused,
    capture_save,
    session_protocol_problems,
    session_save,
)
from cpie_naturaliste.core.serializers import SlugRelatedField
from referentiel.models import Dataset, Taxon

# EURING2000+ code lists (shared/domain/protocols.md §1.1); "" is accepted where blank.
CODES = {
    "sex": ("UMF", _("Sexe : U, M ou F.")),
    "sexing_method": (
        "ABCDELPSTU",
        _("Méthode de sexage EURING : A, B, C, D, E, L, P…"),
    ),
    "brood_patch": ("012345P", _("Plaque incubatrice : 0 à 5 ou P.")),
    "moult": ("BJMPXU", _("Mue EURING : B, J, M, P, X ou U.")),
    "condition": ("0123456789", _("Condition EURING : un chiffre de 0 à 9.")),
}
AGE_CODES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
OTHER_MARKS = re.compile(r"^([BCDEFGHKLRST][BCDE-]|MM|OM|OP|OT|ZZ)$")
SCHEME = re.compile(r"^[A-Z]{3}$")
CIRCUMSTANCES = re.compile(r"^\d{2}$")
TAXON_ERRORS = {
    key: _("Choisissez l'espèce dans la liste proposée.")
    for key in ("required", "null", "does_not_exist", "incorrect_type")
}


def _upper(value) -> str:
    return (value or "").strip().upper()


class CaptureSerializer(serializers.ModelSerializer):
    """One bird of a session. ``confirm`` answers the questions of ``to_confirm`` (a
    control ring seen on another species); the response lists ``warnings`` (biometrics
    outside the species' usual range), the line being saved anyway."""

    session = serializers.PrimaryKeyRelatedField(queryset=Session.objects.none())
    taxon = serializers.PrimaryKeyRelatedField(
        queryset=Taxon.objects.all(),
        help_text=_("cd_nom TAXREF de l'espèce"),
        error_messages=TAXON_ERRORS,
    )
    taxon_name = serializers.CharField(source="taxon.scientific_name", read_only=True)
    vernacular_name = serializers.CharField(
        source="taxon.vernacular_name", read_only=True
    )
    age = serializers.CharField(
        max_length=3,
        required=False,
        allow_blank=True,
        help_text=_(
            "Âge EURING (0–9, A–Z) ou code français PUL, VOL, 1A, +1A, 2A, +2A."
        ),
    )
    age_french = serializers.SerializerMethodField()
    sex = serializers.CharField(
        max_length=1, required=False, allow_blank=True, help_text=_("U, M ou F")
    )
    occurrence = SlugRelatedField(slug_field="uuid", read_only=True, allow_null=True)
    confirm = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text=_("Confirme les questions de « to_confirm » (espèce d'un contrôle)."),
    )
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Capture
        fields = [
            "id",
            "session",
            "line",
            "action",
            "ring_scheme",
            "ring_number",
            "ring_size",
            "taxon",
            "taxon_name",
            "vernacular_name",
            "age",
            "age_french",
            "sex",
            "sexing_method",
            "wing_mm",
            "third_primary_mm",
            "mass_g",
            "fat",
            "muscle",
            "brood_patch",
            "moult",
            "tarsus_mm",
            "bill_mm",
            "time",
            "net",
            "condition",
            "circumstances",
            "other_marks",
            "colour_marks",
            "logger_serial",
            "remarks",
            "occurrence",
            "confirm",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["line", "ring_size", "created_at", "updated_at"]
        # The ring's uniqueness is checked by capture_check, with the date and species
        # of the first ringing in the message (DRF's validator would only say "used").
        validators = []
        extra_kwargs = {
            "fat": {"min_value": 0, "max_value": 9},
            "muscle": {"min_value": 0, "max_value": 3},
            "net": {"min_value": 1},
            "wing_mm": {"min_value": 0},
            "third_primary_mm": {"min_value": 0},
            "mass_g": {"min_value": 0},
            "tarsus_mm": {"min_value": 0},
            "bill_mm": {"min_value": 0},
            # Left blank: the usual value (FRP, 8, 20, ZZ), see the validate_ methods.
            "ring_scheme": {"allow_blank": True},
            "condition": {"allow_blank": True},
            "circumstances": {"allow_blank": True},
            "other_marks": {"allow_blank": True},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A readable session; whether the user may enter in it is the view's check (403).
            # With what the capture's occurrence takes from it (place, dataset, programme).
            self.fields["session"].queryset = sessions_visible_to(
                request.user
            ).select_related("station__site", "dataset", "programme__programme")
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["session"].read_only = True

    @extend_schema_field(serializers.CharField(allow_blank=True))
    def get_age_french(self, capture: Capture) -> str:
        return EURING_TO_FRENCH_AGE.get(capture.age, "")

    def get_warnings(self, capture: Capture) -> list[str]:
        return list(getattr(capture, "_warnings", []))

    def validate_action(self, value):
        return _upper(value)

    def validate_age(self, value):
        code = _upper(value) or "0"
        code = FRENCH_AGES.get(code, code)
        if len(code) != 1 or code not in AGE_CODES:
            raise ValidationError(
                _("Âge inconnu : code EURING (0–9, A–Z) ou PUL, VOL, 1A, +1A, 2A, +2A.")
            )
        return code

    def _code(self, name: str, value, *, default: str = ""):
        code = _upper(value) or default
        allowed, message = CODES[name]
        if code and (len(code) != 1 or code not in allowed):
            raise ValidationError(message)
        return code

    def validate_sex(self, value):
        return self._code("sex", value, default="U")

    def validate_sexing_method(self, value):
        return self._code("sexing_method", value)

    def validate_brood_patch(self, value):
        return self._code("brood_patch", value)

    def validate_moult(self, value):
        return self._code("moult", value)

    def validate_condition(self, value):
        return self._code("condition", value, default="8")

    def validate_circumstances(self, value):
        code = (value or "").strip() or "20"
        if not CIRCUMSTANCES.match(code):
            raise ValidationError(_("Circonstances EURING : deux chiffres (ex. 20)."))
        return code

    def validate_other_marks(self, value):
        code = _upper(value) or "ZZ"
        if not OTHER_MARKS.match(code):
            raise ValidationError(
                _(
                    "Autres marques EURING : type (B, C, D, E, F, G, H, K, L, R, S, T) "
                    "puis B, C, D, E ou - ; ZZ sans marque."
                )
            )
        return code

    def validate_ring_scheme(self, value):
        code = _upper(value) or "FRP"
        if not SCHEME.match(code):
            raise ValidationError(_("Centre de baguage : code EURING de 3 lettres."))
        return code

    def create(self, validated_data):
        session = validated_data.pop("session")
        return self._save(session=session, capture=None, data=validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("session", None)
        return self._save(
            session=instance.session, capture=instance, data=validated_data
        )

    def _save(self, *, session, capture, data):
        confirm = data.pop("confirm", False)
        try:
            capture, warnings = capture_save(
                session=session,
                user=self.context["request"].user,
                fields=data,
                capture=capture,
                confirm=confirm,
            )
        except CaptureRefused as refused:
            detail = {
                ("non_field_errors" if name == "__all__" else name): messages
                for name, messages in refused.message_dict.items()
            }
            if refused.to_confirm:
                detail["to_confirm"] = refused.to_confirm
            raise ValidationError(detail) from refused
        capture._warnings = warnings
        return capture


class SessionSerializer(serializers.ModelSerializer):
    """A ringing session; ``counts`` holds its captures per action (B, C, R) and
    ``protocol_problems`` what a STOC session misses of the CRBPO protocol."""

    station = serializers.PrimaryKeyRelatedField(queryset=Station.objects.all())
    station_name = serializers.CharField(source="station.name", read_only=True)
    programme = serializers.PrimaryKeyRelatedField(
        queryset=RingingProgramme.objects.all()
    )
    programme_label = serializers.StringRelatedField(source="programme")
    dataset = SlugRelatedField(
        slug_field="uuid",
        queryset=Dataset.objects.none(),
        error_messages={
            "does_not_exist": _(
                "Jeu de données inconnu ou dans lequel vous ne pouvez pas saisir."
            )
        },
    )
    ringers = serializers.PrimaryKeyRelatedField(
        queryset=Ringer.objects.all(), many=True, required=False
    )
    duration_hours = serializers.FloatField(read_only=True, allow_null=True)
    effort_metre_hours = serializers.FloatField(read_only=True, allow_null=True)
    counts = serializers.SerializerMethodField()
    hidden_captures = serializers.SerializerMethodField()
    protocol_problems = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "id",
            *SESSION_FIELDS,
            "station_name",
            "programme_label",
            "duration_hours",
            "effort_metre_hours",
            "counts",
            "hidden_captures",
            "protocol_problems",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["dataset"].queryset = Dataset.objects.writable_by(request.user)
            self.fields["station"].queryset = stations_visible_to(request.user)

    @extend_schema_field(
        serializers.DictField(
            child=serializers.IntegerField(), help_text=_("Captures par action B, C, R")
        )
    )
    def get_counts(self, session: Session) -> dict:
        if hasattr(session, "ringed_count"):
            return {
                "B": session.ringed_count,
                "C": session.control_only_count,
                "R": session.recovery_count,
            }
        counts = {"B": 0, "C": 0, "R": 0}
        for action in self._shown_captures(session).values_list("action", flat=True):
            counts[action] += 1
        return counts

    @extend_schema_field(
        serializers.IntegerField(
            help_text=_(
                "Captures de la session non détaillées (données sensibles) : "
                "comptées ici, absentes des captures et de « counts »."
            )
        )
    )
    def get_hidden_captures(self, session: Session) -> int:
        if hasattr(session, "stored_capture_count"):
            return session.stored_capture_count - session.capture_count
        return session.captures.count() - self._shown_captures(session).count()

    def _shown_captures(self, session: Session):
        return captures_shown_to(self.context["request"].user, session.captures.all())

    def get_protocol_problems(self, session: Session) -> list[str]:
        return session_protocol_problems(session)

    def create(self, validated_data):
        return self._save(None, validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)

    def _save(self, session, data):
        ringers = data.pop("ringers", None)
        try:
            return session_save(
                user=self.context["request"].user,
                fields=data,
                ringers=ringers,
                session=session,
            )
        except DjangoValidationError as error:
            raise ValidationError(
                {
                    ("non_field_errors" if name == "__all__" else name): messages
                    for name, messages in error.message_dict.items()
                }
            ) from error
