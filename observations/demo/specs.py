"""What the demo occurrences look like: per atlas group, the 2020 figures of the activity
report (records / species), the season, the datasets and the places.

``records_2020`` and ``species_2020`` are the report's atlas contributions of CPIE Chaîne
des Terrils (docs/report-2020.md) counted the way the dashboard counts them
(:mod:`indicateurs.figures`): presences of the structure's own datasets, ringing captures
and site counts apart. Other demos publish part of them (the terril evaluation, the POP
Amphibien, the 2020 finds of :data:`RARITIES`): ``elsewhere_2020`` says how many, and
this demo draws the rest, so that the total of 2020 is the report's. Records of the
partners' datasets (Eden 62, ONF, CPIE Authie) come on top: they are not the structure's.

Taxa come from the regional pool (``referentiel/data/taxa/hauts_de_france.csv``). A group
whose pool holds far fewer taxa than the report's species gets proportionally fewer
records (a single ladybird species with 361 records would not be believable): those
figures are out of the demo's reach until the pool has the taxa. 2019 and 2021 are a
little lower and higher, with some noise per group.
"""

from dataclasses import dataclass, field

YEARS = (2019, 2020, 2021)
# Records of a year relative to 2020, before each group's own noise.
YEAR_FACTORS = {2019: 0.9, 2020: 1.0, 2021: 1.08}
# Share of records still "en attente" (validation queue), by year: the recent year has more.
PENDING_SHARE = {2019: 0.02, 2020: 0.05, 2021: 0.2}
# Validation statuses of the records that are not pending: (status, weight).
DECIDED_STATUSES = ((1, 75), (2, 22), (3, 2), (4, 1))

# Where a dataset's records are made: site kinds (Site.Kind values), site names, or
# "communes" (a random point in a commune of the mining basin).
WETLANDS = ("zone_humide", "marais", "mare", "etang", "zec")
TERRILS = ("terril",)


@dataclass(frozen=True)
class DatasetUse:
    short_title: str  # Dataset.short_title of the referential demo
    weight: float
    site_kinds: tuple[str, ...] = ()
    site_prefix: str = ""  # sites whose name starts with this
    communes_share: float = 0.0  # share of its records at a random point in a commune
    # Exactly this many of the group's own 2020 records (a figure of the report), the
    # other records going to the other datasets by weight.
    records_2020: int = 0


@dataclass(frozen=True)
class GroupSpec:
    code: str  # AtlasGroup.code
    records_2020: int
    species_2020: int
    months: dict[int, float]  # month → weight
    datasets: tuple[DatasetUse, ...]
    count_max: int = 5
    life_stages: tuple[tuple[str, float], ...] = (("1", 1.0),)
    techniques: tuple[tuple[str, float], ...] = (("0", 1.0),)
    bio_status: str = "1"
    # cd_nom of names above the species (genus…) given to a share of the records.
    higher_taxa: tuple[int, ...] = ()
    higher_share: float = 0.0
    # POP-like visits that found nothing: share of absences relative to the presences of
    # the dataset ``absence_dataset``, recorded on the taxon ``absence_taxon``.
    absence_dataset: str = ""
    absence_taxon: int | None = None
    absence_share: float = 0.0
    # The species pool: these cd_nom only (the regional species of a national list), or
    # every taxon of the group in the demo referential but ``excluded``.
    taxa: tuple[int, ...] = ()
    excluded: tuple[int, ...] = field(default=())
    # 2020 presences of the group that other demos publish in the structure's datasets
    # (terril evaluation, POP Amphibien, finds): this demo draws ``records_2020`` less these.
    elsewhere_2020: int = 0


SUMMER = {4: 1, 5: 3, 6: 4, 7: 4, 8: 3, 9: 1}
ALL_YEAR = {1: 1, 2: 1, 3: 2, 4: 4, 5: 5, 6: 4, 7: 2, 8: 2, 9: 2, 10: 2, 11: 1, 12: 1}

GROUPS = (
    GroupSpec(
        "oiseaux",
        1457,
        120,
        ALL_YEAR,
        (
            DatasetUse(
                "ATLAS", 0.55, communes_share=0.6, site_kinds=WETLANDS + TERRILS
            ),
            DatasetUse("EVAL-TERRILS", 0.15, site_kinds=TERRILS),
            DatasetUse("ZONES-HUMIDES", 0.1, site_kinds=WETLANDS),
            DatasetUse("EDEN62-ENS", 0.1, site_kinds=TERRILS),
            DatasetUse("ONF-TERRILS", 0.05, site_kinds=TERRILS),
            DatasetUse("IQE-SUEZ", 0.05, site_prefix="Site SUEZ"),
        ),
        count_max=12,
        life_stages=(("2", 0.7), ("1", 0.25), ("3", 0.05)),
        techniques=(("25", 0.5), ("0", 0.3), ("1", 0.2)),
        excluded=(3493,),  # Bubo bubo: the 2020 finds, see RARITIES
        # 390 breeding-bird records of the 2020 terril evaluation (terrils/demo), 4 of
        # Bubo bubo (RARITIES).
        elsewhere_2020=390 + 4,
    ),
    GroupSpec(
        "amphibiens",
        # 389 records in the report, of which the 237 presences of the POP Amphibien
        # aires: those (and the Vimy drift fence's counts, a site count) are published by
        # the wetlands demo (zones_humides/demo), the single source of those two datasets.
        389,
        12,
        {2: 2, 3: 5, 4: 5, 5: 3, 6: 1},
        (
            DatasetUse("ZONES-HUMIDES", 0.15, site_kinds=WETLANDS),
            # "Un dragon dans mon jardin": the public's gardens, and the ponds of a
            # residence, a school and a garden (action 2's wetlands).
            DatasetUse("DRAGON-JARDIN", 0.1, site_kinds=("mare",), communes_share=0.85),
            DatasetUse("EVAL-TERRILS", 0.05, site_kinds=TERRILS),
            DatasetUse("ATLAS", 0.1, communes_share=0.5, site_kinds=WETLANDS),
        ),
        count_max=30,
        life_stages=(("2", 0.7), ("8", 0.15), ("9", 0.1), ("3", 0.05)),
        techniques=(("0", 0.7), ("1", 0.3)),
        bio_status="3",
        higher_taxa=(444436,),  # Pelophylax: green frogs left at the genus
        higher_share=0.04,
        # The 11 species of the 2020 POP Amphibien cells and the Grenouille agile.
        taxa=(
            259,
            459628,
            252,
            197,
            351,
            444440,
            444443,
            444432,
            444431,
            444430,
            139,
            310,
        ),
        # 237 POP presences (zones_humides/demo), 12 of the terril evaluation, 5 reports
        # of the "Un dragon dans mon jardin" campaign (sensibilisation/demo).
        elsewhere_2020=237 + 12 + 5,
    ),
    GroupSpec(
        "reptiles",
        51,
        2,
        {4: 2, 5: 3, 6: 3, 7: 3, 8: 2, 9: 1},
        (
            DatasetUse("EDEN62-LEZARD", 0.45, site_kinds=TERRILS),
            DatasetUse("EVAL-TERRILS", 0.35, site_kinds=TERRILS),
            DatasetUse("DRAGON-JARDIN", 0.2, communes_share=1.0),
        ),
        count_max=4,
        life_stages=(("2", 0.8), ("3", 0.2)),
        taxa=(77756, 77490),  # Lézard des murailles, Orvet fragile
        # The terril evaluation's 25 reptile records, 2 campaign reports (as above).
        elsewhere_2020=25 + 2,
    ),
    # The report's fauna (4,005) is 18 records more than its atlas groups (3,987): the
    # demo takes them for bats seen or heard in summer (the winter counts of hibernacula
    # are site counts, reported in their own table).
    GroupSpec(
        "chiropteres",
        18,
        2,
        {5: 1, 6: 2, 7: 3, 8: 3, 9: 1},
        (DatasetUse("ATLAS", 1.0, communes_share=0.7, site_kinds=WETLANDS),),
        count_max=6,
        techniques=(("0", 1.0),),
    ),
    GroupSpec(
        "mammiferes",
        35,
        12,
        {3: 1, 4: 2, 5: 2, 6: 2, 7: 2, 8: 2, 9: 2, 10: 1},
        (
            DatasetUse("ATLAS", 0.6, communes_share=0.7, site_kinds=TERRILS),
            DatasetUse("EDEN62-ENS", 0.4, site_kinds=TERRILS),
        ),
        count_max=2,
    ),
    GroupSpec(
        "rhopaloceres",
        285,
        28,
        SUMMER,
        (
            DatasetUse("ATLAS", 0.45, communes_share=0.5, site_kinds=TERRILS),
            # The report's 765 pollinator fauna records: 385 bees, 265 hoverflies and
            # these 115 butterflies.
            DatasetUse(
                "POLLINISATEURS", 0.35, site_prefix="Bandes fleuries", records_2020=115
            ),
            DatasetUse("EDEN62-ENS", 0.1, site_kinds=TERRILS),
            DatasetUse("ONF-TERRILS", 0.1, site_kinds=TERRILS),
        ),
        count_max=8,
        life_stages=(("15", 0.9), ("7", 0.1)),
        higher_taxa=(196270,),  # Pieris: whites not told apart in flight
        higher_share=0.03,
    ),
    GroupSpec(
        "odonates",
        55,
        17,
        {5: 2, 6: 4, 7: 4, 8: 3, 9: 2},
        (
            DatasetUse("ATLAS", 0.6, communes_share=0.2, site_kinds=WETLANDS),
            DatasetUse("ZONES-HUMIDES", 0.4, site_kinds=WETLANDS),
        ),
        count_max=8,
        life_stages=(("15", 0.85), ("11", 0.15)),  # imagos, some exuviae
    ),
    # The report's 4 spider and 2 bug records: incidental records of the atlas.
    GroupSpec(
        "araignees",
        4,
        2,
        {6: 1, 7: 2, 8: 3, 9: 2},
        (DatasetUse("ATLAS", 1.0, communes_share=0.5, site_kinds=TERRILS),),
        count_max=2,
        life_stages=(("2", 1.0),),
    ),
    GroupSpec(
        "punaises",
        2,
        1,
        {6: 1, 7: 2, 8: 1},
        (DatasetUse("ATLAS", 1.0, communes_share=0.5, site_kinds=TERRILS),),
        count_max=3,
        life_stages=(("2", 1.0),),
    ),
    GroupSpec(
        "heteroceres",
        339,
        152,
        {6: 3, 7: 4, 8: 2},
        (
            DatasetUse("ATLAS", 0.7, communes_share=0.3, site_kinds=TERRILS),
            DatasetUse("EDEN62-ENS", 0.3, site_kinds=TERRILS),
        ),
        count_max=6,
        life_stages=(("15", 1.0),),
        higher_taxa=(211688,),  # Zygaena
        higher_share=0.06,
    ),
    GroupSpec(
        "coccinelles",
        361,
        35,
        {3: 1, 4: 2, 5: 3, 6: 3, 7: 3, 8: 2, 9: 1, 10: 1},
        (
            DatasetUse("EVAL-TERRILS", 0.5, site_kinds=TERRILS),
            DatasetUse("ATLAS", 0.3, communes_share=0.6, site_kinds=TERRILS),
            DatasetUse("ENI", 0.2, site_prefix="Parcelle ENI"),
        ),
        count_max=10,
        life_stages=(("2", 0.85), ("6", 0.15)),
        elsewhere_2020=192,  # the terril evaluation's ladybird records
    ),
    GroupSpec(
        "orthopteres",
        359,
        22,
        {6: 1, 7: 3, 8: 4, 9: 3, 10: 1},
        (
            DatasetUse("EVAL-TERRILS", 0.5, site_kinds=TERRILS),
            DatasetUse("ATLAS", 0.35, communes_share=0.5, site_kinds=TERRILS),
            DatasetUse("ENI", 0.15, site_prefix="Parcelle ENI"),
        ),
        count_max=12,
        life_stages=(("15", 0.9), ("13", 0.1)),  # imagos, some nymphs
        techniques=(("0", 0.6), ("1", 0.4)),  # seen, heard (stridulation)
        # The terril evaluation's 239 orthopteran records; 4 records of the two finds
        # (Calliptamus italicus, Eumodicogryllus bordigalensis: RARITIES).
        elsewhere_2020=239 + 4,
    ),
    # The report's 765 pollinator fauna records of the 17 flower strips: 385 bees, 265
    # hoverflies (and the 115 butterflies above), all of the pollinator inventory.
    GroupSpec(
        "abeilles",
        385,
        54,
        {3: 1, 4: 3, 5: 4, 6: 4, 7: 3, 8: 2, 9: 1},
        (
            DatasetUse(
                "POLLINISATEURS", 1.0, site_prefix="Bandes fleuries", records_2020=385
            ),
        ),
        count_max=6,
        life_stages=(("15", 1.0),),
    ),
    GroupSpec(
        "syrphes",
        265,
        40,
        {4: 2, 5: 3, 6: 4, 7: 4, 8: 4, 9: 2, 10: 1},
        (
            DatasetUse(
                "POLLINISATEURS", 1.0, site_prefix="Bandes fleuries", records_2020=265
            ),
        ),
        count_max=6,
        life_stages=(("15", 1.0),),
    ),
    GroupSpec(
        "flore",
        3203,
        517,
        {3: 1, 4: 3, 5: 5, 6: 6, 7: 5, 8: 3, 9: 2, 10: 1},
        (
            DatasetUse("ATLAS", 0.5, communes_share=0.4, site_kinds=TERRILS + WETLANDS),
            DatasetUse("EVAL-TERRILS", 0.15, site_kinds=TERRILS),
            # The report's 441 flora records of the flower strips.
            DatasetUse(
                "POLLINISATEURS", 0.12, site_prefix="Bandes fleuries", records_2020=441
            ),
            DatasetUse("EDEN62-ENS", 0.08, site_kinds=TERRILS),
            DatasetUse("ONF-TERRILS", 0.05, site_kinds=TERRILS),
            DatasetUse("IQE-SUEZ", 0.05, site_prefix="Site SUEZ"),
            DatasetUse("CPIE-AUTHIE", 0.05, communes_share=1.0),
        ),
        count_max=50,
        life_stages=(("1", 1.0),),
        techniques=(("0", 1.0),),
        excluded=(112809, 118872),  # the 2020 finds, see RARITIES
        # 244 patrimonial flora records of the terril evaluation, 2 finds (RARITIES).
        elsewhere_2020=244 + 2,
    ),
)


@dataclass(frozen=True)
class Rarity:
    """A remarkable find of the 2020 report, placed where and when the report says."""

    cd_nom: int
    site: str  # site name, or "" for a point in ``commune``
    commune: str  # commune name when no site
    dates: dict[int, tuple[str, ...]]  # year → "MM-DD" of each record
    dataset: str = "ATLAS"


RARITIES = (
    # Calliptamus italicus: first record for Pas-de-Calais, terril T116-117 Oignies.
    Rarity(
        66268,
        "Terril n° 116-117",
        "",
        {2020: ("07-07", "07-21", "08-04"), 2021: ("07-02", "07-16", "08-10")},
        "EVAL-TERRILS",
    ),
    # Bubo bubo at Loos-en-Gohelle and Hersin-Coupigny.
    Rarity(3493, "Terrils jumeaux du 11/19", "", {2020: ("02-14", "03-03", "11-20")}),
    Rarity(3493, "Site SUEZ de Hersin-Coupigny", "", {2020: ("04-09",)}, "IQE-SUEZ"),
    Rarity(3493, "Terrils jumeaux du 11/19", "", {2021: ("01-28", "03-12")}),
    # Petrorhagia saxifraga (the report names subsp. saxifraga) on terril T116-117.
    Rarity(112809, "Terril n° 116-117", "", {2020: ("06-24",), 2021: ("06-30",)}),
    # Rostraria cristata at the Leforest railway station, 20/05/2020.
    Rarity(118872, "Gare de Leforest", "", {2020: ("05-20",)}),
    # Eumodicogryllus bordigalensis, the Grillon bordelais: first record for Pas-de-Calais,
    # at Estevelles (the report gives no date: a singing male in late summer).
    Rarity(227817, "", "Estevelles", {2020: ("08-18",), 2021: ("07-29",)}),
)

# The partners' older records (before the demo's years) that make the history the finds
# are read against: each taxon the demo draws was recorded in each département of the
# mining basin (on the CPIE's territory) in one of these years, by the partner that works
# there. Without them every taxon would look new in 2020 (indicateurs.finds).
HISTORY_YEARS = range(2010, 2019)
HISTORY_DATASETS = {"62": "EDEN62-ENS", "59": "ONF-TERRILS"}

# A few taxa given a SINP sensitivity level when the referential has no status for them:
# cd_nom → level (2: diffused at the 10 km grid cell).
SENSITIVE_TAXA = {3493: 2, 60418: 2, 139: 1}
