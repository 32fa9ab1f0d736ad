"""Writes of site counts: a site's visit for a season and its counts, each count published
as an occurrence (source « comptage ») in the same transaction; a zero publishes an absence."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cpie_naturaliste.core.geo import to_storage_srid
from observations.models import (
    CountProgramme,
    CountSite,
    CountVisit,
    Occurrence,
    SiteCount,
    Source,
)
from observations.services import (
    occurrence_delete,
    occurrence_publish,
    occurrences_publish_bulk,
)
from referentiel.models import Person, Taxon
from referentiel.permissions import may_write_in

from .selectors import visits_writable_by

# Conditions a visit may record besides its date, coverage and observers.
CONDITIONS = ("temperature", "humidity", "ice", "water_level", "disturbance", "comment")
TEXT_CONDITIONS = {"ice", "water_level", "disturbance", "comment"}


@dataclass
class VisitEntry:
    """One site's visit for a season as the grid or a spreadsheet row gives it."""

    count_site: CountSite
    date: dt.date
    coverage: str = CountVisit.Coverage.COMPLETE
    observers: list[Person] = field(default_factory=list)
    conditions: dict = field(default_factory=dict)
    # taxon id → count; None (or absent) = not counted, 0 = counted and none found.
    counts: dict[int, int | None] = field(default_factory=dict)


def count_occurrence_fields(
    *, programme: CountProgramme, visit: CountVisit, taxon: Taxon, count: int
) -> dict:
    site = visit.count_site.site
    return {
        "dataset_id": programme.dataset_id,
        "programme_id": programme.programme_id,
        "taxon": taxon,
        "cited_name": taxon.scientific_name,
        "observation_status": "Pr" if count > 0 else "No",
        "date_start": visit.date,
        "date_end": visit.date,
        "geom": to_storage_srid(site.geom),
        "site": site,
        "place_name": site.name[:255],
        "count_min": count,
        "count_max": count,
        "count_object": "IND",
        "count_type": "Co",
        "comment": _("Comptage %(programme)s, saison %(season)s (%(coverage)s).")
        % {
            "programme": programme.programme.code,
            "season": visit.season,
            "coverage": visit.get_coverage_display().lower(),
        },
    }


def visit_check(entry: VisitEntry, programme: CountProgramme) -> None:
    """Raise a ``ValidationError`` (French messages) if the entry cannot be saved."""
    errors = {}
    if entry.date > timezone.localdate():
        errors["date"] = [_("La date ne peut pas être dans le futur.")]
    allowed = set(programme.taxa.values_list("pk", flat=True))
    if set(entry.counts) - allowed:
        errors["counts"] = [_("Espèce hors de la liste du programme.")]
    if any(value is not None and value < 0 for value in entry.counts.values()):
        errors["counts"] = [_("Un effectif ne peut pas être négatif.")]
    if entry.coverage == CountVisit.Coverage.NOTHING_FOUND and any(
        entry.counts.values()
    ):
        errors["coverage"] = [_("« Rien trouvé » mais des effectifs positifs.")]
    if errors:
        raise ValidationError(errors)


def _effective_counts(entry: VisitEntry, programme: CountProgramme) -> dict[int, int]:
    """Counts to store: « rien trouvé » is a zero for every species of the programme,
    « non compté » stores none."""
    if entry.coverage == CountVisit.Coverage.NOT_COUNTED:
        return {}
    if entry.coverage == CountVisit.Coverage.NOTHING_FOUND:
        return dict.fromkeys(programme.taxa.values_list("pk", flat=True), 0)
    return {taxon: value for taxon, value in entry.counts.items() if value is not None}


@transaction.atomic
def visit_save(*, entry: VisitEntry, user, entry_uuid=None) -> CountVisit:
    """Create or update the season's visit of a site with its counts, and keep the published
    occurrences in step (created, updated, or deleted when a count is emptied).
    ``entry_uuid``: the outbox's grid this save comes from."""
    count_site = entry.count_site
    programme = count_site.programme
    visit_check(entry, programme)
    season = programme.season_of(entry.date)
    visit = CountVisit.objects.filter(count_site=count_site, season=season).first()
    if visit is None:
        visit = CountVisit(count_site=count_site, season=season, created_by=user)
    visit.date, visit.coverage = entry.date, entry.coverage
    if entry_uuid is not None:
        visit.entry_uuid = entry_uuid
    for name in CONDITIONS:
        default = "" if name in TEXT_CONDITIONS else None
        setattr(visit, name, entry.conditions.get(name, default))
    visit.full_clean(exclude=["created_by", "count_site", "season"])
    visit.save()
    visit.observers.set(entry.observers)
    wanted = _effective_counts(entry, programme)
    existing = {c.taxon_id: c for c in visit.counts.select_related("occurrence")}
    for taxon_id, count in list(existing.items()):
        if taxon_id not in wanted:
            count_delete(count=count, user=user)
    taxa = Taxon.objects.in_bulk(list(wanted))
    for taxon_id, value in wanted.items():
        count = existing.get(taxon_id) or SiteCount(visit=visit, taxon_id=taxon_id)
        count.count = value
        count.save()
        count.occurrence = occurrence_publish(
            occurrence=count.occurrence,
            user=user,
            source=Source.COMPTAGE,
            observers=entry.observers,
            **count_occurrence_fields(
                programme=programme, visit=visit, taxon=taxa[taxon_id], count=value
            ),
        )
        count.save(update_fields=["occurrence"])
    return visit


@transaction.atomic
def count_delete(*, count: SiteCount, user) -> None:
    occurrence = count.occurrence
    count.delete()
    if occurrence is not None:
        occurrence_delete(occurrence=occurrence, user=user)


@transaction.atomic
def visits_create_bulk(*, entries: Iterable[VisitEntry], user) -> list[CountVisit]:
    """New visits (none yet for their site and season) written in a few statements, for a
    season's import or the demo: same rows and occurrences as ``visit_save``."""
    entries = list(entries)
    if not entries:
        return []
    programmes = {e.count_site.programme_id: e.count_site.programme for e in entries}
    taxa = Taxon.objects.in_bulk(
        {t for p in programmes.values() for t in p.taxa.values_list("pk", flat=True)}
    )
    visits = []
    for entry in entries:
        programme = programmes[entry.count_site.programme_id]
        visit_check(entry, programme)
        visit = CountVisit(
            count_site=entry.count_site,
            season=programme.season_of(entry.date),
            date=entry.date,
            coverage=entry.coverage,
            created_by=user,
            **{k: v for k, v in entry.conditions.items() if k in CONDITIONS},
        )
        visits.append(visit)
    CountVisit.objects.bulk_create(visits, batch_size=500)
    CountVisit.observers.through.objects.bulk_create(
        CountVisit.observers.through(countvisit_id=visit.pk, person_id=person.pk)
        for visit, entry in zip(visits, entries, strict=True)
        for person in entry.observers
    )
    counts, occurrences, observer_ids = [], [], []
    for visit, entry in zip(visits, entries, strict=True):
        programme = programmes[entry.count_site.programme_id]
        label = ", ".join(str(person) for person in entry.observers)
        for taxon_id, value in _effective_counts(entry, programme).items():
            counts.append(SiteCount(visit=visit, taxon_id=taxon_id, count=value))
            occurrences.append(
                Occurrence(
                    created_by=user,
                    updated_by=user,
                    source=Source.COMPTAGE,
                    observers_label=label,
                    **count_occurrence_fields(
                        programme=programme,
                        visit=visit,
                        taxon=taxa[taxon_id],
                        count=value,
                    ),
                )
            )
            observer_ids.append([person.pk for person in entry.observers])
    occurrences_publish_bulk(
        occurrences=occurrences, observer_ids=observer_ids, user=user
    )
    for count, occurrence in zip(counts, occurrences, strict=True):
        count.occurrence = occurrence
    SiteCount.objects.bulk_create(counts, batch_size=1000)
    return visits


def _unchanged(visit: CountVisit, entry: VisitEntry, programme) -> bool:
    stored = {c.taxon_id: c.count for c in visit.counts.all()}
    conditions = {name: getattr(visit, name) for name in entry.conditions}
    return (
        visit.date == entry.date
        and visit.coverage == entry.coverage
        and stored == _effective_counts(entry, programme)
        and conditions == entry.conditions
        and {p.pk for p in visit.observers.all()} == {p.pk for p in entry.observers}
    )


@transaction.atomic
def season_grid_save(
    *,
    programme: CountProgramme,
    season: int,
    entries: list[VisitEntry],
    user,
    entry_uuid=None,
) -> int:
    """Save the grid of a season: every changed row through ``visit_save``, unchanged
    rows left alone (their occurrences keep their validation). Returns the rows saved.

    The write rule (``referentiel.permissions``): a new visit needs a user who may enter
    data in the programme's dataset, a changed one a user who may change that visit (the
    producing organisation's coordinators, or its author); otherwise ``PermissionDenied``
    is raised before anything is written."""
    if not may_write_in(user, programme.dataset_id):
        raise PermissionDenied(_("Saisie réservée aux organismes du jeu de données."))
    visits = {
        v.count_site_id: v
        for v in CountVisit.objects.filter(
            count_site__programme=programme, season=season
        ).prefetch_related("counts", "observers")
    }
    allowed = set(
        visits_writable_by(user, programme)
        .filter(season=season)
        .values_list("pk", flat=True)
    )
    changed = []
    for entry in entries:
        if entry.count_site.programme_id != programme.pk:
            raise ValidationError(_("Site hors du programme."))
        if programme.season_of(entry.date) != season:
            raise ValidationError(
                _("Date hors de la saison %(season)s.") % {"season": season}
            )
        visit = visits.get(entry.count_site.pk)
        if visit is not None and _unchanged(visit, entry, programme):
            continue
        if visit is not None and visit.pk not in allowed:
            raise PermissionDenied(
                _(
                    "Visite saisie par une autre personne : seule la coordination de "
                    "l'organisme peut la modifier."
                )
            )
        changed.append(entry)
    for entry in changed:
        visit_save(entry=entry, user=user, entry_uuid=entry_uuid)
    return len(changed)
