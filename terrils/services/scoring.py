"""Scores of evaluation campaigns: computed from the records and a method version only, so
recomputing gives the same breakdown until the data or the version change.

Species value v = R[rarity] + M[threat] + bonuses ("somme") or max(R, M) + bonuses ("max");
group sub-score S_g = Σ v over the listed species observed; total = Σ w_g · S_g
(shared/domain/protocols.md §6). Records count for a group when their taxon (by its valid
name) is on the group's list and they fall in the group's protocol months."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from observations.models import Occurrence
from terrils.models import (
    Campaign,
    GroupCode,
    GroupScore,
    MethodVersion,
    Score,
    ScoreLine,
)

ZERO = Decimal(0)
# Presence records that were not rejected (doubtful or invalid) count.
REJECTED_VALIDATION = (3, 4)


@dataclass
class Line:
    group: str
    label: str
    rarity: str
    threat: str
    rarity_points: Decimal
    threat_points: Decimal
    bonus: Decimal
    points: Decimal
    taxon_id: int | None = None
    habitat_code: str = ""


@dataclass
class GroupTotal:
    group: str
    raw: Decimal
    weight: Decimal
    weighted: Decimal


@dataclass
class Breakdown:
    version: MethodVersion
    lines: list[Line] = field(default_factory=list)
    groups: list[GroupTotal] = field(default_factory=list)
    total: Decimal = ZERO


def campaign_occurrences(campaign: Campaign):
    """Every presence record on the terril's polygon within the campaign's dates (all
    producers: a score is the same whoever reads it)."""
    return Occurrence.objects.filter(
        geom__intersects=campaign.terril.geom,
        date_start__gte=campaign.date_start,
        date_start__lte=campaign.date_end,
        observation_status="Pr",
    ).exclude(validation_status__in=REJECTED_VALIDATION)


@dataclass(frozen=True)
class GroupList:
    """What a method version's group counts: its listed valid names in its months."""

    code: str
    months: frozenset[int]
    listed: frozenset[int]


def version_lists(version: MethodVersion) -> list[GroupList]:
    return [
        GroupList(
            group.code,
            frozenset(range(group.period_start, group.period_end + 1)),
            frozenset(group.species.values_list("taxon__cd_ref", flat=True)),
        )
        for group in version.groups.exclude(code=GroupCode.HABITATS)
    ]


def record_months(occurrences) -> dict[int, set[int]]:
    """cd_ref → the months it was recorded in, from ``occurrences``."""
    months_by_ref: dict[int, set[int]] = defaultdict(set)
    for cd_ref, month in occurrences.values_list("taxon__cd_ref", "date_start__month"):
        months_by_ref[cd_ref].add(month)
    return months_by_ref


def observed_in(
    months_by_ref: dict[int, set[int]], lists: list[GroupList]
) -> dict[str, set[int]]:
    """Valid names observed per group: listed, and recorded in one of its months."""
    observed: dict[str, set[int]] = defaultdict(set)
    for group in lists:
        for cd_ref in group.listed & set(months_by_ref):
            if months_by_ref[cd_ref] & group.months:
                observed[group.code].add(cd_ref)
    return observed


def campaign_observed(
    campaign: Campaign, version: MethodVersion
) -> dict[str, set[int]]:
    """Valid names (cd_ref) observed per group code: the state zero's imported list, or
    the records of the campaign's period within each group's protocol months (the terril
    pages apply the same rule to the records a reader may place:
    terrils.selectors.ScoreReading)."""
    if campaign.is_state_zero:
        observed: dict[str, set[int]] = defaultdict(set)
        for group, cd_ref in campaign.state_zero_taxa.values_list(
            "group", "taxon__cd_ref"
        ):
            observed[group].add(cd_ref)
        return observed
    return observed_in(
        record_months(campaign_occurrences(campaign)), version_lists(version)
    )


def _value(version, *, rarity, threat, protected=False, znieff=False):
    r = Decimal(str(version.rarity_points.get(rarity, 0)))
    m = Decimal(str(version.threat_points.get(threat, 0))) if threat else ZERO
    bonus = (version.protection_bonus if protected else ZERO) + (
        version.znieff_bonus if znieff else ZERO
    )
    base = max(r, m) if version.combine == MethodVersion.Combine.MAX else r + m
    return r, m, bonus, base + bonus


def score_compute(*, campaign: Campaign, version: MethodVersion) -> Breakdown:
    """The breakdown of a campaign's score under ``version`` (reads only)."""
    observed = campaign_observed(campaign, version)
    breakdown = Breakdown(version=version)
    habitat_codes = set(campaign.habitats.values_list("code", flat=True))
    for group in version.groups.order_by("id"):
        lines = []
        if group.code == GroupCode.HABITATS:
            for habitat in group.habitats.filter(code__in=habitat_codes):
                r, m, bonus, points = _value(
                    version,
                    rarity=habitat.rarity,
                    threat=habitat.threat,
                    znieff=habitat.is_znieff_determinant,
                )
                lines.append(
                    Line(
                        group.code,
                        f"{habitat.code} {habitat.name}",
                        habitat.rarity,
                        habitat.threat,
                        r,
                        m,
                        bonus,
                        points,
                        habitat_code=habitat.code,
                    )
                )
        else:
            refs = observed.get(group.code, set())
            entries = (
                group.species.filter(taxon__cd_ref__in=refs)
                .select_related("taxon")
                .order_by("taxon__scientific_name")
            )
            for entry in entries:
                r, m, bonus, points = _value(
                    version,
                    rarity=entry.rarity,
                    threat=entry.threat,
                    protected=entry.is_protected,
                    znieff=entry.is_znieff_determinant,
                )
                taxon = entry.taxon
                label = taxon.scientific_name
                if taxon.vernacular_name:
                    label = f"{taxon.vernacular_name.split(',')[0]} ({label})"
                lines.append(
                    Line(
                        group.code,
                        label,
                        entry.rarity,
                        entry.threat,
                        r,
                        m,
                        bonus,
                        points,
                        taxon_id=taxon.pk,
                    )
                )
        raw = sum((line.points for line in lines), ZERO)
        weighted = (raw * group.weight).quantize(Decimal("0.01"))
        breakdown.lines.extend(lines)
        breakdown.groups.append(GroupTotal(group.code, raw, group.weight, weighted))
    breakdown.total = sum((g.weighted for g in breakdown.groups), ZERO)
    return breakdown


@transaction.atomic
def score_save(*, campaign: Campaign, version: MethodVersion) -> Score:
    """Compute and store (or replace) the score of ``campaign`` under ``version``."""
    breakdown = score_compute(campaign=campaign, version=version)
    score, _created = Score.objects.update_or_create(
        campaign=campaign,
        version=version,
        defaults={
            "total": breakdown.total,
            "species_count": sum(1 for line in breakdown.lines if line.taxon_id),
        },
    )
    score.lines.all().delete()
    score.group_scores.all().delete()
    GroupScore.objects.bulk_create(
        GroupScore(
            score=score, group=g.group, raw=g.raw, weight=g.weight, weighted=g.weighted
        )
        for g in breakdown.groups
    )
    ScoreLine.objects.bulk_create(
        ScoreLine(
            score=score,
            group=line.group,
            taxon_id=line.taxon_id,
            habitat_code=line.habitat_code,
            label=line.label[:300],
            rarity=line.rarity,
            threat=line.threat,
            rarity_points=line.rarity_points,
            threat_points=line.threat_points,
            bonus=line.bonus,
            points=line.points,
        )
        for line in breakdown.lines
    )
    return score


@transaction.atomic
def scores_recompute(*, version: MethodVersion | None = None, campaigns=None) -> int:
    """Recompute the scores of every campaign (or of ``campaigns``) under ``version``, or
    under every version when none is given; other versions' scores are left as they are.
    Returns the number of scores written."""
    versions = [version] if version else list(MethodVersion.objects.all())
    campaigns = (
        Campaign.objects.select_related("terril") if campaigns is None else campaigns
    )
    written = 0
    for campaign in campaigns:
        for each in versions:
            score_save(campaign=campaign, version=each)
            written += 1
    return written


def version_current() -> MethodVersion | None:
    return MethodVersion.objects.filter(is_current=True).first()


def version_resolve(code: str | None) -> MethodVersion | None:
    """The version named by ``code``, else the current one (else the latest)."""
    if code:
        return MethodVersion.objects.filter(code=code).first()
    return version_current() or MethodVersion.objects.first()
