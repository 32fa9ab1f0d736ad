"""Drift fences a user may see and their charts: seasonal chronology, first arrivals
across years, yearly totals.

A fence is the place of the counts made at it: a fence holding a count the reader may not
place (a sensitive species read blurred) is left out for that reader, as is a fence of a
dataset they may not read or at a site hidden from them (``selectors.reading``). The charts
count only the counts the reader places."""

from collections import defaultdict

from django.db.models import Count, F, Min, QuerySet, Sum
from django.db.models.functions import ExtractYear

from observations import policy
from observations.blurring import Reader
from observations.policy import placeable_records
from referentiel.models import Dataset, Taxon
from zones_humides.models import DriftFence, FenceCount
from zones_humides.selectors.reading import FENCE_LINK, sites_visible_to
from zones_humides.taxa import REGIONAL_SPECIES

AMPLEXUS = FenceCount.Sex.AMPLEXUS


def fence_taxa(fence) -> list[Taxon]:
    """The rows of the morning grid: the species already counted at the fence, then the
    other regional species."""
    counted = list(
        Taxon.objects.filter(fence_counts__check_round__fence=fence)
        .distinct()
        .order_by("scientific_name")
    )
    regional = Taxon.objects.in_bulk(list(REGIONAL_SPECIES), field_name="cd_nom")
    ids = {t.pk for t in counted}
    return counted + [
        regional[c]
        for c in REGIONAL_SPECIES
        if c in regional and regional[c].pk not in ids
    ]


def fences_visible_to(user, *, reader: Reader | None = None) -> QuerySet[DriftFence]:
    if not user.is_authenticated:
        return DriftFence.objects.none()
    reader = reader or Reader.for_user(user)
    fences = DriftFence.objects.filter(
        dataset__in=Dataset.objects.visible_to(user),
        site__in=sites_visible_to(user, reader=reader),
    )
    return policy.without_hidden_places(fences, user, FENCE_LINK, reader=reader)


def fence_counts(*, fence: DriftFence, user) -> QuerySet[FenceCount]:
    """The counts of ``fence`` the reader places."""
    return placeable_records(FenceCount.objects.filter(check_round__fence=fence), user)


def fence_check_records(*, fence: DriftFence, user, **filters) -> list:
    """The rounds of ``fence`` (narrowed by ``filters`` on ``FenceCheck``, newest first),
    each with ``records``: its counts the reader places, with the uuid of the record each
    publishes and its number of photos and sounds, to reach them on the record's page."""
    counts = (
        fence_counts(fence=fence, user=user)
        .filter(**{f"check_round__{name}": value for name, value in filters.items()})
        .select_related("taxon", "check_round")
        .annotate(
            occurrence_uuid=F("occurrence__uuid"),
            media_count=Count("occurrence__media"),
        )
        .order_by("-check_round__date", "taxon__scientific_name", "sex", "-alive")
    )
    rounds: dict[int, object] = {}
    for count in counts:
        check = rounds.setdefault(count.check_round_id, count.check_round)
        check.__dict__.setdefault("records", []).append(count)
    return list(rounds.values())


def _species_name(taxon) -> str:
    vernacular = (taxon.vernacular_name or "").split(",")[0].strip()
    return vernacular or taxon.scientific_name


def fence_years(fence: DriftFence) -> list[int]:
    return sorted(
        set(fence.checks.annotate(y=ExtractYear("date")).values_list("y", flat=True))
    )


def fence_chronology(*, fence: DriftFence, year: int, user) -> dict:
    """Animals counted per day and species in a season (alive and dead)."""
    checks = list(
        fence.checks.filter(date__year=year)
        .order_by("date")
        .values_list("pk", "date", "temperature_c")
    )
    per_day: dict = defaultdict(lambda: defaultdict(int))
    counts = fence_counts(fence=fence, user=user).filter(
        check_round__in=[c[0] for c in checks]
    )
    # A couple in amplexus is two animals.
    for check_id, taxon_id, sex, n in counts.values_list(
        "check_round_id", "taxon_id", "sex", "count"
    ):
        per_day[taxon_id][check_id] += n * 2 if sex == AMPLEXUS else n
    names = _names(per_day)
    return {
        "labels": [d.isoformat() for _, d, _ in checks],
        "temperature": [float(t) if t is not None else None for _, _, t in checks],
        "series": [
            {
                "label": names[taxon_id],
                "data": [per_day[taxon_id].get(pk, 0) for pk, _, _ in checks],
            }
            for taxon_id in sorted(names, key=lambda t: names[t])
        ],
    }


def fence_first_arrivals(*, fence: DriftFence, user) -> dict:
    """Per species and year, the first day an animal was counted (day of year)."""
    rows = (
        fence_counts(fence=fence, user=user)
        .annotate(y=ExtractYear("check_round__date"))
        .values_list("taxon_id", "y")
        .annotate(first=Min("check_round__date"))
    )
    years = fence_years(fence)
    firsts: dict = defaultdict(dict)
    for taxon_id, year, first in rows:
        firsts[taxon_id][year] = first
    names = _names(firsts)
    return {
        "labels": years,
        "series": [
            {
                "label": names[taxon_id],
                "data": [
                    firsts[taxon_id][y].timetuple().tm_yday
                    if y in firsts[taxon_id]
                    else None
                    for y in years
                ],
                "dates": [
                    firsts[taxon_id][y].strftime("%d/%m")
                    if y in firsts[taxon_id]
                    else ""
                    for y in years
                ],
            }
            for taxon_id in sorted(names, key=lambda t: names[t])
        ],
    }


def fence_yearly_totals(*, fence: DriftFence, user) -> dict:
    """Animals counted per year and species since the fence was set up."""
    rows = (
        fence_counts(fence=fence, user=user)
        .filter(alive=True)
        .annotate(y=ExtractYear("check_round__date"))
        .values_list("taxon_id", "y", "sex")
        .annotate(n=Sum("count"))
    )
    years = fence_years(fence)
    totals: dict = defaultdict(lambda: defaultdict(int))
    for taxon_id, year, sex, n in rows:
        totals[taxon_id][year] += n * 2 if sex == AMPLEXUS else n
    names = _names(totals)
    return {
        "labels": years,
        "series": [
            {
                "label": names[taxon_id],
                "data": [totals[taxon_id].get(y, 0) for y in years],
            }
            for taxon_id in sorted(names, key=lambda t: names[t])
        ],
    }


def _names(by_taxon) -> dict:
    return {t.pk: _species_name(t) for t in Taxon.objects.filter(pk__in=list(by_taxon))}
