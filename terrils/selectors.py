"""Reads built for the terril pages, the API and the ranking."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from observations.blurring import Reader, filter_area
from observations.models import Occurrence
from terrils.models import Campaign, GroupCode, MethodVersion, Score, Terril


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


def terril_species(*, terril: Terril, user):
    """Species recorded on the terril that ``user`` may see, with their record count and
    last year. Blurred records count only when their blurred area lies on the terril."""
    occurrences = Occurrence.objects.visible_to(user).filter(observation_status="Pr")
    occurrences = filter_area(
        occurrences, precise=Q(geom__intersects=terril.geom), area=terril.geom
    )
    rows: dict[int, dict] = {}
    for cd_ref, name, vernacular, group, year in occurrences.values_list(
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
    return sorted(rows.values(), key=lambda r: (r["group"], r["name"]))


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


def state_zero_comparison(*, campaign: Campaign, version: MethodVersion) -> dict | None:
    """Species gained and lost since the state zero, and the score change."""
    zero = Campaign.objects.filter(
        terril=campaign.terril, kind=Campaign.Kind.STATE_ZERO
    ).first()
    if zero is None or campaign.is_state_zero:
        return None
    now = Score.objects.filter(campaign=campaign, version=version).first()
    before = Score.objects.filter(campaign=zero, version=version).first()
    if now is None or before is None:
        return None
    now_lines = {
        (line.group, line.taxon_id): line
        for line in now.lines.filter(taxon__isnull=False)
    }
    before_lines = {
        (line.group, line.taxon_id): line
        for line in before.lines.filter(taxon__isnull=False)
    }
    return {
        "state_zero": zero,
        "before": before,
        "now": now,
        "change": now.total - before.total,
        "gained": [now_lines[k] for k in sorted(set(now_lines) - set(before_lines))],
        "lost": [before_lines[k] for k in sorted(set(before_lines) - set(now_lines))],
        "kept": len(set(now_lines) & set(before_lines)),
    }


def score_detail(*, campaign: Campaign, version: MethodVersion) -> Score | None:
    return (
        Score.objects.filter(campaign=campaign, version=version)
        .prefetch_related(Prefetch("lines"), Prefetch("group_scores"))
        .first()
    )


def group_label(code: str) -> str:
    return GroupCode(code).label if code in GroupCode.values else code


def sensitive_taxa_hidden(*, terril: Terril, user) -> set[int]:
    """cd_ref of the taxa recorded on the terril at a sensitivity this reader does not read
    precisely: naming them in a score would place them on the terril, finer than the
    commune, 10 km cell or département they are blurred to (observations.blurring)."""
    if Reader.for_user(user).sees_everything:
        return set()
    on_terril = Occurrence.objects.filter(geom__intersects=terril.geom)
    sensitive = set(
        on_terril.filter(sensitivity_level__gt=0).values_list(
            "taxon__cd_ref", flat=True
        )
    )
    if not sensitive:
        return set()
    precise = set(
        Occurrence.objects.visible_to(user)
        .filter(
            geom__intersects=terril.geom,
            is_precise=True,
            taxon__cd_ref__in=sorted(sensitive),
        )
        .values_list("taxon__cd_ref", flat=True)
    )
    return sensitive - precise


def lines_masked(lines, hidden: set[int]):
    """Score lines for display: a hidden taxon keeps its points, not its name."""
    if not hidden:
        return lines
    for line in lines:
        if line.taxon_id is not None and line.taxon.cd_ref in hidden:
            line.label = _("Espèce sensible (nom non diffusé)")
            line.taxon_id = None
            line.masked = True
    return lines
