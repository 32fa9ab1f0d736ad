"""What the terril demo holds: the 11 terrils evaluated in 2020 (shared/domain/context.md),
the method groups and habitats, and the rarity classes assigned where the referential has
no regional status."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TerrilSpec:
    number: str
    name: str
    insee: str
    shape: str
    height_m: int
    protections: tuple[str, ...]
    access: str
    manager: str
    activities: str = ""


EDEN62 = "Eden 62"
CEN = "Conservatoire d'espaces naturels des Hauts-de-France"
PNR = "Parc naturel régional Scarpe-Escaut"

TERRILS = (
    TerrilSpec(
        "2-3",
        "Terrils de Ruitz",
        "62727",
        "conique",
        90,
        ("ENS",),
        "libre",
        EDEN62,
        "Randonnée",
    ),
    TerrilSpec(
        "12", "Terril de Bruay-la-Buissière", "62178", "plat", 45, (), "partiel", EDEN62
    ),
    TerrilSpec(
        "75",
        "Terril d'Avion",
        "62065",
        "plat",
        35,
        ("ENS",),
        "libre",
        EDEN62,
        "Promenade",
    ),
    TerrilSpec(
        "87",
        "Terril Sainte-Henriette",
        "62427",
        "arase",
        20,
        ("ENS", "ZNIEFF1"),
        "libre",
        EDEN62,
    ),
    TerrilSpec(
        "94-94a",
        "Terrils de Noyelles-sous-Lens",
        "62628",
        "conique",
        70,
        ("ZNIEFF1",),
        "partiel",
        EDEN62,
    ),
    TerrilSpec("108", "Terril d'Ostricourt", "59452", "plat", 40, (), "libre", CEN),
    TerrilSpec(
        "123-141",
        "Terril de Roost-Warendin",
        "59509",
        "allonge",
        30,
        ("ZNIEFF1",),
        "partiel",
        CEN,
    ),
    TerrilSpec(
        "152-153",
        "Terrils d'Escaudain",
        "59205",
        "conique",
        60,
        (),
        "libre",
        CEN,
        "VTT",
    ),
    TerrilSpec(
        "162", "Terril de Denain", "59172", "plat", 50, ("ZNIEFF2",), "libre", CEN
    ),
    TerrilSpec("169", "Terril de Lourches", "59361", "plat", 55, (), "interdit", CEN),
    TerrilSpec(
        "195-196",
        "Terrils de Condé-sur-l'Escaut",
        "59153",
        "mixte",
        40,
        ("ZNIEFF1", "APPB"),
        "partiel",
        PNR,
    ),
)

# (code, atlas group, visits, first month, last month, weight, protocol)
GROUPS = (
    (
        "amphibiens",
        "amphibiens",
        3,
        3,
        6,
        "1.0",
        "3 passages nocturnes (écoute, lampe) en mars–juin.",
    ),
    (
        "reptiles",
        "reptiles",
        4,
        4,
        9,
        "1.0",
        "4 passages par temps ensoleillé, plaques abris.",
    ),
    (
        "oiseaux_nicheurs",
        "oiseaux",
        2,
        4,
        7,
        "1.0",
        "2 passages IPA (avril–mai et mai–juin).",
    ),
    (
        "orthopteres",
        "orthopteres",
        2,
        7,
        9,
        "1.0",
        "2 passages (juillet, fin août) à vue et à l'écoute.",
    ),
    (
        "coccinelles",
        "coccinelles",
        2,
        4,
        9,
        "0.5",
        "2 passages au filet fauchoir et au battage.",
    ),
    (
        "flore",
        "flore",
        2,
        4,
        8,
        "1.0",
        "2 relevés (printemps, été) avec la liste du CBN de Bailleul.",
    ),
    (
        "habitats",
        None,
        1,
        5,
        8,
        "1.0",
        "Cartographie des habitats patrimoniaux (surface).",
    ),
)

HABITATS = (
    ("E1.2", "Pelouses calcicoles vivaces et steppes riches en bases", "R", "VU", True),
    ("E1.9", "Pelouses ouvertes, sèches, sur sables non calcaires", "AR", "NT", True),
    (
        "H2.6",
        "Éboulis calcaires et ultrabasiques des zones collinéennes",
        "RR",
        "EN",
        True,
    ),
    ("C1.3", "Lacs, étangs et mares eutrophes permanents", "PC", "", False),
    ("D5.1", "Roselières normalement sans eau libre", "AR", "NT", True),
    (
        "E5.1",
        "Végétations herbacées anthropiques (friches thermophiles)",
        "AC",
        "",
        False,
    ),
    ("G1.9", "Boisements pionniers de bouleaux et trembles", "PC", "", False),
)
# Habitats observed in 2020 (7 patrimonial habitats in the report).
HABITATS_2020 = {
    "94-94a": (("E1.2", 3500), ("H2.6", 800)),
    "123-141": (("E1.9", 2200),),
    "87": (("D5.1", 1500),),
    "195-196": (("C1.3", 900), ("E1.2", 1200)),
    "2-3": (("H2.6", 600),),
}
# Records of the 2020 evaluation per method group, as in the report (858 fauna records: 12
# amphibians, 25 reptiles, 390 breeding birds, 192 ladybirds, 239 orthopterans; 244
# patrimonial flora records), shared between the 11 terrils. A group whose list has few
# species recorded in 2020 gets fewer (one record per species and visit at most).
RECORDS_2020 = {
    "amphibiens": 12,
    "reptiles": 25,
    "oiseaux_nicheurs": 390,
    "coccinelles": 192,
    "orthopteres": 239,
    "flore": 244,
}
# Classes drawn (by cd_nom) for listed taxa without a regional status: mostly common.
FALLBACK_RARITIES = ("CC", "C", "C", "AC", "AC", "PC", "PC", "AR", "R", "RR")
