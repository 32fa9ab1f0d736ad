"""Read serializers of the referential API. Geometries go out as GeoJSON in WGS84."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from cpie_naturaliste.core.serializers import SlugRelatedField, Wgs84GeometryField
from referentiel.models import (
    AtlasGroup,
    Commune,
    Dataset,
    Departement,
    Organisation,
    Person,
    Programme,
    Site,
    Taxon,
    TaxonStatus,
)


class AtlasGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = AtlasGroup
        fields = ["id", "code", "name", "kingdom", "position"]


class AtlasGroupSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = AtlasGroup
        fields = ["code", "name"]


class TaxonSerializer(serializers.ModelSerializer):
    """What an autocomplete needs; ``valid_name`` is the valid name of a synonym."""

    atlas_group = AtlasGroupSummarySerializer(read_only=True, allow_null=True)
    is_valid = serializers.BooleanField(read_only=True)
    valid_name = serializers.CharField(
        source="valid_scientific_name",
        read_only=True,
        allow_null=True,
        help_text=_(
            "Nom scientifique du nom valide (cd_ref) ; null pour un nom valide."
        ),
    )
    label = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Taxon
        fields = [
            "cd_nom",
            "cd_ref",
            "scientific_name",
            "author",
            "vernacular_name",
            "rank",
            "atlas_group",
            "is_valid",
            "valid_name",
            "label",
        ]


class TaxonStatusSerializer(serializers.ModelSerializer):
    rarity_label = serializers.CharField(source="get_rarity_display", read_only=True)
    red_list_label = serializers.CharField(
        source="get_red_list_display", read_only=True
    )

    class Meta:
        model = TaxonStatus
        fields = [
            "rarity",
            "rarity_label",
            "red_list",
            "red_list_label",
            "protection",
            "is_protected",
            "is_patrimonial",
            "is_invasive",
            "is_znieff_determinant",
            "sensitivity_level",
        ]


class TaxonDetailSerializer(TaxonSerializer):
    status = serializers.SerializerMethodField(
        help_text=_("Statut régional (Hauts-de-France), null si aucun.")
    )

    class Meta(TaxonSerializer.Meta):
        fields = TaxonSerializer.Meta.fields + [
            "full_name",
            "vernacular_name_en",
            "kingdom",
            "phylum",
            "class_name",
            "order_name",
            "family",
            "subfamily",
            "tribe",
            "group1_inpn",
            "group2_inpn",
            "group3_inpn",
            "habitat",
            "fr_status",
            "taxref_version",
            "status",
        ]

    @extend_schema_field(TaxonStatusSerializer(allow_null=True))
    def get_status(self, taxon: Taxon):
        status = getattr(
            taxon, "status", None
        )  # reverse one-to-one: absent → exception
        return TaxonStatusSerializer(status).data if status else None


class OrganisationSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "short_name"]


class CommuneSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Commune
        fields = ["insee", "name"]


class SiteSerializer(GeoFeatureModelSerializer):
    """A site as a GeoJSON Feature in WGS84."""

    geom = Wgs84GeometryField(precision=6)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    communes = CommuneSummarySerializer(many=True, read_only=True)
    manager = OrganisationSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Site
        geo_field = "geom"
        fields = [
            "id",
            "name",
            "code",
            "kind",
            "kind_label",
            "communes",
            "manager",
            "parent",
            "is_public",
        ]


class DepartementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Departement
        fields = ["code", "name"]


class CommuneSerializer(serializers.ModelSerializer):
    departement = DepartementSerializer(read_only=True)

    class Meta:
        model = Commune
        fields = ["insee", "name", "departement"]


class CommuneDetailSerializer(CommuneSerializer):
    geom = Wgs84GeometryField(
        precision=6, help_text=_("Contour en GeoJSON, WGS84 (EPSG:4326).")
    )

    class Meta(CommuneSerializer.Meta):
        fields = CommuneSerializer.Meta.fields + ["geom"]


class OrganisationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "kind_label",
            "is_network_member",
            "website",
        ]


class ProgrammeSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    coordinator = OrganisationSummarySerializer(read_only=True)
    taxon_groups = SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id",
            "code",
            "name",
            "level",
            "level_label",
            "protocol",
            "description",
            "coordinator",
            "taxon_groups",
            "start_year",
            "end_year",
        ]


class DatasetSerializer(serializers.ModelSerializer):
    programme = SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    producer = OrganisationSummarySerializer(read_only=True)
    licence_label = serializers.CharField(source="get_licence_display", read_only=True)

    class Meta:
        model = Dataset
        fields = [
            "id",
            "uuid",
            "title",
            "short_title",
            "description",
            "programme",
            "producer",
            "licence",
            "licence_label",
            "is_public",
        ]


class PersonSerializer(serializers.ModelSerializer):
    """A person as an observers' autocomplete shows it: the name and the structure that
    tells two namesakes apart; never an email or a phone."""

    name = serializers.CharField(source="__str__", read_only=True)
    organisation = serializers.CharField(
        source="organisation.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Person
        fields = ["id", "name", "first_name", "last_name", "organisation"]
