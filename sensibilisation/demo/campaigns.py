"""The campaigns of the demo: "Un dragon dans mon jardin" (open) with reports from
gardens of the mining basin, confirmed (so published as occurrences waiting for
validation) and for most of them validated, so that its public map has communes."""

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.gis.geos import Point

from observations.services import occurrences_validate
from referentiel.models import Commune, Dataset, Organisation, Programme, Taxon, User
from sensibilisation.models import Campaign, CampaignSpecies, Report
from sensibilisation.services import report_confirm, report_confirmation_token

CPIE = "CPIE Chaîne des Terrils"
NAMESPACE = uuid.UUID("7f3c2a4e-5d1b-4c8e-9a6f-0b2d3e4f5a61")

SPECIES = (
    (
        "Lissotriton helveticus",
        "Triton palmé",
        "Petit triton brun, pattes arrière palmées chez le mâle.",
    ),
    ("Ichthyosaura alpestris", "Triton alpestre", "Ventre orange vif sans taches."),
    ("Lissotriton vulgaris", "Triton ponctué", "Ventre jaune-orangé ponctué de noir."),
    ("Bufo bufo", "Crapaud commun", "Peau verruqueuse, yeux cuivrés."),
    ("Rana temporaria", "Grenouille rousse", "Tache sombre derrière l'œil."),
    ("Salamandra salamandra", "Salamandre tachetée", "Noire tachée de jaune."),
    ("Anguis fragilis", "Orvet fragile", "Lézard sans pattes, lisse et brillant."),
    (
        "Podarcis muralis",
        "Lézard des murailles",
        "Sur les murets et les pierres chaudes.",
    ),
)

# (key, species, date, commune INSEE, metres east/north of its point on surface, count,
#  validated)
REPORTS = (
    ("vimy-1", "Triton palmé", dt.date(2020, 3, 28), "62861", (150, -80), 4, True),
    ("vimy-2", "Crapaud commun", dt.date(2020, 3, 14), "62861", (-220, 140), 1, True),
    ("loos-1", "Triton alpestre", dt.date(2020, 4, 6), "62528", (90, 60), 2, True),
    ("loos-2", "Orvet fragile", dt.date(2020, 5, 21), "62528", (-130, -40), 1, True),
    (
        "avion-1",
        "Lézard des murailles",
        dt.date(2020, 6, 2),
        "62065",
        (60, 200),
        3,
        True,
    ),
    (
        "avion-2",
        "Grenouille rousse",
        dt.date(2020, 2, 29),
        "62065",
        (-60, -150),
        6,
        False,
    ),
    ("lens-1", "Triton palmé", dt.date(2020, 4, 18), "62498", (30, 40), 1, False),
)


def campaigns_upsert() -> list[Campaign]:
    cpie = Organisation.objects.get(name=CPIE)
    campaigns = []
    programme = Programme.objects.filter(code="DRAGON-JARDIN").first()
    dataset = Dataset.objects.filter(programme=programme, producer=cpie).first()
    if programme and dataset:
        dragon, _ = Campaign.objects.get_or_create(
            slug="un-dragon-dans-mon-jardin",
            defaults={
                "title": "Un dragon dans mon jardin",
                "summary": "Tritons, crapauds, lézards, orvets : signalez les amphibiens "
                "et les reptiles de votre jardin.",
                "description": "Mares, tas de bois, murets : les jardins du bassin minier "
                "abritent des « dragons ». Vos signalements, vérifiés par nos "
                "naturalistes, complètent l'atlas régional des amphibiens et des "
                "reptiles.",
                "programme": programme,
                "dataset": dataset,
                "organisation": cpie,
                "date_start": dt.date(2019, 3, 1),
                "is_open": True,
            },
        )
        for position, (name, common, hint) in enumerate(SPECIES, start=1):
            taxon = Taxon.objects.filter(scientific_name=name).first()
            if taxon:
                CampaignSpecies.objects.get_or_create(
                    campaign=dragon,
                    taxon=taxon,
                    defaults={
                        "common_name": common,
                        "hint": hint,
                        "position": position,
                    },
                )
        campaigns.append(dragon)
    return campaigns


def reports_upsert(campaigns: list[Campaign]) -> int:
    """Reports sent, confirmed (through the service, as a click on the email link does)
    and validated by the demo validator. Returns how many were created."""
    dragon = next((c for c in campaigns if c.slug == "un-dragon-dans-mon-jardin"), None)
    if dragon is None:
        return 0
    validator = User.objects.filter(username="validateur").first()
    site_url = settings.SITE_URL or "http://127.0.0.1:8000"
    created = 0
    for key, common, date, insee, (dx, dy), count, validated in REPORTS:
        report_uuid = uuid.uuid5(NAMESPACE, key)
        species = dragon.species.filter(common_name=common).first()
        commune = Commune.objects.filter(insee=insee).first()
        if Report.objects.filter(uuid=report_uuid).exists() or not (
            species and commune
        ):
            continue
        anchor = commune.geom.point_on_surface
        report = Report.objects.create(
            uuid=report_uuid,
            campaign=dragon,
            species=species,
            observed_on=date,
            geom=Point(anchor.x + dx, anchor.y + dy, srid=settings.SRID),
            precision_m=50,
            count=count,
            email=f"jardin-{key}@example.org",
        )
        report = report_confirm(
            token=report_confirmation_token(report), site_url=site_url
        )
        if validated and validator:
            occurrences_validate(
                occurrences=[report.occurrence],
                validator=validator,
                status=1,
                comment="Photo et description concordantes.",
            )
        created += 1
    return created
