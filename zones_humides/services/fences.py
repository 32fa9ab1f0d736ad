"""Drift-fence checks: a morning's counts replace the previous ones and are published as
occurrences in bulk (one per species × sex × alive/dead)."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from observations.models import Occurrence, Source
from observations.services import (
    occurrence_check,
    occurrence_delete,
    occurrence_media_add,
    occurrence_publish,
    occurrences_publish_bulk,
    people_label,
)
from referentiel.models import Person
from zones_humides.models import DriftFence, FenceCheck, FenceCount

# FenceCount.Sex → SINP SEXE and STADE_VIE.
SEX_SINP = {
    "male": "3",
    "female": "2",
    "amplexus": "5",
    "juvenile": "1",
    "undetermined": "1",
}
LIFE_STAGE_SINP = {"juvenile": "3"}


def fence_counts_occurrence_fields(count: FenceCount) -> dict:
    check = count.check_round
    fence = check.fence
    site = fence.site
    return {
        "dataset": fence.dataset,
        "programme": fence.dataset.programme,
        "taxon": count.taxon,
        "cited_name": count.taxon.scientific_name,
        "date_start": check.date,
        "date_end": check.date,
        "time_start": check.time,
        "geom": site.geom.point_on_surface,
        "site": site,
        "count_min": count.individuals,
        "count_max": count.individuals,
        "count_object": "IND",
        "count_type": "Co",
        "sex": SEX_SINP[count.sex],
        "life_stage": LIFE_STAGE_SINP.get(count.sex, "2"),
        "bio_condition": "2" if count.alive else "3",
        "bio_status": "3",
        "obs_technique": "0",
        "source_key": f"barriere:{check.pk}:{count.taxon_id}:{count.sex}:{count.alive}",
        "comment": _("Barrière-piège %(fence)s (%(sex)s%(dead)s).")
        % {
            "fence": fence,
            "sex": count.get_sex_display().lower(),
            "dead": "" if count.alive else _(", mort"),
        },
    }


@transaction.atomic
def fence_check_save(
    *,
    user,
    fence: DriftFence,
    fields: dict,
    counts: list[dict],
    observers: Iterable[Person] | None = None,
    publish: bool = True,
) -> FenceCheck:
    """Create or replace the check of ``fence`` on ``fields["date"]`` with its counts
    (``{"taxon", "sex", "alive", "count"}``), publishing one occurrence per count.
    ``observers``: the people of the round (None keeps those of the day's check); when
    there are some, they replace the free-text ``observer``, and the occurrences name
    them, so that the lists' observer filter finds them."""
    date = fields["date"]
    if date > timezone.localdate():
        raise ValidationError({"date": _("La date ne peut pas être dans le futur.")})
    check = FenceCheck.objects.filter(fence=fence, date=date).first()
    if check is None:
        check = FenceCheck(fence=fence, created_by=user)
    for name, value in fields.items():
        setattr(check, name, value)
    check.updated_by = user
    if observers is not None:
        observers = list(observers)
        if observers:
            check.observer = ""
    check.full_clean()
    check.save()
    if observers is not None:
        check.observers.set(observers)
    people = list(check.observers.select_related("organisation"))
    label = people_label(people) if people else check.observer
    wanted = {
        (values["taxon"].pk, values["sex"], values["alive"]): values
        for values in counts
        if values["count"]
    }
    # A count that stays (same species, sex, alive or dead) keeps its record, changed
    # in place: its photos and history stay with it. The others go with their record.
    for old in check.counts.select_related("occurrence", "taxon"):
        values = wanted.pop((old.taxon_id, old.sex, old.alive), None)
        if values is not None:
            old.count = values["count"]
            old.full_clean(exclude=["occurrence", "check_round"])
            old.save(update_fields=["count"])
            if publish:
                old.check_round = check
                old.occurrence = occurrence_publish(
                    occurrence=old.occurrence,
                    user=user,
                    source=Source.ZONES_HUMIDES,
                    observers=people or None,
                    observers_label=label,
                    **fence_counts_occurrence_fields(old),
                )
                old.save(update_fields=["occurrence"])
            continue
        occurrence = old.occurrence
        old.delete()
        if occurrence is not None:
            occurrence_delete(occurrence=occurrence, user=user)
    rows = [FenceCount(check_round=check, **values) for values in wanted.values()]
    for row in rows:
        row.full_clean(exclude=["occurrence", "check_round"])
    FenceCount.objects.bulk_create(rows)
    if publish and rows:
        occurrences = []
        for row in rows:
            occurrence = Occurrence(
                source=Source.ZONES_HUMIDES,
                created_by=user,
                updated_by=user,
                observers_label=label,
                **fence_counts_occurrence_fields(row),
            )
            occurrence_check(occurrence)
            occurrences.append(occurrence)
        ids = occurrences_publish_bulk(
            occurrences=occurrences,
            observer_ids=[[person.pk for person in people] for _ in rows],
            user=user,
        )
        for row, pk in zip(rows, ids, strict=True):
            row.occurrence_id = pk
        FenceCount.objects.bulk_update(rows, ["occurrence"])
    return check


def fence_check_media_add(*, check: FenceCheck, user, media: dict) -> int:
    """The photos and sounds of a round's species (``{cd_nom: [Prepared]}``) on the
    record of that species' first count (living before dead, in the order of the
    sexes); the number of files stored. Call it in the round's transaction."""
    if not media:
        return 0
    order = [sex for sex, _label in FenceCount.Sex.choices]
    first: dict[int, FenceCount] = {}
    counts = sorted(
        check.counts.select_related("occurrence"),
        key=lambda c: (not c.alive, order.index(c.sex)),
    )
    for count in counts:
        first.setdefault(count.taxon_id, count)
    added = 0
    for cd_nom, items in media.items():
        count = first.get(cd_nom)
        if items and count is not None and count.occurrence is not None:
            added += len(
                occurrence_media_add(
                    occurrence=count.occurrence, user=user, media=items
                )
            )
    return added
