"""Upserts of the terril demo (deterministic: no randomness but a seeded generator)."""

import datetime as dt
import random
from decimal import Decimal

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db.models import F, Q

from observations.demo.specs import RARITIES
from observations.models import Occurrence, Source
from observations.services import occurrence_check, occurrences_publish_bulk
from referentiel.demo.reference import regional_pool
from referentiel.models import (
    AtlasGroup,
    Commune,
    Dataset,
    Organisation,
    Site,
    Taxon,
    User,
)
from terrils.models import (
    Campaign,
    CampaignRecord,
    GroupCode,
    MethodGroup,
    MethodVersion,
    PatrimonialHabitat,
    PatrimonialSpecies,
    StateZeroTaxon,
    Terril,
    Visit,
)
from terrils.services import campaign_habitat_set, terril_save
from terrils.services.registry import as_multipolygon
from terrils.services.scoring import campaign_observed

from .specs import (
    FALLBACK_RARITIES,
    GROUPS,
    HABITATS,
    HABITATS_2020,
    RECORDS_2020,
    TERRILS,
)

ENTRY_USER = "saisie"
DATASET = "EVAL-TERRILS"


def _polygon(spec, commune: Commune):
    site = Site.objects.filter(kind=Site.Kind.TERRIL, code=spec.number).first()
    if site is not None and site.geom.geom_type in ("Polygon", "MultiPolygon"):
        return as_multipolygon(site.geom), site
    point = commune.geom.point_on_surface
    polygon = Point(point.x, point.y, srid=settings.SRID).buffer(250, quadsegs=3)
    polygon.srid = settings.SRID
    return as_multipolygon(polygon), site


def terrils_ensure() -> list[Terril]:
    communes = Commune.objects.in_bulk([spec.insee for spec in TERRILS])
    if len(communes) < len(TERRILS):
        return []
    organisations = {o.name: o for o in Organisation.objects.all()}
    terrils = []
    for spec in TERRILS:
        terril = Terril.objects.filter(number=spec.number).first()
        if terril is None:
            geom, site = _polygon(spec, communes[spec.insee])
            terril = terril_save(
                terril=Terril(
                    number=spec.number,
                    name=spec.name,
                    geom=geom,
                    site=site,
                    shape=spec.shape,
                    height_m=spec.height_m,
                    protections=list(spec.protections),
                    public_access=spec.access,
                    activities=spec.activities,
                    manager=organisations.get(spec.manager),
                    description="Évalué en 2020 (évaluation biologique standardisée).",
                ),
                communes=[communes[spec.insee]],
            )
        terrils.append(terril)
    return terrils


def _listed_taxa(atlas_code: str):
    """The species of the group that live in Hauts-de-France (the demo's regional pool):
    the method's lists were set with the region's conservatories."""
    region = [
        cd_nom for cd_nom, group in regional_pool().items() if group == atlas_code
    ]
    return (
        Taxon.objects.filter(atlas_group__code=atlas_code, rank="ES", cd_nom__in=region)
        .filter(cd_nom=F("cd_ref"))
        .select_related("status")
        .order_by("cd_nom")
    )


def _version_fill(version: MethodVersion) -> None:
    atlas = {g.code: g for g in AtlasGroup.objects.all()}
    for code, atlas_code, visits, start, end, weight, protocol in GROUPS:
        group = MethodGroup.objects.create(
            version=version,
            code=code,
            atlas_group=atlas.get(atlas_code) if atlas_code else None,
            visits=visits,
            period_start=start,
            period_end=end,
            weight=Decimal(weight),
            protocol=protocol,
        )
        if code == GroupCode.HABITATS:
            PatrimonialHabitat.objects.bulk_create(
                PatrimonialHabitat(
                    group=group,
                    code=h_code,
                    name=name,
                    rarity=rarity,
                    threat=threat,
                    is_znieff_determinant=znieff,
                )
                for h_code, name, rarity, threat, znieff in HABITATS
            )
            continue
        entries = []
        for taxon in _listed_taxa(atlas_code):
            status = getattr(taxon, "status", None)
            rarity = (status.rarity if status else "") or FALLBACK_RARITIES[
                taxon.cd_nom % len(FALLBACK_RARITIES)
            ]
            threat = status.red_list if status and status.red_list else ""
            entries.append(
                PatrimonialSpecies(
                    group=group,
                    taxon=taxon,
                    rarity=rarity,
                    threat=threat if threat in ("CR", "EN", "VU", "NT", "LC") else "",
                    is_protected=bool(status and status.is_protected),
                    is_znieff_determinant=bool(status and status.is_znieff_determinant)
                    or rarity in ("E", "RR", "R"),
                )
            )
        PatrimonialSpecies.objects.bulk_create(entries)


def methods_ensure() -> list[MethodVersion]:
    v1 = MethodVersion.objects.filter(code="v1").first()
    if v1 is None:
        v1 = MethodVersion.objects.create(
            code="v1",
            date=dt.date(2005, 3, 1),
            is_current=not MethodVersion.objects.filter(is_current=True).exists(),
            notes="Méthode de l'état zéro (136 terrils, 2005–2012), listes du CBN de "
            "Bailleul et du Conservatoire faunistique régional.",
        )
        _version_fill(v1)
    v2 = MethodVersion.objects.filter(code="v2").first()
    if v2 is None:
        points = dict(v1.rarity_points)
        points["PC"] = 5
        v2 = MethodVersion.objects.create(
            code="v2",
            date=dt.date(2021, 1, 15),
            is_current=False,
            rarity_points=points,
            notes="Proposition 2021 : une espèce « peu commune » vaut 5 points au lieu "
            "de 4 (en test, non en vigueur).",
        )
        _version_fill(v2)
    return [v1, v2]


def _point_inside(terril: Terril, rng: random.Random) -> Point:
    xmin, ymin, xmax, ymax = terril.geom.extent
    for _ in range(50):
        point = Point(
            round(rng.uniform(xmin, xmax), 1),
            round(rng.uniform(ymin, ymax), 1),
            srid=settings.SRID,
        )
        if terril.geom.contains(point):
            return point
    surface = terril.geom.point_on_surface
    return Point(surface.x, surface.y, srid=settings.SRID)


def campaigns_2020_ensure(terrils: list[Terril], version: MethodVersion) -> int:
    """The 2020 campaign of each terril with its visits, records and habitats."""
    dataset = (
        Dataset.objects.filter(
            short_title=DATASET, producer__short_name="CPIE CdT"
        ).first()
        or Dataset.objects.filter(programme__code=DATASET).first()
    )
    user = User.objects.filter(username=ENTRY_USER).first()
    created = 0
    groups = list(version.groups.exclude(code=GroupCode.HABITATS))
    found = _found_in_2020(dataset, groups)
    quotas = {
        group.code: _split(RECORDS_2020.get(group.code, 0), len(terrils))
        for group in groups
    }
    for index, terril in enumerate(terrils):
        campaign, new = Campaign.objects.get_or_create(
            terril=terril,
            year=2020,
            defaults={
                "date_start": dt.date(2020, 3, 1),
                "date_end": dt.date(2020, 9, 30),
                "dataset": dataset,
                "notes": "Évaluation 2020 (11 terrils).",
            },
        )
        if not new:
            continue
        created += 1
        rng = random.Random(f"terril-{terril.number}")
        occurrences, record_groups = [], []
        for group in groups:
            for visit in range(group.visits):
                month = group.period_start + visit * max(
                    1, (group.period_end - group.period_start) // max(1, group.visits)
                )
                Visit.objects.create(
                    campaign=campaign,
                    group=group.code,
                    date=dt.date(2020, min(month, group.period_end), 10 + index),
                    observers="CPIE Chaîne des Terrils",
                )
            listed = list(group.species.select_related("taxon"))
            # Alone (no observations demo), the evaluation draws from the whole list.
            if found is not None:
                listed = [e for e in listed if e.taxon_id in found[group.code]]
            if dataset is None or not listed:
                continue
            # One record per species and visit at most: a small list caps the quota.
            wanted = min(quotas[group.code][index], len(listed) * group.visits)
            drawn = [
                entry
                for _visit in range(group.visits)
                for entry in rng.sample(listed, len(listed))
            ][:wanted]
            for entry in drawn:
                month = rng.randint(group.period_start, group.period_end)
                occurrence = Occurrence(
                    dataset=dataset,
                    taxon=entry.taxon,
                    cited_name=entry.taxon.scientific_name,
                    date_start=dt.date(2020, month, rng.randint(1, 28)),
                    geom=_point_inside(terril, rng),
                    precision_m=10,
                    site=terril.site,
                    programme=dataset.programme,
                    count_min=1,
                    count_max=rng.randint(1, 5),
                    place_name=str(terril)[:255],
                    source=Source.TERRILS,
                    validation_status=1,
                    created_by=user,
                    updated_by=user,
                )
                occurrence.count_min = 1
                occurrence_check(occurrence)
                occurrences.append(occurrence)
                record_groups.append(group.code)
        if occurrences:
            ids = occurrences_publish_bulk(
                occurrences=occurrences,
                observer_ids=[[] for _ in occurrences],
                user=user,
            )
            CampaignRecord.objects.bulk_create(
                CampaignRecord(campaign=campaign, group=group, occurrence_id=pk)
                for pk, group in zip(ids, record_groups, strict=True)
            )
        names = dict((code, name) for code, name, *_ in HABITATS)
        for code, surface in HABITATS_2020.get(terril.number, ()):
            campaign_habitat_set(
                campaign=campaign, code=code, name=names[code], surface_m2=surface
            )
    return created


def _split(total: int, parts: int) -> list[int]:
    """``total`` records shared between ``parts`` terrils as evenly as can be."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _found_in_2020(dataset, groups) -> dict[str, set[int]] | None:
    """Per method group, the taxa the structure recorded in 2020 (the evaluation finds the
    species known around the terrils: it adds records, never a species of the year). The
    2020 finds stay where the report places them. None when the structure has no record
    of 2020 (the terril demo loaded alone)."""
    found: dict[str, set[int]] = {group.code: set() for group in groups}
    if dataset is None:
        return found
    rows = (
        Occurrence.objects.filter(
            dataset__producer_id=dataset.producer_id,
            observation_status="Pr",
            date_start__year=2020,
        )
        .exclude(source__in=(Source.BAGUAGE, Source.COMPTAGE))
        .values_list("atlas_group__code", "taxon_id")
        .distinct()
    )
    if not rows:
        return None
    finds = {rarity.cd_nom for rarity in RARITIES}
    rows = [(code, taxon_id) for code, taxon_id in rows if taxon_id not in finds]
    by_atlas = {
        group.atlas_group.code: group.code for group in groups if group.atlas_group
    }
    for atlas_code, taxon_id in rows:
        if atlas_code in by_atlas:
            found[by_atlas[atlas_code]].add(taxon_id)
    return found


def state_zero_ensure(terrils: list[Terril]) -> int:
    """A state zero per terril: the 2020 listed species, some lost since and some gained."""
    created = 0
    version = MethodVersion.objects.get(code="v1")
    for terril in terrils:
        if Campaign.objects.filter(
            terril=terril, kind=Campaign.Kind.STATE_ZERO
        ).exists():
            continue
        created += 1
        rng = random.Random(f"etat-zero-{terril.number}")
        now = Campaign.objects.filter(terril=terril, year=2020).first()
        # The state zero belongs to the evaluation's dataset: its coordinators replace it.
        zero = Campaign.objects.create(
            terril=terril,
            kind=Campaign.Kind.STATE_ZERO,
            year=rng.randint(2005, 2012),
            date_start=dt.date(2005, 1, 1),
            date_end=dt.date(2012, 12, 31),
            dataset=now.dataset if now else None,
            notes="État zéro (première évaluation des 136 terrils).",
        )
        observed = campaign_observed(now, version) if now else {}
        rows = set()
        for group in version.groups.exclude(code=GroupCode.HABITATS):
            refs = sorted(observed.get(group.code, ()))
            kept = [ref for ref in refs if rng.random() < 0.7]
            others = list(
                group.species.exclude(taxon__cd_ref__in=refs).values_list(
                    "taxon_id", flat=True
                )[:40]
            )
            lost = rng.sample(others, min(len(others), rng.randint(0, 2)))
            taxa = Taxon.objects.filter(Q(cd_nom__in=kept) | Q(cd_nom__in=lost))
            rows |= {(group.code, taxon.pk) for taxon in taxa}
        StateZeroTaxon.objects.bulk_create(
            StateZeroTaxon(campaign=zero, group=group, taxon_id=taxon_id)
            for group, taxon_id in sorted(rows)
        )
    return created
