"""What the ringing demo looks like: ringers, programmes, stations, the sessions of each year
and, per row of the annual table (programme × site, or programme over several sites), the
rings, controls and species of 2020 as in ``docs/report-2020.md``.

2019 and 2021 are a little lower and higher. Species are TAXREF cd_nom of the demo TAXREF
(``referentiel/data/taxa/taxref_demo.txt``); ring sizes and usual biometrics follow
``baguage/data/euring_species.csv`` so that no demo capture raises a biometric warning.
"""

from dataclasses import dataclass, field

YEARS = (2019, 2020, 2021)
YEAR_FACTORS = {2019: 0.9, 2020: 1.0, 2021: 1.07}
# Session dates move a little from one year to the next (days added to the 2020 date).
YEAR_SHIFT = {2019: -2, 2020: 0, 2021: 1}

# --- Species (TAXREF cd_nom) -------------------------------------------------------------
ACRSCI, ACRSCH, ACRPAL, ACRPAU = 4195, 4187, 4192, 4184
IXOMIN, EMBSCH, SYLATR, SYLBOR, SYLCOM, CURCUR = 2493, 4669, 4257, 4254, 4252, 1027359
PHYCOL, PHYTRO, ERIRUB, TROTRO, PRUMOD = 4280, 4289, 4001, 3967, 3978
TURMER, TURPHI, TURVIS, PARMAJ, CYACAE, AEGCAU = 4117, 4129, 4142, 3764, 534742, 4342
HIRRUS, RIPRIP, MOTALB, MOTCIN, ANTPRA, ANTTRI, ANTSPI = (
    3696,
    3688,
    3941,
    3755,
    3726,
    3723,
    3733,
)
SAXRUB, SAXRBT, PHOPHO, PHOOCH, MUSSTR, LANCOL, REGREG = (
    199425,
    4049,
    4040,
    4035,
    4319,
    3807,
    4308,
)
FRICOE, LINCAN, PYRPYR, EMBCIT, PASDOM, DENMAJ, GARGLA = (
    4564,
    889047,
    4619,
    4657,
    4525,
    3611,
    4466,
)
OENOEN, RALAQU, PERATE, DELURB, ACAFLA, GALCHL, CUCCAN = (
    4064,
    3036,
    534751,
    459478,
    886230,
    3059,
    3465,
)
CERFAM, PICVIR, LUSMEG, ALCATT, CETCET, ANACRE, ANAPLA = (
    3784,
    3603,
    4013,
    3571,
    4151,
    1958,
    1966,
)
GALGAL, LYMMIN, COLPAL, ALAARV, CARCAR, CHLCHL, LOPCRI = (
    2543,
    2538,
    3424,
    3676,
    4583,
    4582,
    534750,
)
SERSER, COTCOT, FALPER = 4571, 2996, 2938


@dataclass(frozen=True)
class Bird:
    """Ring size (CRBPO letter), wing (mm) and mass (g) ranges, whether adults are sexed on
    plumage, and whether it is a long-distance migrant (absent from October on)."""

    size: str
    wing: tuple[float, float]
    mass: tuple[float, float]
    sexed: bool = False
    summer: bool = False


BIRDS = {
    ACRSCI: Bird("A", (62, 70), (10, 15), summer=True),
    ACRSCH: Bird("A", (63, 70), (10, 14), summer=True),
    ACRPAL: Bird("A", (66, 72), (11, 15), summer=True),
    ACRPAU: Bird("A", (62, 68), (10, 13), summer=True),
    IXOMIN: Bird("G", (140, 158), (130, 165), summer=True),
    EMBSCH: Bird("B", (76, 84), (18, 23), sexed=True),
    SYLATR: Bird("A", (73, 79), (16, 20), sexed=True),
    SYLBOR: Bird("A", (76, 82), (17, 21), summer=True),
    SYLCOM: Bird("A", (70, 75), (14, 17), summer=True),
    CURCUR: Bird("A", (63, 68), (11, 13), summer=True),
    PHYCOL: Bird("A", (56, 62), (7, 9)),
    PHYTRO: Bird("A", (64, 70), (8, 10), summer=True),
    ERIRUB: Bird("B", (70, 75), (16, 19)),
    TROTRO: Bird("A", (47, 51), (9, 11)),
    PRUMOD: Bird("B", (67, 72), (19, 22)),
    TURMER: Bird("E", (128, 135), (88, 105), sexed=True),
    TURPHI: Bird("D", (113, 119), (68, 78)),
    TURVIS: Bird("E", (145, 155), (110, 125)),
    PARMAJ: Bird("B", (73, 78), (17, 20), sexed=True),
    CYACAE: Bird("A", (63, 67), (10.5, 12)),
    AEGCAU: Bird("A", (58, 63), (7.5, 9)),
    HIRRUS: Bird("A", (120, 128), (17, 21), sexed=True, summer=True),
    RIPRIP: Bird("A", (103, 109), (12.5, 15), summer=True),
    MOTALB: Bird("B", (86, 92), (20, 23)),
    MOTCIN: Bird("B", (80, 86), (17, 20)),
    ANTPRA: Bird("B", (78, 84), (17, 20)),
    ANTTRI: Bird("B", (85, 90), (21, 24), summer=True),
    ANTSPI: Bird("B", (86, 92), (20, 24)),
    SAXRUB: Bird("B", (64, 68), (14, 16), sexed=True),
    SAXRBT: Bird("B", (76, 80), (16, 18), summer=True),
    PHOPHO: Bird("B", (78, 82), (14, 16), sexed=True, summer=True),
    PHOOCH: Bird("B", (84, 88), (15, 18), sexed=True),
    MUSSTR: Bird("A", (86, 90), (14, 17), summer=True),
    LANCOL: Bird("C", (91, 95), (26, 30), sexed=True, summer=True),
    REGREG: Bird("A", (52, 56), (5.2, 6.2)),
    FRICOE: Bird("B", (85, 92), (21, 25), sexed=True),
    LINCAN: Bird("B", (78, 83), (17, 20), sexed=True),
    PYRPYR: Bird("C", (83, 88), (22, 26), sexed=True),
    EMBCIT: Bird("B", (86, 92), (26, 30), sexed=True),
    PASDOM: Bird("C", (74, 80), (26, 31), sexed=True),
    DENMAJ: Bird("E", (132, 138), (75, 88), sexed=True),
    GARGLA: Bird("G", (180, 190), (160, 175)),
    OENOEN: Bird("C", (95, 100), (23, 27), summer=True),
    RALAQU: Bird("G", (112, 122), (100, 130)),
    PERATE: Bird("A", (58, 62), (8.5, 10)),
    DELURB: Bird("A", (108, 114), (16, 20), summer=True),
    ACAFLA: Bird("A", (68, 72), (10, 12)),
    GALCHL: Bird("H", (165, 180), (250, 330)),
    CUCCAN: Bird("G", (210, 222), (100, 120), summer=True),
    CERFAM: Bird("A", (62, 66), (8.5, 10)),
    PICVIR: Bird("G", (160, 170), (170, 200), sexed=True),
    LUSMEG: Bird("C", (82, 87), (20, 25), summer=True),
    ALCATT: Bird("C", (76, 79), (36, 42)),
    CETCET: Bird("A", (58, 64), (12, 15)),
    ANACRE: Bird("H", (178, 188), (280, 350), sexed=True),
    ANAPLA: Bird("H", (270, 290), (950, 1200), sexed=True),
    GALGAL: Bird("G", (130, 138), (95, 120)),
    LYMMIN: Bird("E", (108, 114), (55, 66)),
    COLPAL: Bird("H", (245, 255), (450, 520)),
    ALAARV: Bird("C", (108, 116), (34, 40)),
    CARCAR: Bird("B", (78, 82), (15, 17), sexed=True),
    CHLCHL: Bird("C", (87, 92), (26, 30), sexed=True),
    LOPCRI: Bird("A", (63, 66), (10.5, 11.5)),
    SERSER: Bird("A", (68, 72), (10.5, 12), sexed=True),
    COTCOT: Bird("E", (108, 114), (90, 110), sexed=True),
    FALPER: Bird("L", (290, 310), (600, 800)),
}


# --- Ringers ----------------------------------------------------------------------------
@dataclass(frozen=True)
class RingerSpec:
    name: str  # "First Last" of a demo person (referentiel.demo.organisations.PEOPLE)
    permit_number: str
    permit_kind: str
    permit_scope: str = ""
    valid_from: str = "2015-01-01"
    valid_until: str = "2024-12-31"


RINGERS = (
    RingerSpec("Benoît Delattre", "CRBPO-1187", "generaliste"),
    RingerSpec("Sandrine Vasseur", "CRBPO-1432", "generaliste"),
    RingerSpec(
        "Hugo Lambert",
        "CRBPO-1705",
        "specialiste",
        "STOC-Capture, PHENO, VOIE (Bruant des roseaux, hirondelles), espèces gibier",
        valid_from="2017-03-01",
    ),
    RingerSpec("Jacques Dewitte", "", "stagiaire", "Aide-bagueur", "2019-01-01"),
    RingerSpec("Émilie Wallet", "", "stagiaire", "Aide-bagueuse", "2020-03-01"),
)
LICENSED = ("Benoît Delattre", "Sandrine Vasseur", "Hugo Lambert")
TRAINEES = ("Jacques Dewitte", "Émilie Wallet")


# --- Programmes -------------------------------------------------------------------------
@dataclass(frozen=True)
class ProgrammeSpec:
    code: str  # referentiel Programme.code
    kind: str  # RingingProgramme.Kind value
    targets: tuple[int, ...] = ()


# The colour-ringing of the peregrine falcon is a personal programme of the CPIE that the
# referential demo does not list: the ringing demo adds it (programme and dataset).
PEREGRINE = "FAUCON-PELERIN"
PEREGRINE_NAME = "Baguage couleur du Faucon pèlerin"

PROGRAMMES = (
    ProgrammeSpec("STOC-CAPTURE", "stoc"),
    ProgrammeSpec("SPOL", "spol_mangeoire"),
    ProgrammeSpec("PHENO", "pheno"),
    ProgrammeSpec("VOIE-BRUANT", "voie", (EMBSCH,)),
    ProgrammeSpec("VOIE-HIRONDELLE-RIVAGE", "voie", (RIPRIP,)),
    ProgrammeSpec("VOIE-HIRONDELLE-RUSTIQUE", "voie", (HIRRUS,)),
    ProgrammeSpec("GIBIER", "gibier", (GALGAL, LYMMIN, ANACRE)),
    ProgrammeSpec("SMAC", "smac", (ALAARV,)),
    ProgrammeSpec("CAILLE", "gibier", (COTCOT,)),
    ProgrammeSpec("GLS-GOBEMOUCHE", "personnel", (MUSSTR,)),
    ProgrammeSpec(PEREGRINE, "personnel", (FALPER,)),
)


# --- Stations ---------------------------------------------------------------------------
@dataclass(frozen=True)
class StationSpec:
    site: str  # referentiel Site.name
    name: str
    code: str
    nets: int
    net_length: float = 12.0


STATIONS = (
    StationSpec("Marais de la Couture", "Marais de la Couture", "62-AVION-01", 12),
    StationSpec("Marais de Wingles", "Marais de Wingles", "62-WINGLES-01", 14),
    StationSpec("Bac à schlamms de Dourges", "Bac à schlamms", "62-DOURGES-01", 20),
    StationSpec("ZEC Delta 3", "ZEC Delta 3", "59-OSTRICOURT-01", 10),
    StationSpec(
        "Terril de cendres de Courrières", "Terril de cendres", "62-COURRIERES-01", 4
    ),
    StationSpec("Carrière STB", "Carrière STB", "59-HAMEL-01", 4),
    StationSpec("Mare Jules Ferry", "Mare Jules Ferry", "62-VIMY-02", 4),
    StationSpec("Jardin privé de Vimy", "Jardin de Vimy", "62-VIMY-01", 3, 6.0),
    StationSpec("Ferme de Loos-en-Gohelle", "Ferme de Loos", "62-LOOS-01", 2, 9.0),
    StationSpec("Ferme de Mons-en-Pévèle", "Ferme de Mons", "59-MONS-01", 2, 9.0),
    # The Spotted flycatchers of the GLS study nest in the trees along the park's ponds.
    StationSpec(
        "Étangs du Parc des Glissoires", "Étangs des Glissoires", "62-AVION-02", 4
    ),
    StationSpec("Terrils jumeaux du 11/19", "Terrils du 11/19", "62-LOOS-02", 0),
)


# --- Sessions and rows ------------------------------------------------------------------
@dataclass(frozen=True)
class SessionSpec:
    site: str
    day: str  # "MM-DD" in 2020, moved by YEAR_SHIFT in the other years
    start: str = "06:00"
    end: str = "12:00"
    nets: int | None = None  # nets used (default: every net of the station)
    weight: float = 1.0  # share of the row's captures
    years: tuple[int, ...] = YEARS
    comment: str = ""


@dataclass(frozen=True)
class RowSpec:
    """One row of the annual table: a programme at a site (or over several sites), its
    sessions, and its 2020 figures."""

    programme: str
    sessions: tuple[SessionSpec, ...]
    rings: int
    controls: int
    # The species pool, most frequent first; the first ``species`` are used in 2020.
    pool: tuple[int, ...]
    species: int
    # Species with a fixed number of birds handled per year (rare or remarkable ones).
    fixed: dict[int, dict[int, int]] = field(default_factory=dict)
    foreign: dict[int, int] = field(default_factory=dict)  # year → foreign controls
    # Controls that are a bird already controlled earlier in the year (2020 only).
    repeat_controls: int = 0
    ages: str = "autumn"  # age pattern: stoc, autumn, colony, winter, adult, pullus
    lure: str = ""
    # (rings, controls) of a year other than 2020 when not scaled from 2020's.
    counts: dict[int, tuple[int, int]] = field(default_factory=dict)


def _stoc(site, days, *, failing=None):
    sessions = tuple(SessionSpec(site, day, "05:30", "11:30") for day in days)
    if failing:
        sessions += (
            SessionSpec(
                site,
                failing,
                "06:00",
                "08:30",
                years=(2020,),
                weight=0.4,
                comment="Session interrompue par la pluie.",
            ),
        )
    return sessions


COUTURE, WINGLES, DOURGES = (
    "Marais de la Couture",
    "Marais de Wingles",
    "Bac à schlamms de Dourges",
)
ZEC, CENDRES, STB = "ZEC Delta 3", "Terril de cendres de Courrières", "Carrière STB"
VIMY_GARDEN, VIMY_POND = "Jardin privé de Vimy", "Mare Jules Ferry"
LOOS, MONS = "Ferme de Loos-en-Gohelle", "Ferme de Mons-en-Pévèle"

PHENO_DAYS = (
    "07-11",
    "07-22",
    "08-01",
    "08-10",
    "08-19",
    "08-28",
    "09-05",
    "09-13",
    "09-21",
    "09-29",
    "10-07",
    "10-15",
    "10-24",
    "11-03",
    "11-14",
)
PHENO_WEIGHTS = (
    0.5,
    0.7,
    0.9,
    1.1,
    1.2,
    1.3,
    1.4,
    1.4,
    1.3,
    1.2,
    1.0,
    0.9,
    0.7,
    0.5,
    0.3,
)

ROWS = (
    RowSpec(
        "STOC-CAPTURE",
        _stoc(COUTURE, ("05-16", "06-13", "07-04")),
        145,
        39,
        (
            ACRSCI,
            SYLATR,
            PHYCOL,
            TURMER,
            ERIRUB,
            TROTRO,
            PARMAJ,
            ACRPAL,
            SYLCOM,
            SYLBOR,
            CYACAE,
            PRUMOD,
            PHYTRO,
            AEGCAU,
            PICVIR,
            MOTCIN,
        ),
        16,
        fixed={
            PICVIR: {2019: 0, 2020: 1, 2021: 1},
            MOTCIN: {2019: 1, 2020: 2, 2021: 1},
        },
        foreign={2019: 1, 2020: 1, 2021: 1},
        ages="stoc",
    ),
    RowSpec(
        "STOC-CAPTURE",
        _stoc(WINGLES, ("05-19", "06-16", "07-08"), failing="05-28"),
        210,
        42,
        (
            ACRSCI,
            SYLATR,
            ACRSCH,
            PHYCOL,
            TURMER,
            SYLCOM,
            ERIRUB,
            TROTRO,
            PARMAJ,
            SYLBOR,
            AEGCAU,
            LUSMEG,
        ),
        12,
        fixed={LUSMEG: {2019: 2, 2020: 3, 2021: 2}},
        foreign={2019: 1, 2020: 1, 2021: 2},
        ages="stoc",
    ),
    RowSpec(
        "VOIE-BRUANT",
        (
            SessionSpec(COUTURE, "10-10", "07:00", "12:00", nets=6),
            SessionSpec(COUTURE, "10-24", "07:00", "12:00", nets=6),
        ),
        23,
        9,
        (EMBSCH, ANTPRA, ERIRUB, TROTRO, PHYCOL, PRUMOD, TURPHI, ANTSPI),
        8,
        fixed={ANTSPI: {2019: 0, 2020: 1, 2021: 1}},
        foreign={2019: 1, 2020: 2, 2021: 1},
        lure="F",
    ),
    RowSpec(
        "PHENO",
        tuple(
            SessionSpec(DOURGES, day, "06:30", "12:30", weight=weight)
            for day, weight in zip(PHENO_DAYS, PHENO_WEIGHTS, strict=True)
        ),
        2126,
        201,
        (
            ACRSCI,
            ACRSCH,
            PHYCOL,
            SYLATR,
            ERIRUB,
            PHYTRO,
            SYLCOM,
            SYLBOR,
            TROTRO,
            ACRPAL,
            REGREG,
            TURMER,
            PARMAJ,
            CYACAE,
            PRUMOD,
            TURPHI,
            AEGCAU,
            CURCUR,
            MOTALB,
            ANTPRA,
            SAXRUB,
            PHOOCH,
            FRICOE,
            LINCAN,
            ANTTRI,
            PHOPHO,
            SAXRBT,
            MUSSTR,
            PYRPYR,
            EMBCIT,
            PASDOM,
            LANCOL,
            DENMAJ,
            RALAQU,
            PERATE,
            DELURB,
            ACAFLA,
            GALCHL,
            OENOEN,
            GARGLA,
            CUCCAN,
            CERFAM,
            TURVIS,
            SERSER,
            COLPAL,
            ACRPAU,
            IXOMIN,
        ),
        47,
        fixed={ACRPAU: {2019: 1, 2020: 2, 2021: 0}, IXOMIN: {2020: 1, 2021: 1}},
        foreign={2019: 16, 2020: 18, 2021: 20},
    ),
    RowSpec(
        "VOIE-BRUANT",
        (
            SessionSpec(DOURGES, "10-18", "07:00", "12:00", nets=6),
            SessionSpec(DOURGES, "11-07", "07:30", "12:00", nets=6),
        ),
        20,
        2,
        (EMBSCH, ANTPRA, TROTRO, PHYCOL),
        4,
        lure="F",
    ),
    RowSpec(
        "VOIE-BRUANT",
        (
            SessionSpec(ZEC, "10-03", "07:00", "12:00"),
            SessionSpec(ZEC, "10-17", "07:00", "12:00", weight=1.3),
            SessionSpec(ZEC, "10-31", "07:30", "12:30", weight=1.2),
            SessionSpec(ZEC, "11-21", "08:00", "12:30", weight=0.6),
        ),
        189,
        17,
        (
            EMBSCH,
            ANTPRA,
            PHYCOL,
            ERIRUB,
            TROTRO,
            REGREG,
            PRUMOD,
            TURMER,
            TURPHI,
            PARMAJ,
            CYACAE,
            AEGCAU,
            FRICOE,
            ACRSCI,
            CETCET,
            ALCATT,
        ),
        16,
        fixed={
            CETCET: {2019: 1, 2020: 2, 2021: 3},
            ALCATT: {2019: 0, 2020: 1, 2021: 1},
        },
        foreign={2019: 3, 2020: 4, 2021: 4},
        lure="F",
    ),
    RowSpec(
        "VOIE-HIRONDELLE-RIVAGE",
        (
            SessionSpec(CENDRES, "06-20", "05:30", "10:00"),
            SessionSpec(CENDRES, "07-04", "05:30", "10:00"),
            SessionSpec(CENDRES, "07-18", "05:30", "10:00"),
        ),
        120,
        14,
        (RIPRIP,),
        1,
        foreign={2019: 1, 2020: 1, 2021: 1},
        repeat_controls=1,
        ages="colony",
    ),
    RowSpec(
        "VOIE-HIRONDELLE-RIVAGE",
        (
            SessionSpec(STB, "06-27", "05:30", "10:00"),
            SessionSpec(STB, "07-11", "05:30", "10:00"),
            SessionSpec(STB, "07-25", "05:30", "10:00"),
        ),
        141,
        1,
        (RIPRIP,),
        1,
        ages="colony",
    ),
    RowSpec(
        "GIBIER",
        (
            SessionSpec(DOURGES, "03-14", "18:30", "22:30", nets=8, weight=0.6),
            SessionSpec(DOURGES, "10-23", "18:30", "23:00", nets=8, weight=1.4),
            SessionSpec(DOURGES, "11-20", "18:00", "23:00", nets=8, weight=1.2),
            SessionSpec(ZEC, "10-09", "18:30", "23:00", nets=8, weight=1.2),
            SessionSpec(ZEC, "11-13", "18:00", "22:30", nets=8, weight=1.0),
            SessionSpec(COUTURE, "10-16", "18:30", "22:30", nets=8, weight=1.0),
            SessionSpec(COUTURE, "11-27", "17:30", "22:00", nets=8, weight=0.8),
            SessionSpec(VIMY_POND, "11-06", "18:00", "22:00", weight=0.9),
            # The report's fifth site is at Neuville-Saint-Vaast, which the referential
            # demo's sites do not hold: the marsh of Wingles stands for it.
            SessionSpec(WINGLES, "10-30", "18:30", "22:30", nets=8, weight=0.8),
            SessionSpec(WINGLES, "12-04", "17:30", "21:30", nets=8, weight=0.5),
        ),
        341,
        19,
        (
            GALGAL,
            LYMMIN,
            ANACRE,
            TURPHI,
            TURMER,
            ANTPRA,
            RALAQU,
            GALCHL,
            MOTALB,
            ALAARV,
            TROTRO,
            ERIRUB,
            TURVIS,
            COLPAL,
            ANAPLA,
            PRUMOD,
        ),
        16,
        fixed={
            GALGAL: {2019: 61, 2020: 70, 2021: 76},
            LYMMIN: {2019: 27, 2020: 31, 2021: 29},
            ANACRE: {2019: 10, 2020: 12, 2021: 15},
        },
        foreign={2019: 2, 2020: 3, 2021: 3},
        ages="autumn",
        lure="F",
    ),
    RowSpec(
        "SPOL",
        (
            SessionSpec(VIMY_GARDEN, "01-11", "08:30", "13:00"),
            SessionSpec(VIMY_GARDEN, "01-25", "08:30", "13:00"),
            SessionSpec(VIMY_GARDEN, "02-08", "08:30", "13:00"),
            SessionSpec(VIMY_GARDEN, "02-22", "08:00", "13:00"),
            SessionSpec(VIMY_GARDEN, "03-07", "08:00", "12:30"),
            SessionSpec(VIMY_GARDEN, "11-28", "08:30", "13:00"),
            SessionSpec(VIMY_GARDEN, "12-12", "08:30", "13:00"),
            SessionSpec(VIMY_GARDEN, "12-27", "09:00", "13:00"),
        ),
        308,
        98,
        (
            PARMAJ,
            CYACAE,
            CARCAR,
            CHLCHL,
            FRICOE,
            PASDOM,
            ERIRUB,
            TURMER,
            PRUMOD,
            PERATE,
            AEGCAU,
            PYRPYR,
            DENMAJ,
            TROTRO,
            SYLATR,
            GARGLA,
            PHYCOL,
            REGREG,
            SERSER,
            TURPHI,
            LOPCRI,
        ),
        21,
        fixed={LOPCRI: {2019: 2, 2020: 3, 2021: 2}},
        foreign={2019: 1, 2020: 1, 2021: 1},
        ages="winter",
        lure="A",
    ),
    RowSpec(
        "VOIE-HIRONDELLE-RUSTIQUE",
        (
            SessionSpec(LOOS, "07-24", "19:30", "22:30"),
            SessionSpec(LOOS, "08-14", "19:00", "22:00"),
            SessionSpec(MONS, "07-31", "19:30", "22:30"),
            SessionSpec(MONS, "08-21", "19:00", "22:00"),
        ),
        41,
        3,
        (HIRRUS,),
        1,
        foreign={2019: 0, 2020: 1, 2021: 1},
        ages="colony",
    ),
    # The other programmes of the year (not rows of the report's table).
    RowSpec(
        "CAILLE",
        (
            SessionSpec(MONS, "06-12", "21:00", "23:45"),
            SessionSpec(MONS, "06-26", "21:00", "23:45"),
            SessionSpec(LOOS, "07-10", "21:00", "23:45"),
        ),
        38,
        0,
        (COTCOT,),
        1,
        ages="adult",
        lure="F",
    ),
    RowSpec(
        "SMAC",
        (
            SessionSpec(LOOS, "10-12", "19:00", "23:30"),
            SessionSpec(LOOS, "10-20", "19:00", "23:30", weight=1.4),
            SessionSpec(LOOS, "10-28", "18:30", "23:00", weight=1.2),
            SessionSpec(LOOS, "11-05", "18:30", "23:00", weight=0.6),
        ),
        62,
        0,
        (ALAARV,),
        1,
        lure="F",
    ),
    RowSpec(
        "GLS-GOBEMOUCHE",
        (
            SessionSpec(
                "Étangs du Parc des Glissoires",
                "06-06",
                "06:00",
                "11:00",
                years=(2020,),
            ),
            SessionSpec(
                "Étangs du Parc des Glissoires",
                "05-29",
                "06:00",
                "11:00",
                years=(2021,),
            ),
        ),
        3,
        0,
        (MUSSTR,),
        1,
        ages="adult",
        lure="F",
        # 2021: two more adults fitted, one of 2020's retrapped and its logger removed.
        counts={2021: (2, 1)},
    ),
    RowSpec(
        PEREGRINE,
        (
            SessionSpec(
                "Terrils jumeaux du 11/19",
                "05-27",
                "10:00",
                "11:00",
                nets=0,
                years=(2020,),
            ),
        ),
        1,
        0,
        (FALPER,),
        1,
        ages="pullus",
    ),
)

# Foreign ringing schemes of the controls (EURING scheme codes) and their weights.
FOREIGN_SCHEMES = (
    ("BLB", 9),  # Belgique (Bruxelles)
    ("NLA", 7),  # Pays-Bas (Arnhem)
    ("GBT", 5),  # Grande-Bretagne (BTO)
    ("DEH", 3),  # Allemagne (Helgoland)
    ("DER", 2),  # Allemagne (Radolfzell)
    ("DEW", 1),  # Allemagne (Hiddensee)
    ("SVS", 2),  # Suède (Stockholm)
    ("DKC", 2),  # Danemark (Copenhague)
    ("NOS", 1),  # Norvège (Stavanger)
)
FOREIGN_PREFIX = {
    "BLB": "V",
    "NLA": "AH",
    "GBT": "Z",
    "DEH": "9",
    "DER": "HE",
    "DEW": "VS",
    "SVS": "2K",
    "DKC": "9E",
    "NOS": "8L",
}

# Ring series: prefix, digits and first number per size; rings are received in lots.
RING_SIZES = {
    "A": ("", 7, 3600001, 1000),
    "B": ("", 7, 6100001, 500),
    "C": ("", 7, 8200001, 250),
    "D": ("DA", 5, 10001, 0),  # one lot, nearly used up: the stock page warns
    "E": ("EA", 5, 20001, 100),
    "G": ("GA", 5, 30001, 100),
    "H": ("HA", 5, 40001, 50),
    "L": ("LA", 5, 50001, 50),
}
LOW_SIZE = "D"
LOW_SIZE_LEFT = 18
STOCK_MARGIN = 60  # rings left at least in every other size
