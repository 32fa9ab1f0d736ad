"""Writes of evaluation campaigns: the campaign, its visits, habitats and the records
entered from its page (published as occurrences, source "terrils")."""

import datetime as dt
from collections.abc import Iterable

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from observations.models import Occurrence, Source
from observations.services import occurrence_delete, occurrence_publish
from referentiel.models import Dataset, Person, Taxon
from terrils.models import Campaign, CampaignRecord, HabitatObservation, Terril


@transaction.atomic
def campaign_create(
    *,
    terril: Terril,
    year: int,
    date_start: dt.date | None = None,
    date_end: dt.date | None = None,
    dataset: Dataset | None = None,
    kind: str = Campaign.Kind.EVALUATION,
    notes: str = "",
) -> Campaign:
    """A campaign of ``terril``; by default it covers the whole year."""
    campaign = Campaign(
        terril=terril,
        year=year,
        kind=kind,
        date_start=date_start or dt.date(year, 1, 1),
        date_end=date_end or dt.date(year, 12, 31),
        dataset=dataset,
        notes=notes,
    )
    campaign.full_clean()
    campaign.save()
    return campaign


@transaction.atomic
def campaign_record_create(
    *,
    campaign: Campaign,
    user,
    group: str,
    taxon: Taxon,
    date: dt.date,
    geom=None,
    count: int | None = None,
    observers: Iterable[Person] = (),
    comment: str = "",
) -> CampaignRecord:
    """Enter a record of a campaign: its occurrence is published in the same transaction.
    Without a geometry, the record is placed on the terril (point on its surface)."""
    if campaign.is_state_zero:
        raise ValidationError(_("L'état zéro ne reçoit pas de nouvelles données."))
    if campaign.dataset_id is None:
        raise ValidationError(_("La campagne n'a pas de jeu de données."))
    if not campaign.date_start <= date <= campaign.date_end:
        raise ValidationError(
            {"date": _("La date doit être comprise dans la période de la campagne.")}
        )
    terril = campaign.terril
    if geom is None:
        surface = terril.geom.point_on_surface
        geom = Point(surface.x, surface.y, srid=terril.geom.srid)
    elif not terril.geom.intersects(geom.transform(terril.geom.srid, clone=True)):
        raise ValidationError({"geom": _("Le point doit être sur le terril.")})
    occurrence = occurrence_publish(
        occurrence=None,
        user=user,
        source=Source.TERRILS,
        observers=observers,
        dataset=campaign.dataset,
        taxon=taxon,
        cited_name=taxon.scientific_name,
        date_start=date,
        date_end=date,
        geom=geom,
        site=terril.site,
        programme=campaign.dataset.programme,
        count_min=count,
        count_max=count,
        comment=comment,
        place_name=str(terril)[:255],
    )
    return CampaignRecord.objects.create(
        campaign=campaign, group=group, occurrence=occurrence
    )


@transaction.atomic
def campaign_record_delete(*, record: CampaignRecord, user) -> None:
    occurrence: Occurrence = record.occurrence
    record.delete()
    occurrence_delete(occurrence=occurrence, user=user)


@transaction.atomic
def campaign_habitat_set(
    *, campaign: Campaign, code: str, name: str = "", surface_m2: int | None = None
) -> HabitatObservation:
    """Record (or update) a patrimonial habitat observed during the campaign."""
    habitat, _created = HabitatObservation.objects.update_or_create(
        campaign=campaign,
        code=code.strip(),
        defaults={"name": name, "surface_m2": surface_m2},
    )
    return habitat
