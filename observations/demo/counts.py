"""Demo winter bat counts (CHIRO-HIVER): ten hibernacula of Nord and Pas-de-Calais counted
each January since 2009, nine species or groups with believable trends (Geoffroy's bat up,
Daubenton's bat and the common pipistrelle down…), some winters not counted.

The counts are drawn with a fixed seed, so a second run finds every visit already there and
writes nothing. Visits are written with ``visits_create_bulk`` (each count publishes its
occurrence, zeros as absences).
"""

import datetime as dt
from pathlib import Path

import numpy as np
from django.db.models import F

from observations.counts.services import VisitEntry, visits_create_bulk
from observations.models import CountProgramme, CountSite, CountVisit
from referentiel.demo.reference import taxa_load_shipped
from referentiel.models import Dataset, Person, Programme, Site, Taxon, User

TAXA_FILE = Path(__file__).resolve().parent / "data" / "chiropteres_taxref.txt"
PROGRAMME = "CHIRO-HIVER"
FIRST_SEASON, LAST_SEASON = 2009, 2021
# Site name (referentiel/demo/data/sites.csv) → habitat, first counted season, size factor.
SITES = {
    "Souterrains de la citadelle de Bailleul": ("fortification", 2009, 2.0),
    "Casemate du fort de Mons-en-Pévèle": ("fortification", 2009, 0.8),
    "Cave de la ferme de Hamel": ("cellar", 2009, 0.5),
    "Ancienne galerie de mine de Denain": ("mine", 2009, 1.6),
    "Tunnel ferroviaire désaffecté de Lourches": ("tunnel", 2010, 1.2),
    "Blockhaus du bois de Vimy": ("fortification", 2011, 0.6),
    "Caves de la brasserie de Douai": ("cellar", 2009, 1.0),
    "Pont-canal de Courrières": ("bridge", 2012, 0.4),
    "Galerie de la fosse 6 de Ruitz": ("mine", 2013, 1.4),
    "Souterrain du château de Lestrem": ("cellar", 2014, 0.7),
}
# Scientific name → mean count in 2009 at a site of factor 1, yearly growth.
SPECIES = {
    "Myotis emarginatus": (6.0, 1.08),
    "Myotis myotis": (2.0, 1.03),
    "Myotis daubentonii": (12.0, 0.95),
    "Myotis mystacinus": (8.0, 1.00),
    "Myotis nattereri": (4.0, 1.01),
    "Rhinolophus hipposideros": (1.0, 1.06),
    "Plecotus auritus": (1.5, 0.99),
    "Plecotus": (0.8, 1.0),
    "Pipistrellus pipistrellus": (2.5, 0.93),
}
MISSING_SHARE = 0.12


def counts_demo_load() -> str:
    """Create the demo count programme and its missing visits; returns a summary line."""
    taxa_load_shipped(path=TAXA_FILE)
    programme = _programme()
    if programme is None:
        return "Comptages : programme CHIRO-HIVER ou son jeu de données absent."
    sites = _sites(programme)
    existing = set(
        CountVisit.objects.filter(count_site__programme=programme).values_list(
            "count_site_id", "season"
        )
    )
    taxa = {t.scientific_name: t for t in programme.taxa.all()}
    people = list(Person.objects.order_by("pk")[:4])
    rng = np.random.default_rng(2009)
    entries = []
    for index, (count_site, (_, first, factor)) in enumerate(sites):
        site_effect = factor * rng.lognormal(0, 0.3)
        for season in range(FIRST_SEASON, LAST_SEASON + 1):
            # Draw every number even for a visit that exists: the stream stays the same.
            skipped = season < first or rng.random() < MISSING_SHARE
            draws = {
                name: int(
                    rng.negative_binomial(
                        8, 8 / (8 + mean * site_effect * growth ** (season - 2009))
                    )
                )
                for name, (mean, growth) in SPECIES.items()
            }
            day = int(rng.integers(10, 31))
            conditions = {
                "temperature": round(float(rng.uniform(4, 11)), 1),
                "humidity": int(rng.integers(80, 100)),
            }
            if skipped or (count_site.pk, season) in existing:
                continue
            entries.append(
                VisitEntry(
                    count_site=count_site,
                    date=dt.date(season, 1, day),
                    observers=people[index % 2 : index % 2 + 2],
                    conditions=conditions,
                    counts={
                        taxa[name].pk: value
                        for name, value in draws.items()
                        if name in taxa
                    },
                )
            )
    user = (
        User.objects.filter(username="coordinateur").first()
        or User.objects.filter(is_superuser=True).first()
    )
    if entries and user is None:
        return "Comptages : aucun compte pour enregistrer la démonstration."
    visits = visits_create_bulk(entries=entries, user=user)
    total = CountVisit.objects.filter(count_site__programme=programme).count()
    return (
        f"Comptages : {len(visits)} visites hivernales de démonstration créées, "
        f"{total} au total ({len(sites)} gîtes, {len(taxa)} espèces ou groupes)"
    )


def _programme() -> CountProgramme | None:
    programme = Programme.objects.filter(code=PROGRAMME).first()
    dataset = Dataset.objects.filter(programme=programme).order_by("pk").first()
    if programme is None or dataset is None:
        return None
    count_programme, _ = CountProgramme.objects.get_or_create(
        programme=programme,
        defaults={"dataset": dataset, "kind": CountProgramme.Kind.HIBERNACULA},
    )
    wanted = Taxon.objects.filter(scientific_name__in=SPECIES, cd_nom=F("cd_ref"))
    count_programme.taxa.add(*wanted)
    return count_programme


def _sites(programme: CountProgramme) -> list[tuple[CountSite, tuple]]:
    found = {site.name: site for site in Site.objects.filter(name__in=SITES)}
    sites = []
    for number, (name, spec) in enumerate(SITES.items(), start=1):
        site = found.get(name)
        if site is None:
            continue
        count_site, _ = CountSite.objects.get_or_create(
            programme=programme,
            site=site,
            defaults={"habitat": spec[0], "code": f"CH{number:02d}"},
        )
        sites.append((count_site, spec))
    return sites


# --- The mid-January waterbird count (Wetlands International) ------------------------------

WATERBIRDS = "WETLANDS"
# The 17 sites of the report's 2020 count (referentiel/demo/data/sites.csv): the wetlands
# the CPIE counts in mid-January, not every wetland it studies.
WATERBIRD_SITES = (
    "Bac à schlamms de Dourges",
    "Bassin Carrefour du Parc des Industries Artois-Flandres",
    "Bassin de décantation de Courrières",
    "Lagunes de Harnes",
    "Marais de Wingles",
    "Marais de la Couture",
    "Mare Jules Ferry",
    "Mare de la résidence des Tritons",
    "Mare à barrière-piège de Vimy",
    "Noues du carreau de fosse du 11/19",
    "Noues du quartier du Raquet",
    "Roselière des terrils du 11/19",
    "ZEC 3 de Leforest",
    "ZEC Delta 3",
    "Étang d'Ostricourt",
    "Étang du pied de terril",
    "Étangs du Parc des Glissoires",
)
# The waterbirds of the regional pool (referentiel/data/taxa/hauts_de_france.csv), with a
# mean count per site: the report's 28 species (ducks, geese and swan, grebes, rails,
# cormorant, herons, gulls, waders and the kingfisher wintering on the basin's ponds).
WATERBIRD_SPECIES = {
    1966: 18.0,  # Anas platyrhynchos
    1958: 9.0,  # Anas crecca
    1998: 7.0,  # Aythya fuligula
    3059: 5.0,  # Gallinula chloropus
    2506: 2.0,  # Ardea cinerea
    3036: 1.5,  # Rallus aquaticus
    2543: 3.0,  # Gallinago gallinago
    2538: 1.0,  # Lymnocryptes minimus
    3571: 1.0,  # Alcedo atthis
    3070: 12.0,  # Fulica atra
    965: 3.0,  # Podiceps cristatus
    977: 3.0,  # Tachybaptus ruficollis
    2741: 6.0,  # Anser anser
    1991: 6.0,  # Aythya ferina
    836203: 4.0,  # Mareca strepera
    3302: 5.0,  # Larus argentatus
    3187: 15.0,  # Vanellus vanellus
    2706: 4.0,  # Cygnus olor
    2440: 3.0,  # Phalacrocorax carbo
    530157: 20.0,  # Chroicocephalus ridibundus
    3293: 4.0,  # Larus canus
    2497: 1.0,  # Egretta garzetta
    2504: 1.0,  # Ardea alba
    2818: 2.0,  # Mergus merganser
    2603: 0.5,  # Tringa ochropus
    2616: 0.5,  # Actitis hypoleucos
    2576: 2.0,  # Numenius arquata
    2767: 2.0,  # Tadorna tadorna
}
# Counts above zero per season: 2020 as in the report (129 records on 17 sites).
WATERBIRD_RECORDS = {2019: 121, 2020: 129, 2021: 134}


def waterbirds_demo_load() -> str:
    """The WETLANDS count programme on the wetland sites, mid-January 2019–2021: in 2020
    129 counts above zero (the report's records), the other cells counted zero."""
    programme = Programme.objects.filter(code=WATERBIRDS).first()
    dataset = Dataset.objects.filter(programme=programme).order_by("pk").first()
    if programme is None or dataset is None:
        return "Comptages : programme WETLANDS ou son jeu de données absent."
    count_programme, _ = CountProgramme.objects.get_or_create(
        programme=programme,
        defaults={"dataset": dataset, "kind": CountProgramme.Kind.WATERBIRDS},
    )
    taxa = list(Taxon.objects.filter(cd_nom__in=WATERBIRD_SPECIES).order_by("cd_nom"))
    count_programme.taxa.add(*taxa)
    sites = []
    for number, site in enumerate(
        Site.objects.filter(name__in=WATERBIRD_SITES).order_by("name"), start=1
    ):
        count_site, _ = CountSite.objects.get_or_create(
            programme=count_programme,
            site=site,
            defaults={"habitat": "wetland", "code": f"WI{number:02d}"},
        )
        sites.append(count_site)
    existing = set(
        CountVisit.objects.filter(count_site__programme=count_programme).values_list(
            "count_site_id", "season"
        )
    )
    people = list(Person.objects.order_by("pk")[:3])
    entries = []
    for season, positive in WATERBIRD_RECORDS.items():
        rng = np.random.default_rng(season)
        # Each species counted somewhere (at one drawn site), the other cells drawn.
        kept = {(int(rng.integers(0, len(sites))), t) for t in range(len(taxa))}
        cells = [
            (s, t)
            for s in range(len(sites))
            for t in range(len(taxa))
            if (s, t) not in kept
        ]
        rest = max(0, min(positive, len(sites) * len(taxa)) - len(kept))
        kept |= set(map(tuple, rng.permutation(cells)[:rest].tolist()))
        day = 10 + int(rng.integers(0, 6))
        for index, count_site in enumerate(sites):
            values = {
                taxon.pk: (
                    1 + int(rng.poisson(WATERBIRD_SPECIES[taxon.pk]))
                    if (index, column) in kept
                    else 0
                )
                for column, taxon in enumerate(taxa)
            }
            if (count_site.pk, season) in existing:
                continue
            entries.append(
                VisitEntry(
                    count_site=count_site,
                    date=dt.date(season, 1, day),
                    observers=people[index % 2 : index % 2 + 2],
                    conditions={"temperature": round(float(rng.uniform(-2, 8)), 1)},
                    counts=values,
                )
            )
    user = (
        User.objects.filter(username="coordinateur").first()
        or User.objects.filter(is_superuser=True).first()
    )
    if entries and user is None:
        return "Comptages : aucun compte pour enregistrer la démonstration."
    visits = visits_create_bulk(entries=entries, user=user)
    return (
        f"Comptages : {len(visits)} visites de mi-janvier (oiseaux d'eau) créées sur "
        f"{len(sites)} sites, {len(taxa)} espèces"
    )
