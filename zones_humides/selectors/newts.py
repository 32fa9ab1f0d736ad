"""Great crested newt photo-identification: what a user may see, the candidates shown
next to a new photo, an individual's history and the capture-history matrix.

Triturus cristatus is a sensitive species: a capture (date, site, belly photo) and an
individual (first capture's date and site) are shown only to a reader who would place an
occurrence of the species in their dataset (``selectors.reading.newt_placeable``), at a
site the reader sees; an individual's figures (captures, last seen) count only the
captures shown."""

import csv
import io

from django.db.models import Count, Max, Min, OuterRef, Q, QuerySet, Subquery

from observations.blurring import Reader
from referentiel.models import Dataset, Site
from zones_humides.models import NewtCapture, NewtIndividual
from zones_humides.selectors.reading import newt_placeable, sites_visible_to

# Sites within this distance of the capture's site are "neighbouring" (newts move a few
# hundred metres between ponds, rarely more than 1 km).
NEIGHBOUR_M = 2000
CANDIDATES_MAX = 24


def captures_visible_to(user, *, reader: Reader | None = None) -> QuerySet[NewtCapture]:
    if not user.is_authenticated:
        return NewtCapture.objects.none()
    reader = reader or Reader.for_user(user)
    captures = NewtCapture.objects.filter(
        dataset__in=Dataset.objects.visible_to(user),
        site__in=sites_visible_to(user, reader=reader),
    )
    return newt_placeable(captures, user, reader=reader)


def individuals_visible_to(
    user, *, reader: Reader | None = None
) -> QuerySet[NewtIndividual]:
    if not user.is_authenticated:
        return NewtIndividual.objects.none()
    reader = reader or Reader.for_user(user)
    individuals = NewtIndividual.objects.filter(
        dataset__in=Dataset.objects.visible_to(user),
        first_site__in=sites_visible_to(user, reader=reader),
    )
    return newt_placeable(individuals, user, reader=reader)


def with_last_capture(
    individuals: QuerySet[NewtIndividual], captures: QuerySet[NewtCapture]
) -> QuerySet:
    """``individuals`` with their last capture, its date and their number of captures,
    among ``captures`` (those the reader sees)."""
    latest = captures.filter(individual=OuterRef("pk")).order_by("-date", "-id")
    shown = Q(captures__in=captures.values("pk"))
    return individuals.annotate(
        last_seen=Max("captures__date", filter=shown),
        capture_count=Count("captures", filter=shown),
        last_capture_id=Subquery(latest.values("pk")[:1]),
    )


def newt_candidates(*, capture: NewtCapture, user) -> list[NewtIndividual]:
    """Individuals seen at the capture's site or a neighbouring one, the most recently
    seen first, each with ``last_capture`` (for its thumbnail)."""
    reader = Reader.for_user(user)
    sites = Site.objects.filter(geom__dwithin=(capture.site.geom, NEIGHBOUR_M))
    captures = captures_visible_to(user, reader=reader)
    nearby = captures.filter(site__in=sites).values("individual")
    individuals = (
        with_last_capture(
            individuals_visible_to(user, reader=reader).filter(pk__in=nearby),
            captures,
        )
        .exclude(pk=capture.individual_id or 0)
        .order_by("-last_seen", "code")[:CANDIDATES_MAX]
    )
    individuals = list(individuals)
    captures = NewtCapture.objects.select_related("site").in_bulk(
        [i.last_capture_id for i in individuals]
    )
    for individual in individuals:
        individual.last_capture = captures.get(individual.last_capture_id)
    return individuals


def capture_history_years(captures: QuerySet[NewtCapture]) -> list[int]:
    bounds = captures.aggregate(first=Min("date__year"), last=Max("date__year"))
    if bounds["first"] is None:
        return []
    return list(range(bounds["first"], bounds["last"] + 1))


def capture_history_matrix(*, user, site: Site | None = None) -> tuple[list, list]:
    """(years, rows): one row per individual, ``(code, [1 or 0 per year])``, from the
    tagged captures the user may read (of one site if given)."""
    reader = Reader.for_user(user)
    captures = captures_visible_to(user, reader=reader).filter(
        individual__in=individuals_visible_to(user, reader=reader)
    )
    if site is not None:
        captures = captures.filter(site=site)
    years = capture_history_years(captures)
    seen: dict[str, set[int]] = {}
    for code, year in captures.values_list("individual__code", "date__year"):
        seen.setdefault(code, set()).add(year)
    rows = [
        (code, [1 if year in seen[code] else 0 for year in years])
        for code in sorted(seen)
    ]
    return years, rows


def capture_history_csv(*, user, site: Site | None = None) -> str:
    years, rows = capture_history_matrix(user=user, site=site)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["individu", *years])
    for code, marks in rows:
        writer.writerow([code, *marks])
    return buffer.getvalue()
