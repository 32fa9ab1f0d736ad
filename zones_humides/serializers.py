"""Serializers of the wetlands API (GeoJSON in WGS84 for anything with a geometry)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from cpie_naturaliste.core.serializers import Wgs84GeometryField
from referentiel.models import Person, Taxon
from zones_humides.models import (
    DriftFence,
    FenceCheck,
    FenceCount,
    ManagementOperation,
    PassageObservation,
    PopAire,
    PopPassage,
    PopSite,
    WaterLevelReading,
    WetlandProfile,
)
from zones_humides.selectors.pop import ponds_visible_to
from zones_humides.services import SpeciesLine, passage_save
from zones_humides.taxa import protocol_codes


class PopAireSerializer(GeoFeatureModelSerializer):
    geom = Wgs84GeometryField(precision=6)

    class Meta:
        model = PopAire
        geo_field = "geom"
        fields = [
            "id",
            "number",
            "name",
            "grid_cell",
            "landscape_category",
            "communes_label",
            "first_year",
            "main_observer",
            "dataset",
        ]


class PopSiteSerializer(GeoFeatureModelSerializer):
    geom = Wgs84GeometryField(precision=6)

    class Meta:
        model = PopSite
        geo_field = "geom"
        fields = ["id", "aire", "code", "name", "habitat", "site"]


class PassageLineSerializer(serializers.ModelSerializer):
    taxon = serializers.PrimaryKeyRelatedField(queryset=Taxon.objects.all())
    occurrence_uuid = serializers.UUIDField(
        source="occurrence.uuid", read_only=True, allow_null=True
    )

    class Meta:
        model = PassageObservation
        fields = [
            "taxon",
            "present",
            "count_type",
            "count_min",
            "count_max",
            "life_stage",
            "occurrence_uuid",
        ]
        read_only_fields = ["present"]


class PassageSerializer(serializers.ModelSerializer):
    """A passage with its lines. Write ``observations`` (species found) or
    ``nothing_found: true``; the absence line (Amphibia, 0) is then made by the service."""

    observations = PassageLineSerializer(many=True, required=False)
    nothing_found = serializers.BooleanField(write_only=True, required=False)
    observers = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), many=True
    )

    class Meta:
        model = PopPassage
        fields = [
            "id",
            "pop_site",
            "year",
            "number",
            "date",
            "time_start",
            "time_end",
            "observers",
            "expertise",
            "methods",
            "accessible",
            "site_state",
            "works_date",
            "comment",
            "observations",
            "nothing_found",
        ]
        read_only_fields = ["year"]
        validators = []  # the service checks the passage number per site and season

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A pond the user may not see is not one they can name: "does not exist".
            self.fields["pop_site"].queryset = ponds_visible_to(request.user)

    def validate_observations(self, lines):
        codes = set(protocol_codes())
        for line in lines:
            if line["taxon"].cd_nom not in codes:
                raise serializers.ValidationError(
                    f"{line['taxon'].scientific_name} n'est pas dans la liste du "
                    "protocole POP Amphibien."
                )
        return lines

    def save(self, **kwargs):
        data = dict(self.validated_data)
        if "observations" in data or self.instance is None:
            lines = [
                SpeciesLine(
                    taxon=line["taxon"],
                    count_min=line.get("count_min", 1),
                    count_max=line.get("count_max"),
                    count_type=line.get("count_type", "Co"),
                    life_stage=line.get("life_stage", ""),
                )
                for line in data.pop("observations", [])
            ]
        else:  # a PATCH that does not send the lines keeps them
            lines = [
                SpeciesLine(
                    taxon=line.taxon,
                    count_min=line.count_min,
                    count_max=line.count_max,
                    count_type=line.count_type,
                    life_stage=line.life_stage,
                )
                for line in self.instance.observations.select_related("taxon")
                if line.present
            ]
        nothing_found = data.pop(
            "nothing_found", self.instance is not None and not lines
        )
        observers = data.pop("observers", None)
        if observers is None:  # a PATCH without observers keeps them
            observers = list(self.instance.observers.all())
        pop_site = data.pop("pop_site", None) or self.instance.pop_site
        try:
            self.instance = passage_save(
                user=self.context["request"].user,
                pop_site=pop_site,
                fields=data,
                observers=observers,
                lines=lines,
                nothing_found=nothing_found,
                passage=self.instance,
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        return self.instance


class WetlandProfileSerializer(serializers.ModelSerializer):
    """A wetland site: its profile with the site's name and geometry (WGS84)."""

    geometry = Wgs84GeometryField(source="site.geom", precision=6, read_only=True)
    name = serializers.CharField(source="site.name", read_only=True)

    class Meta:
        model = WetlandProfile
        fields = [
            "id",
            "site",
            "name",
            "wetland_type",
            "surface_m2",
            "owner",
            "owner_label",
            "manager_label",
            "status",
            "geometry",
        ]


class ManagementOperationSerializer(GeoFeatureModelSerializer):
    geom = Wgs84GeometryField(precision=6, required=False, allow_null=True)

    class Meta:
        model = ManagementOperation
        geo_field = "geom"
        fields = [
            "id",
            "site",
            "kind",
            "description",
            "date_start",
            "date_end",
            "performed_by",
            "contractor",
            "beneficiary",
            "cost_eur",
            "participants_count",
        ]


class WaterLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = WaterLevelReading
        fields = ["id", "site", "date", "level_cm", "gauge", "comment"]


class FenceCountSerializer(serializers.Serializer):
    taxon = serializers.PrimaryKeyRelatedField(queryset=Taxon.objects.all())
    sex = serializers.ChoiceField(choices=FenceCount.Sex.choices)
    alive = serializers.BooleanField(default=True)
    count = serializers.IntegerField(min_value=0)


class FenceCheckSerializer(serializers.ModelSerializer):
    """A morning's check with its counts; saving it again for the same day replaces the
    counts, and each count publishes an occurrence. ``observers``: people (ids; absent,
    those of the day's check are kept), who replace the free-text ``observer``."""

    counts = FenceCountSerializer(many=True, write_only=True)

    class Meta:
        model = FenceCheck
        fields = [
            "id",
            "date",
            "time",
            "temperature_c",
            "rain",
            "observers",
            "observer",
            "counts",
        ]
        validators = []


class DriftFenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = DriftFence
        fields = ["id", "site", "name", "length_m", "direction", "first_year"]
