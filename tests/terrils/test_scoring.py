"""Score breakdown: reproducible from the data and the method version; a new version with
another rarity coefficient changes scores and ranking while the old scores stay."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from terrils.models import GroupCode, PatrimonialHabitat, Score
from terrils.selectors import ranking
from terrils.services import (
    campaign_habitat_set,
    score_compute,
    score_save,
    scores_recompute,
)
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import LOOS_X, LOOS_Y, square
from tests.factories.terrils import (
    CampaignFactory,
    MethodGroupFactory,
    MethodVersionFactory,
    PatrimonialSpeciesFactory,
    TerrilFactory,
)

pytestmark = pytest.mark.django_db


def test_breakdown_per_species_and_group(evaluation):
    campaign_habitat_set(campaign=evaluation.campaign, code="E1.2", surface_m2=1200)
    breakdown = score_compute(campaign=evaluation.campaign, version=evaluation.version)
    lines = {(line.group, line.label): line for line in breakdown.lines}
    newt = lines[(GroupCode.AMPHIBIANS, "Triton crêté (Triturus cristatus)")]
    # R = 6, VU = 4, protected bonus 1.
    assert (newt.rarity_points, newt.threat_points, newt.bonus, newt.points) == (
        6,
        4,
        1,
        11,
    )
    assert (GroupCode.FLORA, "Ophrys apifera") in lines
    # The toad was seen outside the polygon, out of season or in another year.
    assert not any("calamita" in label for _g, label in lines)
    groups = {g.group: g for g in breakdown.groups}
    assert groups[GroupCode.AMPHIBIANS].weighted == 11
    assert groups[GroupCode.FLORA].raw == 5
    assert groups[GroupCode.FLORA].weighted == 10  # weight 2
    assert groups[GroupCode.HABITATS].weighted == 6
    assert breakdown.total == 27


def test_stored_score_is_reproducible(evaluation):
    score = score_save(campaign=evaluation.campaign, version=evaluation.version)
    first = list(score.lines.values_list("label", "points"))
    again = score_save(campaign=evaluation.campaign, version=evaluation.version)
    assert again.pk == score.pk
    assert list(again.lines.values_list("label", "points")) == first
    assert again.total == score.total == Decimal(21)
    assert score.group_scores.count() == 3


def test_new_version_changes_scores_and_ranking_old_scores_stay(evaluation):
    # A second terril whose only species is the toad (PC = 4 points in v1).
    other = TerrilFactory(number="123-141", geom=square(LOOS_X + 5000, LOOS_Y, 500))
    other_campaign = CampaignFactory(terril=other, year=2020)
    for _ in range(3):
        OccurrenceFactory(
            taxon=evaluation.toad,
            geom=other.geom.point_on_surface,
            date_start=evaluation.campaign.date_start.replace(month=4, day=3),
        )
    call_command("terrils_recompute")
    v1_rank = [
        row.terril.number for row in ranking(year=2020, version=evaluation.version)
    ]
    assert v1_rank == ["94-94a", "123-141"]

    # v2: PC is worth 40 points; the toad terril goes first.
    v2 = MethodVersionFactory(
        code="v2", rarity_points={**evaluation.version.rarity_points, "PC": 40}
    )
    for group in evaluation.version.groups.all():
        copy = MethodGroupFactory(
            version=v2,
            code=group.code,
            weight=group.weight,
            period_start=group.period_start,
            period_end=group.period_end,
        )
        for entry in group.species.all():
            PatrimonialSpeciesFactory(
                group=copy,
                taxon=entry.taxon,
                rarity=entry.rarity,
                threat=entry.threat,
                is_protected=entry.is_protected,
            )
        for habitat in group.habitats.all():
            PatrimonialHabitat.objects.create(
                group=copy, code=habitat.code, name=habitat.name, rarity=habitat.rarity
            )
    call_command("terrils_recompute", "--version", "v2")
    v2_rank = [row.terril.number for row in ranking(year=2020, version=v2)]
    assert v2_rank == ["123-141", "94-94a"]
    assert Score.objects.get(campaign=other_campaign, version=v2).total == 40
    # The v1 scores are still there, unchanged.
    assert (
        Score.objects.get(campaign=other_campaign, version=evaluation.version).total
        == 4
    )
    assert [
        row.terril.number for row in ranking(year=2020, version=evaluation.version)
    ] == v1_rank


def test_recompute_writes_every_version(evaluation):
    MethodVersionFactory(code="v2")
    assert scores_recompute() == 2
