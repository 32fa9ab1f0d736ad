"""Reads built for the terril pages, the API and the ranking.

Terrils are a public registry and a score's total is the same for every reader; what
depends on the reader is which species a page may *name* on a terril (observations.policy):
``terril_species`` lists only the records the reader may place on it, and ``ScoreReading``
folds every line the reader may not see named into one "Données sensibles" line."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q

from observations.blurring import Reader
from observations.models import Occurrence
from observations.policy import hidden_records, placeable_q
from referentiel.models import Dataset, SensitivityRule, TaxonStatus
from terrils.models import (
    Campaign,
    GroupCode,
    GroupScore,
    MethodVersion,
    Score,
    ScoreLine,
    Terril,
    Visit,
)
from terrils.services.scoring import (
    campaign_occurrences,
    observed_in,
    record_months,
    version_lists,
)


@dataclass
class RankingRow:
    rank: int
    terril: Terril
    score: Score
    score_class: str
    state_zero: Score | None

    @property
    def change(self) -> Decimal | None:
        if self.state_zero is None:
            return None
        return self.score.total - self.state_zero.total


def ranking(*, year: int, version: MethodVersion) -> list[RankingRow]:
    """Terrils evaluated in ``year``, best score first, with their state-zero score."""
    scores = list(
        Score.objects.filter(
            version=version,
            campaign__year=year,
            campaign__kind=Campaign.Kind.EVALUATION,
        )
        .select_related("campaign__terril", "version")
        .order_by("-total", "campaign__terril__number")
    )
    zero = {
        s.campaign.terril_id: s
        for s in Score.objects.filter(
            version=version,
            campaign__kind=Campaign.Kind.STATE_ZERO,
            campaign__terril__in=[s.campaign.terril_id for s in scores],
        ).select_related("campaign")
    }
    return [
        RankingRow(
            rank=index,
            terril=score.campaign.terril,
            score=score,
            score_class=version.score_class(score.total),
            state_zero=zero.get(score.campaign.terril_id),
        )
        for index, score in enumerate(scores, start=1)
    ]


def ranking_years() -> list[int]:
    return sorted(
        Campaign.objects.filter(kind=Campaign.Kind.EVALUATION)
        .values_list("year", flat=True)
        .distinct(),
        reverse=True,
    )


@dataclass
class SpeciesList:
    """The species of a terril as one reader may see them: ``rows`` counts the records the
    reader places on the terril; ``not_shown`` the records of the terril's area the reader
    reads blurred only (their commune, 10 km cell or département overlaps the terril)."""

    rows: list[dict]
    not_shown: int

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)


def terril_species(*, terril: Terril, user) -> SpeciesList:
    """Species recorded on the terril with their record count and last year, from the
    records ``user`` may place there: readable, precise for the reader and inside the
    polygon (observations.policy). A blurred record whose area merely overlaps the terril
    is not a record of the terril: it is counted in ``not_shown``, never in a species."""
    reader = Reader.for_user(user)
    readable = Occurrence.objects.visible_to(user, reader=reader).filter(
        observation_status="Pr"
    )
    placeable = readable.filter(
        placeable_q(user, reader=reader), geom__intersects=terril.geom
    )
    rows: dict[int, dict] = {}
    for cd_ref, name, vernacular, group, year in placeable.values_list(
        "taxon__cd_ref",
        "taxon__scientific_name",
        "taxon__vernacular_name",
        "atlas_group__name",
        "date_start__year",
    ):
        row = rows.setdefault(
            cd_ref,
            {
                "name": name,
                "vernacular": (vernacular or "").split(",")[0],
                "group": group or "",
                "records": 0,
                "last_year": year,
            },
        )
        row["records"] += 1
        row["last_year"] = max(row["last_year"], year)
    not_shown = 0
    if not reader.sees_everything:
        not_shown = (
            readable.exclude(reader.precise_q())
            .filter(
                blurred_geom__bboverlaps=terril.geom,
                blurred_geom__relate=(terril.geom, "T********"),
            )
            .count()
        )
    return SpeciesList(
        rows=sorted(rows.values(), key=lambda r: (r["group"], r["name"])),
        not_shown=not_shown,
    )


def terril_history(*, terril: Terril, version: MethodVersion) -> list[dict]:
    """The terril's scores under ``version``, oldest first (state zero included)."""
    return [
        {
            "year": score.campaign.year,
            "label": (
                f"État zéro ({score.campaign.year})"
                if score.campaign.is_state_zero
                else str(score.campaign.year)
            ),
            "total": float(score.total),
            "state_zero": score.campaign.is_state_zero,
        }
        for score in Score.objects.filter(version=version, campaign__terril=terril)
        .select_related("campaign")
        .order_by("campaign__year")
    ]


def state_zero_comparison(
    *, campaign: Campaign, version: MethodVersion, reading: "ScoreReading"
) -> dict | None:
    """Species gained and lost since the state zero, and the score change, as the reader
    of ``reading`` may see them: a species hidden in either score is in none of the lists
    (nor in ``kept``), only in the ``hidden`` count."""
    zero = Campaign.objects.filter(
        terril=campaign.terril, kind=Campaign.Kind.STATE_ZERO
    ).first()
    if zero is None or campaign.is_state_zero:
        return None
    now = Score.objects.filter(campaign=campaign, version=version).first()
    before = Score.objects.filter(campaign=zero, version=version).first()
    if now is None or before is None:
        return None
    now_view = reading.view(now)
    before_view = reading.view(before)
    hidden = now_view.hidden_keys | before_view.hidden_keys
    now_lines = {
        key: line
        for line in now_view.lines
        if (key := (line.group, line.taxon_id)) not in hidden and line.taxon_id
    }
    before_lines = {
        key: line
        for line in before_view.lines
        if (key := (line.group, line.taxon_id)) not in hidden and line.taxon_id
    }
    return {
        "state_zero": zero,
        "before": before,
        "now": now,
        "change": now.total - before.total,
        "gained": [now_lines[k] for k in sorted(set(now_lines) - set(before_lines))],
        "lost": [before_lines[k] for k in sorted(set(before_lines) - set(now_lines))],
        "kept": len(set(now_lines) & set(before_lines)),
        "hidden": len(hidden),
    }


def score_detail(*, campaign: Campaign, version: MethodVersion) -> Score | None:
    return (
        Score.objects.filter(campaign=campaign, version=version)
        .select_related("campaign__terril", "version")
        .prefetch_related(
            Prefetch("lines", queryset=ScoreLine.objects.select_related("taxon")),
            "group_scores",
        )
        .first()
    )


def group_label(code: str) -> str:
    return GroupCode(code).label if code in GroupCode.values else code


# The one line standing for every species a reader may not see named (observations.policy:
# an aggregate never singles out a hidden record).
HIDDEN_LINE_LABEL = "Données sensibles : {points} points"


@dataclass
class GroupView:
    """A group's sub-score as a reader sees it: its named lines only."""

    group: str
    raw: Decimal
    weight: Decimal
    weighted: Decimal

    @property
    def label(self) -> str:
        return group_label(self.group)

    def get_group_display(self) -> str:
        return self.label


@dataclass
class ScoreView:
    """A stored score as one reader may see it. ``lines`` are the named lines in their
    stored order (group, then name); every line the reader may not see named is folded
    into ``hidden_points``, and the group sub-scores count the named lines only, so that
    neither a group, a rarity class nor a position tells the hidden species apart. The
    total is the score's: named groups plus hidden points."""

    score: Score
    lines: list[ScoreLine]
    groups: list[GroupView]
    hidden_points: Decimal = Decimal(0)
    hidden_keys: set = field(default_factory=set)

    @property
    def total(self) -> Decimal:
        return self.score.total

    @property
    def hidden_label(self) -> str:
        if not self.hidden_keys:
            return ""
        return HIDDEN_LINE_LABEL.format(points=f"{self.hidden_points.normalize():f}")


class ScoreReading:
    """Which lines of terril scores one reader may see named (one per request: the answers
    are cached per campaign, version and terril).

    A score counts every record of the terril, whoever produced it and however sensitive
    (its total is the same for everyone). A line names a species on the terril, i.e. places
    its records there, so it is named only for a reader who may place one of the records it
    comes from (``observations.policy.placeable_q``): readable, and precise for the reader.
    A state zero has no record behind its list: its species is named unless it is sensitive
    beyond the reader's clearance (its regional status or any sensitivity rule) and the
    reader places no record of it on the terril. The state zero's list and a habitat line
    are rows of the campaign: named only when the campaign's dataset is readable."""

    def __init__(self, user):
        self.user = user
        self.reader = Reader.for_user(user)
        self.placeable = placeable_q(user, reader=self.reader)
        # Reads every dataset and sees everything precisely: nothing to hide.
        self.sees_all = self.placeable == Q()
        self._named: dict[tuple[int, int], set[tuple[str, int]]] = {}
        self._months: dict[int, dict[int, set[int]]] = {}
        self._lists: dict[int, list] = {}
        self._on_terril: dict[int, set[int]] = {}
        self._readable: dict[int, bool] = {}
        self._levels: dict[int, int] = {}

    def campaign_readable(self, campaign: Campaign) -> bool:
        dataset_id = campaign.dataset_id
        if dataset_id is None or self.sees_all:
            return True
        if dataset_id not in self._readable:
            self._readable[dataset_id] = (
                Dataset.objects.visible_to(self.user).filter(pk=dataset_id).exists()
            )
        return self._readable[dataset_id]

    def _named_in_campaign(self, campaign: Campaign, version: MethodVersion) -> set:
        """(group, cd_ref) observed by the records of the campaign the reader places:
        the scoring rule (terrils.services.scoring.observed_in) on those records."""
        key = (campaign.pk, version.pk)
        if key not in self._named:
            if campaign.pk not in self._months:
                records = campaign_occurrences(campaign).filter(self.placeable)
                self._months[campaign.pk] = record_months(records)
            if version.pk not in self._lists:
                self._lists[version.pk] = version_lists(version)
            observed = observed_in(self._months[campaign.pk], self._lists[version.pk])
            self._named[key] = {
                (group, cd_ref) for group, refs in observed.items() for cd_ref in refs
            }
        return self._named[key]

    def _placed_on_terril(self, terril: Terril) -> set[int]:
        """cd_ref of the species the reader places on the terril (any date)."""
        if terril.pk not in self._on_terril:
            self._on_terril[terril.pk] = set(
                Occurrence.objects.filter(self.placeable, geom__intersects=terril.geom)
                .values_list("taxon__cd_ref", flat=True)
                .distinct()
            )
        return self._on_terril[terril.pk]

    def _named_in_state_zero(self, campaign: Campaign, lines: list[ScoreLine]) -> set:
        if self.reader.sees_everything or campaign.dataset_id in (
            self.reader.own_dataset_ids
        ):
            return {(line.group, line.taxon.cd_ref) for line in lines}
        refs = {line.taxon.cd_ref for line in lines} | {line.taxon_id for line in lines}
        missing = refs - set(self._levels)
        if missing:
            found = taxa_sensitivity(missing)
            self._levels.update({ref: found.get(ref, 0) for ref in missing})
        levels = self._levels
        named = set()
        for line in lines:
            level = max(levels.get(line.taxon_id, 0), levels.get(line.taxon.cd_ref, 0))
            if level <= self.reader.clearance or line.taxon.cd_ref in (
                self._placed_on_terril(campaign.terril)
            ):
                named.add((line.group, line.taxon.cd_ref))
        return named

    def view(self, score: Score) -> ScoreView:
        lines = list(score.lines.all())
        groups = list(score.group_scores.all())
        if self.sees_all:
            return ScoreView(score, lines, [_group_view(g) for g in groups])
        campaign = score.campaign
        readable = self.campaign_readable(campaign)
        species = [line for line in lines if line.taxon_id is not None]
        if not campaign.is_state_zero:
            # The terril's records, whatever their dataset: those the reader places.
            named_keys = self._named_in_campaign(campaign, score.version)
        elif readable:
            named_keys = self._named_in_state_zero(campaign, species)
        else:
            # The state zero's list is a row of the campaign's own dataset.
            named_keys: set = set()
        shown, hidden_keys = [], set()
        for line in lines:
            if line.taxon_id is None:
                visible = readable
                key = (line.group, line.habitat_code)
            else:
                visible = (line.group, line.taxon.cd_ref) in named_keys
                key = (line.group, line.taxon_id)
            if visible:
                shown.append(line)
            else:
                hidden_keys.add(key)
        if not hidden_keys:
            return ScoreView(score, lines, [_group_view(g) for g in groups])
        raw: dict[str, Decimal] = {}
        for line in shown:
            raw[line.group] = raw.get(line.group, Decimal(0)) + line.points
        views = [
            GroupView(
                group=g.group,
                raw=raw.get(g.group, Decimal(0)),
                weight=g.weight,
                weighted=(raw.get(g.group, Decimal(0)) * g.weight).quantize(
                    Decimal("0.01")
                ),
            )
            for g in groups
        ]
        return ScoreView(
            score,
            shown,
            views,
            hidden_points=score.total - sum((g.weighted for g in views), Decimal(0)),
            hidden_keys=hidden_keys,
        )


def _group_view(group: GroupScore) -> GroupView:
    return GroupView(group.group, group.raw, group.weight, group.weighted)


def taxa_sensitivity(refs: set[int]) -> dict[int, int]:
    """The highest sensitivity level of each taxon (cd_nom or cd_ref) in ``refs``: its
    regional status or any active rule naming it, whatever the place and date (a state
    zero list has neither)."""
    levels: dict[int, int] = {}
    for taxon_id, level in TaxonStatus.objects.filter(
        taxon_id__in=sorted(refs), sensitivity_level__gt=0
    ).values_list("taxon_id", "sensitivity_level"):
        levels[taxon_id] = max(levels.get(taxon_id, 0), level)
    for taxon_refs, level in SensitivityRule.objects.filter(
        is_active=True, taxon_refs__overlap=sorted(refs)
    ).values_list("taxon_refs", "level"):
        for ref in set(taxon_refs) & refs:
            levels[ref] = max(levels.get(ref, 0), level)
    return levels


def visits_shown(campaign: Campaign, user) -> list[Visit]:
    """The campaign's visits a reader may see: a visit of a group on the day of a record
    the reader may not place would date and place it on the terril (and name who saw
    it), so it is left out with the record."""
    hidden = {
        (group, date)
        for group, date in hidden_records(campaign.records.all(), user).values_list(
            "group", "occurrence__date_start"
        )
    }
    return [
        visit
        for visit in campaign.visits.all()
        if (visit.group, visit.date) not in hidden
    ]
