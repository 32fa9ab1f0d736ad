"""What the wetlands demo holds, from docs/report-2020.md (action 2)."""

from dataclasses import dataclass

# Species codes (TAXREF cd_nom) of the 11 species of the 2020 POP aires.
BB, EC, PP, AO, RT = 259, 459628, 252, 197, 351
PE, PR, LH, LV, IA, TC = 444440, 444443, 444432, 444431, 444430, 139


@dataclass(frozen=True)
class AireSpec:
    number: int
    name: str
    communes: tuple[str, ...]  # names of the communes, the first one places the aire
    landscape: str  # LandscapeCategory code
    sites: int  # potential breeding sites visited in 2020
    occupied: int  # of which with at least one species
    species: tuple[int, ...]
    observer: str
    # Referential wetland sites that are POP sites of the aire.
    wetlands: tuple[str, ...] = ()


# 137 sites visited, 51 occupied, 11 species, 2 to 7 species per aire (context.md).
AIRES = (
    AireSpec(1, "Terrils de la Vallée Carreau", ("Auchel", "Marles-les-Mines", "Lozinghem"), "3", 18, 7, (BB, RT, LH, AO, IA), "Léa Caron"),
    AireSpec(2, "Leforest", ("Leforest",), "11", 15, 5, (BB, PE), "Claire Dumont", ("ZEC 3 de Leforest",)),
    AireSpec(3, "Bassins VNF", ("Mont-Bernanchon", "Hinges"), "14", 16, 6, (PE, PR, BB, LV), "Antoine Lemaire"),
    AireSpec(4, "Zone d'activités Artois-Flandre", ("Douvrin",), "2", 17, 7, (EC, PP, BB, PE, LH, TC), "Claire Dumont"),
    AireSpec(5, "Terrils du 11/19", ("Loos-en-Gohelle",), "3", 20, 8, (EC, PP, BB, RT, LH, IA, TC), "Léa Caron", ("Roselière des terrils du 11/19", "Noues du carreau de fosse du 11/19")),
    AireSpec(6, "Marais de la Couture et Parc des Glissoires", ("Avion",), "12", 19, 7, (BB, RT, PE, PR, LH, LV), "Antoine Lemaire", ("Marais de la Couture", "Étangs du Parc des Glissoires", "Mare de la résidence des Tritons")),
    AireSpec(7, "Marais et terrils d'Evin-Malmaison", ("Evin-Malmaison",), "12", 17, 6, (BB, RT, PE, LH, TC), "Léa Caron"),
    AireSpec(8, "Entre 2 Vallées", ("Divion",), "7", 15, 5, (RT, LH, IA), "Claire Dumont"),
)  # fmt: skip
POP_YEAR = 2020
POSITIVE_RECORDS = 237
ABSENCE_RECORDS = 152  # 389 records in all
# Passages of occupied sites that found nothing that day.
EMPTY_PASSAGES_OF_OCCUPIED = 20
POP_OBSERVERS = ("Léa Caron", "Claire Dumont", "Antoine Lemaire")

SUEZ_BASINS = "Site SUEZ de Hersin-Coupigny – bassins d'eaux pluviales"

# Wetland profiles of the demo sites (referentiel/demo/data/sites.csv).
PROFILES = {
    "Roselière des terrils du 11/19": ("roseliere", 9000, "", "suivi"),
    "Noues du carreau de fosse du 11/19": ("noue", 1800, "", "restauration"),
    "Marais de la Couture": ("marais", 78000, "Commune d'Avion", "gestion"),
    "Étangs du Parc des Glissoires": ("etang", 12000, "Commune d'Avion", "gestion"),
    "Mare de la résidence des Tritons": (
        "mare",
        350,
        "Bailleur social",
        "restauration",
    ),
    "Bac à schlamms de Dourges": ("bac_schlamms", 90000, "", "suivi"),
    "ZEC Delta 3": ("zec", 78000, "Delta 3", "gestion"),
    "ZEC 3 de Leforest": ("zec", 40000, "", "suivi"),
    "Noues du quartier du Raquet": ("noue", 6000, "Douaisis Agglo", "suivi"),
    "Mare Jules Ferry": ("mare", 220, "Commune de Vimy", "restauration"),
    "Mare à barrière-piège de Vimy": ("mare", 30, "Propriétaire privé", "suivi"),
    "Étang du pied de terril": ("etang", 6500, "Commune d'Évin-Malmaison", "gestion"),
    # The stormwater basins of the SUEZ site, in its IQE inventories (action 2's work
    # with economic actors): a wetland of no wetland kind, so not a waterbird count site.
    SUEZ_BASINS: ("bassin_pluvial", 4200, "SUEZ", "suivi"),
}

# Management operations of 2020: the report's 8 operations on 8 sites (the 6 participatory
# days at ZEC Delta 3 with 18 people are one of them).
# (site, kind, start, end, performed by, contractor, for whom, cost, participants, text)
OPERATIONS = (
    ("Étangs du Parc des Glissoires", "fauche", "2020-09-15", "2020-09-17", "salaries", "", "Commune d'Avion", 2400, None, "Fauche exportatrice des berges."),
    ("Marais de la Couture", "coupe_saules", "2020-10-20", "2020-10-23", "mixte", "", "Commune d'Avion", 3100, 6, "Coupe des saules envahissant la roselière."),
    ("Mare de la résidence des Tritons", "reprofilage", "2020-09-08", "2020-09-09", "prestataire", "Terrassements Lensois", "", 5800, None, "Reprofilage en pente douce de la berge nord."),
    ("Mare Jules Ferry", "creusement", "2020-10-06", "2020-10-07", "prestataire", "Terrassements Lensois", "Commune de Vimy", 7200, None, "Creusement d'une mare pédagogique."),
    ("Noues du carreau de fosse du 11/19", "reprofilage", "2020-11-03", "2020-11-05", "salaries", "", "", 1900, None, "Restauration des noues."),
    ("Roselière des terrils du 11/19", "niveaux", "2020-03-02", None, "salaries", "", "", 600, None, "Réglage du moine pour maintenir l'eau au printemps."),
    # The six participatory work days at ZEC Delta 3 (18 people): one operation of the
    # report's 8, on its site (the days are the outreach demo's six "chantiers").
    ("ZEC Delta 3", "autre", "2020-06-13", "2020-12-05", "benevoles", "", "Delta 3", None, 18, "Six chantiers participatifs : arrachage de la Renouée du Japon et de la Balsamine de l'Himalaya, fauche et ratissage, coupe de saules, gabions de berge, plantation d'une haie."),
    ("Étang du pied de terril", "coupe_saules", "2020-11-24", "2020-11-26", "salaries", "", "Commune d'Évin-Malmaison", 1800, None, "Coupe des saules de la berge sud pour rouvrir l'étang."),
)  # fmt: skip
VOLUNTEERS = (
    "Martine Lefebvre", "Paul Dupont", "Sophie Martin", "Kevin Leroy", "Nadia Benali",
    "Julien Moreau", "Chantal Roussel", "Yannick Petit", "Élodie Fournier",
    "Bruno Lemoine", "Camille Dufour", "Mehdi Haddad", "Anne Vasseur", "Louis Carpentier",
    "Inès Lambert", "Hervé Dubois", "Manon Delcourt", "Rémi Caudron",
)  # fmt: skip
WATER_LEVEL_SITES = {
    "Marais de la Couture": 45,
    "ZEC Delta 3": 80,
    "Mare Jules Ferry": 60,
}

FENCE_SITE = "Mare à barrière-piège de Vimy"
FENCE_FIRST_YEAR = 2005
FENCE_LAST_YEAR = 2021
# species: (2005 peak animals per season, yearly trend factor, first arrival day of year in
# 2005, advance in days per year, share of couples in amplexus)
FENCE_SPECIES = {
    BB: (420, 0.965, 60, 0.6, 0.25),
    RT: (160, 0.985, 45, 0.7, 0.15),
    LH: (140, 1.01, 52, 0.5, 0.0),
    IA: (60, 1.0, 50, 0.4, 0.0),
    TC: (25, 1.02, 65, 0.5, 0.0),
    LV: (20, 0.99, 58, 0.4, 0.0),
}
