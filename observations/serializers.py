"""Occurrence serializers: JSON for lists and edits, GeoJSON (WGS84) for maps.

Writes go through ``observations.services`` (checks, derived fields, history)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from cpie_naturaliste.core.serializers import SlugRelatedField, Wgs84GeometryField
from observations.blurring import Reader, blur_instance
from observations.models import Occurrence, OccurrenceDeletion, OccurrenceMedia
from observations.services import (
    media_check,
    occurrence_create,
    occurrence_create_once,
    occurrence_update,
)
from referentiel.models import Dataset, Person, Programme, SensitivityLevel, Site, Taxon

READ_ONLY = [
    "id",
    "blurred",
    "blurred_to",
    "taxon_name",
    "vernacular_name",
    "validation_status",
    "validation_label",
    "validator",
    "validated_at",
    "validation_comment",
    "sensitivity_level",
    "diffusion_level",
    "source",
    "communes",
    "departement",
    "grid_10km",
    "atlas_group",
    "created_at",
    "updated_at",
]
NOMENCLATURE_FIELDS = list(Occurrence.NOMENCLATURES)


class ReadableSiteField(serializers.PrimaryKeyRelatedField):
    """A site the user may read (``Site.objects.visible_to``): another organisation's
    protected site is refused as if it did not exist."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Site.objects.none()
        return Site.objects.visible_to(request.user)


class MediaSerializer(serializers.ModelSerializer):
    """A photo or a sound of a record: where to fetch it (served only to the readers who
    place the record, ``observations:media_file``)."""

    url = serializers.SerializerMethodField(help_text=_("Le fichier (sans EXIF)."))
    thumbnail_url = serializers.SerializerMethodField(
        help_text=_("Miniature JPEG (320 px) d'une photo ; vide pour un son.")
    )

    class Meta:
        model = OccurrenceMedia
        fields = [
            "uuid",
            "kind",
            "content_type",
            "size",
            "taken_at",
            "url",
            "thumbnail_url",
        ]
        read_only_fields = fields

    def _absolute(self, name: str, media) -> str:
        path = reverse(name, args=[media.uuid])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_url(self, media) -> str:
        return self._absolute("observations:media_file", media)

    def get_thumbnail_url(self, media) -> str:
        if not media.thumbnail:
            return ""
        return self._absolute("observations:media_thumbnail", media)


class MediaUploadSerializer(serializers.Serializer):
    """Photos (JPEG, PNG, WebP…) or sounds (WAV, MP3, FLAC, OGG) sent as ``file``, once or
    several times; checked by their content, photos stripped of their EXIF."""

    file = serializers.ListField(
        child=serializers.FileField(), min_length=1, allow_empty=False
    )

    def validate_file(self, uploads):
        try:
            return media_check(uploads)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from exc


class OccurrenceSerializer(serializers.ModelSerializer):
    uuid = serializers.UUIDField(
        required=False,
        help_text=_(
            "Identifiant SINP (idSINPOccTax). À la création, celui que le client a "
            "fabriqué (saisie hors connexion) : un nouvel envoi du même identifiant "
            "répond l'observation déjà créée (200) au lieu d'un doublon. Fixé ensuite."
        ),
    )
    geometry = Wgs84GeometryField(
        source="geom", help_text=_("GeoJSON en WGS84 (EPSG:4326).")
    )
    dataset = SlugRelatedField(slug_field="uuid", queryset=Dataset.objects.all())
    taxon = serializers.PrimaryKeyRelatedField(
        queryset=Taxon.objects.all(), help_text=_("cd_nom TAXREF")
    )
    taxon_name = serializers.CharField(source="taxon.scientific_name", read_only=True)
    vernacular_name = serializers.CharField(
        source="taxon.vernacular_name", read_only=True
    )
    site = ReadableSiteField(required=False, allow_null=True)
    programme = SlugRelatedField(
        slug_field="code",
        queryset=Programme.objects.all(),
        required=False,
        allow_null=True,
    )
    observers = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), many=True, required=False
    )
    determiner = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    date_end = serializers.DateField(required=False)
    validation_label = serializers.CharField(
        source="get_validation_status_display", read_only=True
    )
    validator = serializers.StringRelatedField(read_only=True, allow_null=True)
    atlas_group = SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    departement = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    # A method, not BooleanField(source="is_blurred", default=False): a field's default
    # is skipped on partial updates, and a PATCH answer lacked "blurred".
    blurred = serializers.SerializerMethodField(
        help_text=_("Localisation floutée pour vous (donnée sensible)."),
    )
    blurred_to = serializers.SerializerMethodField(
        help_text=_("Zone de floutage : commune, maille 10 km ou département.")
    )
    media = serializers.SerializerMethodField(
        help_text=_(
            "Photos et sons de l'observation ; aucun quand elle est floutée pour vous."
        )
    )

    class Meta:
        model = Occurrence
        fields = [
            "id",
            "uuid",
            *READ_ONLY[1:3],
            "dataset",
            "taxon",
            "taxon_name",
            "vernacular_name",
            "cited_name",
            "date_start",
            "date_end",
            "time_start",
            "time_end",
            "geometry",
            "precision_m",
            "place_name",
            "site",
            "programme",
            "observers",
            "observers_label",
            "determiner",
            "determiner_label",
            "count_min",
            "count_max",
            *NOMENCLATURE_FIELDS,
            "proof_url",
            "proof_text",
            "comment",
            "media",
            *READ_ONLY[3:],
        ]
        read_only_fields = READ_ONLY
        extra_kwargs = {name: {"required": False} for name in NOMENCLATURE_FIELDS}

    def to_representation(self, instance):
        """Blurred for the reader (observations.blurring): the area's geometry, no place."""
        request = self.context.get("request")
        blur_instance(instance, _reader(request) if request else Reader.public())
        return super().to_representation(instance)

    def get_blurred(self, instance) -> bool:
        return getattr(instance, "is_blurred", False)

    def get_blurred_to(self, instance) -> str:
        if not getattr(instance, "is_blurred", False):
            return ""
        return SensitivityLevel(instance.sensitivity_level).area

    @extend_schema_field(MediaSerializer(many=True))
    def get_media(self, instance) -> list:
        # A photo shows the place: none on a record blurred for its reader.
        if getattr(instance, "is_blurred", False) or instance.pk is None:
            return []
        return MediaSerializer(
            instance.media.all(), many=True, context=self.context
        ).data

    def validate_dataset(self, dataset):
        user = self.context["request"].user
        if not Dataset.objects.writable_by(user).filter(pk=dataset.pk).exists():
            raise ValidationError(
                _("Vous ne pouvez pas saisir dans ce jeu de données.")
            )
        return dataset

    def _save(self, save, **kwargs):
        try:
            with transaction.atomic():
                return save(**kwargs)
        except DjangoValidationError as exc:
            raise ValidationError(_drf_errors(exc)) from exc

    def create(self, validated_data):
        observers = validated_data.pop("observers", [])
        if "uuid" not in validated_data:
            return self._save(
                occurrence_create,
                user=self.context["request"].user,
                observers=observers,
                **validated_data,
            )
        occurrence, self.created = self._save(
            occurrence_create_once,
            user=self.context["request"].user,
            observers=observers,
            **validated_data,
        )
        return occurrence

    def update(self, instance, validated_data):
        validated_data.pop("uuid", None)  # the identifier never changes
        observers = validated_data.pop("observers", None)
        return self._save(
            occurrence_update,
            occurrence=instance,
            user=self.context["request"].user,
            observers=observers,
            **validated_data,
        )


def _reader(request) -> Reader:
    """One reader per request (it holds the organisation's dataset ids)."""
    reader = getattr(request, "_occurrence_reader", None)
    if reader is None:
        reader = request._occurrence_reader = Reader.for_user(request.user)
    return reader


def _drf_errors(exc: DjangoValidationError) -> dict:
    """Model field names → API field names (``geom`` is ``geometry``, ``__all__`` is global)."""
    renamed = {"geom": "geometry", "__all__": "non_field_errors"}
    return {
        renamed.get(field, field): messages
        for field, messages in exc.message_dict.items()
    }


class OccurrenceGeoSerializer(GeoFeatureModelSerializer):
    """The map layer's features, for the OpenAPI schema: the layer itself is written in SQL
    by ``observations.selectors.occurrences_geojson`` with these same properties."""

    geom = Wgs84GeometryField()
    taxon_id = serializers.IntegerField(read_only=True)
    taxon_name = serializers.CharField(source="taxon.scientific_name", read_only=True)
    vernacular_name = serializers.CharField(
        source="taxon.vernacular_name", read_only=True
    )

    class Meta:
        model = Occurrence
        geo_field = "geom"
        id_field = "id"
        fields = [
            "id",
            "uuid",
            "taxon_id",
            "taxon_name",
            "vernacular_name",
            "date_start",
            "count_max",
            "observation_status",
            "validation_status",
        ]


class DeletionSerializer(serializers.ModelSerializer):
    """One line of the deletions feed: the record to drop, when, and why ("deleted": gone
    for everyone; "withdrawn": no longer readable by you)."""

    class Meta:
        model = OccurrenceDeletion
        fields = ["uuid", "deleted_at", "reason"]
        read_only_fields = fields
