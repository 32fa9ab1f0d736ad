"""Reads built for the sensibilisation pages: the public campaign map and the figures."""

import json
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractYear, Greatest

from observations.models import Occurrence, Source
from referentiel.models import Commune
from sensibilisation.models import (
    Action,
    ActionLine,
    ActionParticipant,
    Campaign,
    TrainingSession,
)

HOURS_PER_DAY = Decimal(7)


def campaign_public_map(*, campaign: Campaign) -> dict:
    """A GeoJSON FeatureCollection (WGS84) of the campaign's validated reports as the
    public may see them: one feature per commune (or coarser area for a sensitive
    species), with the number of reports and species; never a point.

    Reads through ``Occurrence.objects.visible_to(AnonymousUser())`` (public, validated
    records of public datasets, blurred for ``Reader.public()``), then blurs further: even
    a non-sensitive garden record is shown at its commune."""
    records = Occurrence.objects.visible_to(AnonymousUser()).filter(
        dataset_id=campaign.dataset_id,
        programme_id=campaign.programme_id,
        source=Source.CAMPAGNE,
        validation_status__in=[1, 2],
    )
    features = []
    by_commune = (
        records.filter(sensitivity_level__lte=1, commune__isnull=False)
        .values("commune_id")
        .annotate(reports=Count("id"))
    )
    species = defaultdict(set)
    for commune_id, name in records.filter(
        sensitivity_level__lte=1, commune__isnull=False
    ).values_list("commune_id", "cited_name"):
        species[commune_id].add(name)
    counts = {row["commune_id"]: row["reports"] for row in by_commune}
    communes = Commune.objects.filter(insee__in=counts).annotate(
        geojson=AsGeoJSON(
            Transform(Coalesce("blur_geom", "geom"), settings.API_SRID), precision=5
        )
    )
    for commune in communes.only("insee", "name"):
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(commune.geojson),
                "properties": {
                    "area": commune.name,
                    "reports": counts[commune.insee],
                    "species": sorted(species[commune.insee]),
                },
            }
        )
    coarse = defaultdict(lambda: {"reports": 0, "species": set()})
    for row in (
        records.filter(sensitivity_level__in=[2, 3], blurred_geom__isnull=False)
        .annotate(
            geojson=AsGeoJSON(Transform("blurred_geom", settings.API_SRID), precision=5)
        )
        .values("geojson", "cited_name")
    ):
        coarse[row["geojson"]]["reports"] += 1
        coarse[row["geojson"]]["species"].add(row["cited_name"])
    for geojson, value in coarse.items():
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(geojson),
                "properties": {
                    "area": "zone floutée",
                    "reports": value["reports"],
                    "species": sorted(value["species"]),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _named(role: str | None = None):
    participants = ActionParticipant.objects.filter(action=OuterRef("pk"))
    if role:
        participants = participants.filter(role=role)
    return Coalesce(
        Subquery(
            participants.values("action").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def actions_with_reach(queryset: QuerySet) -> QuerySet:
    """Actions annotated with ``reached`` (the larger of counted and named participants)
    and ``volunteer_hours`` (work days: named hours, plus the unnamed participants at the
    action's duration, 7 h by default)."""
    named_hours = Subquery(
        ActionParticipant.objects.filter(action=OuterRef("pk"), hours__isnull=False)
        .values("action")
        .annotate(h=Sum("hours"))
        .values("h")[:1],
        output_field=DecimalField(max_digits=10, decimal_places=1),
    )
    named_with_hours = Subquery(
        ActionParticipant.objects.filter(action=OuterRef("pk"), hours__isnull=False)
        .values("action")
        .annotate(n=Count("pk"))
        .values("n")[:1],
        output_field=IntegerField(),
    )
    decimal = DecimalField(max_digits=10, decimal_places=1)
    return queryset.annotate(
        named=_named(),
        reached=Greatest(F("participants_count"), F("named")),
        volunteer_hours=Coalesce(named_hours, Value(Decimal(0)), output_field=decimal)
        + Greatest(F("reached") - Coalesce(named_with_hours, 0), Value(0))
        * Coalesce("duration_hours", Value(HOURS_PER_DAY), output_field=decimal),
    )


def figures_for_year(*, actions: QuerySet, year: int) -> dict:
    """The annual report's figures per action line (1, 2, 3) and in total, computed in
    SQL: actions by kind, people trained, people made aware, volunteer days and hours,
    publications."""
    rows = (
        actions_with_reach(actions.annotate(year=ExtractYear("date_start")))
        .filter(year=year)
        .values("action_line", "kind")
        .annotate(
            n=Count("pk"),
            people=Sum("reached"),
            hours=Sum("volunteer_hours"),
        )
        .order_by("action_line", "kind")
    )
    kind_labels = dict(Action.Kind.choices)

    def empty():
        return {
            "by_kind": {},
            "actions": 0,
            "trained": 0,
            "aware": 0,
            "trained_or_aware": 0,
            "volunteer_hours": Decimal(0),
            "volunteer_days": Decimal(0),
            "work_days": 0,
            "publications": 0,
            "awareness_actions": 0,
            "training_days": 0,
        }

    lines = {line: empty() for line in ActionLine.values}
    total = empty()
    for row in rows:
        for figures in (lines[row["action_line"]], total):
            label = str(kind_labels[row["kind"]])
            figures["by_kind"][label] = figures["by_kind"].get(label, 0) + row["n"]
            figures["actions"] += row["n"]
            people = row["people"] or 0
            if row["kind"] == Action.Kind.TRAINING:
                figures["trained"] += people
            elif row["kind"] in Action.AWARENESS_KINDS:
                figures["aware"] += people
                figures["awareness_actions"] += row["n"]
            elif row["kind"] in Action.PUBLICATION_KINDS:
                figures["publications"] += row["n"]
            elif row["kind"] == Action.Kind.WORK_DAY:
                figures["work_days"] += row["n"]
                figures["aware"] += people
                figures["volunteer_hours"] += row["hours"] or 0
    # Training days: the days of training (sessions) of the year's training actions.
    days = (
        TrainingSession.objects.filter(
            action__in=actions.filter(kind=Action.Kind.TRAINING), date__year=year
        )
        .values("action__action_line")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in days:
        lines[row["action__action_line"]]["training_days"] += row["n"]
        total["training_days"] += row["n"]
    for figures in (*lines.values(), total):
        figures["trained_or_aware"] = figures["trained"] + figures["aware"]
        figures["volunteer_days"] = (
            figures["volunteer_hours"] / HOURS_PER_DAY
        ).quantize(Decimal("0.1"))
    return {
        "year": year,
        "lines": [
            {"line": line, "label": ActionLine(line).label, **lines[line]}
            for line in ActionLine.values
        ],
        "total": total,
    }
