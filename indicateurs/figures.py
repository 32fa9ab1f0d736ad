"""The figures of the annual report to the Region, declared: one :class:`Figure` per line
of the indicator tables (key, French label, French definition, how to read it from a
year's facts, the page behind it, its detail line), grouped by action of the report.

The dashboard, its printable page, the workbook (:mod:`indicateurs.report`) and the API
all show :func:`figure_tables`, so adding, removing or changing a figure is one
declaration here. A figure that needs a fact not yet gathered adds it to
:func:`indicateurs.selectors.year_facts` first.

``value`` and ``detail`` read the facts of one year (the same function reads the year and
the year before); ``label`` may name a fact between braces (``{finds[gap_years]}``),
formatted with the year's facts; ``page`` gives the URL of the data behind the figure for
the year.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from indicateurs.selectors import number
from observations.models import CountProgramme
from referentiel.models import AtlasGroup

FAUNA, FLORA = AtlasGroup.Kingdom.FAUNE, AtlasGroup.Kingdom.FLORE
HIBERNACULA = CountProgramme.Kind.HIBERNACULA.value
WATERBIRDS = CountProgramme.Kind.WATERBIRDS.value

# --- the pages behind the figures ----------------------------------------------------------


def records_page(year: int) -> str:
    query = urlencode({"year": year, "presence": "Pr"})
    return f"{reverse('observations:occurrence_list')}?{query}"


def atlas_page(year: int) -> str:
    return f"{reverse('observations:atlas')}?annee={year}"


def extracts_page(year: int) -> str:
    return reverse("observations:extract_list")


def outreach_page(year: int) -> str:
    return reverse("sensibilisation:bilan", args=[year])


def ringing_page(year: int) -> str:
    return reverse("baguage:bilan", args=[year])


def counts_page(year: int) -> str:
    return reverse("observations:count_programmes")


def terrils_page(year: int) -> str:
    return f"{reverse('terrils:ranking')}?annee={year}"


def wetlands_page(year: int) -> str:
    return reverse("zones_humides:index")


def pop_page(year: int) -> str:
    return reverse("zones_humides:pop_results", args=[year])


def finds_page(year: int) -> str:
    return f"{reverse('indicateurs:dashboard', args=[year])}#finds"


def no_page(year: int) -> str:
    return ""


# --- the detail lines ----------------------------------------------------------------------


def names(items: Iterable) -> str:
    return ", ".join(str(item) for item in items)


def kinds(mapping: dict) -> str:
    return ", ".join(f"{k} : {v}" for k, v in mapping.items())


def finds_detail(find: dict) -> str:
    if find.get("departement"):
        return f"{find['taxon']} ({find['departement']})"
    return find["taxon"]


def no_detail(facts: dict) -> str:
    return ""


def outreach_line(index: int, field: str) -> Callable[[dict], Any]:
    """An outreach figure of one action line of the report (0, 1, 2 for lines 1 to 3)."""
    return lambda facts: facts["outreach"]["lines"][index][field]


def outreach_kinds(index: int) -> Callable[[dict], str]:
    return lambda facts: kinds(facts["outreach"]["lines"][index]["by_kind"])


def finds_count(kind: str) -> Callable[[dict], int]:
    return lambda facts: len(facts["finds"][kind])


def finds_names(kind: str) -> Callable[[dict], str]:
    return lambda facts: names(finds_detail(f) for f in facts["finds"][kind])


# --- the declarations ----------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    definition: str
    value: Callable[[dict], Any]
    page: Callable[[int], str] = no_page
    detail: Callable[[dict], str] = no_detail


@dataclass(frozen=True)
class Section:
    action: int
    title: str
    figures: tuple[Figure, ...]


# What the report's data figures count (records entered, fauna, flora, species and the
# atlas contributions table): indicateurs.selectors.report_occurrences.
RECORDS_COUNTED = (
    "Données de présence (non les absences) dont la date de début tombe dans l'année, "
    "validées ou non, des jeux de données de la structure (pour le réseau : de toutes) : "
    "saisies, imports, évaluation des terrils, zones humides, campagnes participatives. "
    "Les captures du baguage (tableau du baguage) et les comptages sur sites (gîtes "
    "d'hibernation, barrière-piège) n'en sont pas ; les données reçues des partenaires "
    "non plus (échanges)."
)
ATLAS_DEFINITION = (
    "Données saisies de l'année par groupe d'atlas régional, et espèces distinctes de "
    "chaque groupe. " + RECORDS_COUNTED
)

# The three outreach figures each action line of the report counts.
ACTIONS_COUNTED = (
    "Actions de la ligne {line} du bilan commencées dans l'année, tous types confondus "
    "(par type dans le détail)."
)
TRAINED = (
    "Participants des formations de la ligne {line} du bilan (le plus grand du nombre "
    "déclaré et des participants nommés)."
)
AWARE = (
    "Participants des sorties, conférences, stands, rencontres d'acteurs économiques et "
    "chantiers de la ligne {line} du bilan (le plus grand du nombre déclaré et des "
    "participants nommés)."
)

ACTION_1 = Section(
    1,
    "Action 1 — Connaissance naturaliste de la biodiversité ordinaire",
    (
        Figure(
            "programmes",
            "Programmes de suivi et études",
            "Programmes de l'action 1 du bilan (l'action est indiquée sur chaque "
            "programme) ayant des données de présence dans l'année, celui de la donnée "
            "ou de son jeu de données. Ne sont pas comptés ici les programmes des "
            "actions 2 (zones humides) et 3 (participatif), ni l'inventaire général "
            "(données hors protocole, programme sans action).",
            value=lambda facts: len(facts["programmes"]),
            page=records_page,
            detail=lambda facts: names(p["code"] for p in facts["programmes"]),
        ),
        Figure(
            "partners",
            "Partenaires",
            "Structures associées à l'année, hors la sienne : coordinateurs et "
            "partenaires des programmes menés (des trois actions), destinataires des "
            "extractions, partenaires des actions de sensibilisation, bénéficiaires des "
            "opérations en zones humides. Une structure avec laquelle on a seulement "
            "échangé des données hors de l'application n'est pas comptée (les échanges "
            "ont leur propre chiffre).",
            value=lambda facts: facts["partners"]["count"],
            detail=lambda facts: kinds(facts["partners"]["by_kind"]),
        ),
        Figure(
            "records",
            "Données saisies",
            RECORDS_COUNTED,
            value=lambda facts: facts["atlas"]["total"]["records"],
            page=records_page,
        ),
        Figure(
            "records_fauna",
            "Données faune",
            "Parmi les données saisies, celles des groupes d'atlas de la faune et des "
            "autres taxons animaux.",
            value=lambda facts: facts["atlas"]["kingdoms"][FAUNA]["records"],
            page=records_page,
            detail=lambda facts: (
                f"{facts['atlas']['kingdoms'][FAUNA]['species']} espèces"
            ),
        ),
        Figure(
            "records_flora",
            "Données flore",
            "Parmi les données saisies, celles des groupes d'atlas de la flore et des "
            "autres taxons végétaux.",
            value=lambda facts: facts["atlas"]["kingdoms"][FLORA]["records"],
            page=records_page,
            detail=lambda facts: (
                f"{facts['atlas']['kingdoms'][FLORA]['species']} espèces"
            ),
        ),
        Figure(
            "species",
            "Espèces",
            "Espèces distinctes des données saisies (contributions aux atlas) : un "
            "synonyme compte pour son nom valide, une sous-espèce pour son espèce, une "
            "donnée au genre ou au-dessus pour aucune.",
            value=lambda facts: facts["atlas"]["total"]["species"],
            page=atlas_page,
        ),
        Figure(
            "exchanges",
            "Échanges de données",
            "Extractions remises à leur destinataire dans l'année (prêtes ou "
            "expirées) et échanges faits hors de l'application, saisis à la main "
            "(données transmises ou reçues), datés de l'année.",
            value=lambda facts: facts["exchanges"]["count"],
            page=extracts_page,
            detail=lambda facts: kinds(
                {r["name"]: r["rows"] for r in facts["exchanges"]["recipients"]}
            ),
        ),
        Figure(
            "exchanged_rows",
            "Données échangées",
            "Lignes des extractions remises dans l'année et données (faune et flore) "
            "des échanges saisis à la main.",
            value=lambda facts: facts["exchanges"]["rows"],
            page=extracts_page,
        ),
        Figure(
            "a1_actions",
            "Actions d'information et de sensibilisation",
            ACTIONS_COUNTED.format(line=1),
            value=outreach_line(0, "actions"),
            page=outreach_page,
            detail=outreach_kinds(0),
        ),
        Figure(
            "a1_popularisation",
            "Actions de vulgarisation",
            "Publications de la ligne 1 du bilan parues dans l'année : articles et "
            "reportages, supports imprimés, rapports, campagnes sur les réseaux sociaux.",
            value=outreach_line(0, "publications"),
            page=outreach_page,
        ),
        Figure(
            "a1_awareness",
            "Actions de sensibilisation",
            "Sorties, conférences et webinaires, stands et rencontres d'acteurs "
            "économiques de la ligne 1 du bilan commencés dans l'année.",
            value=outreach_line(0, "awareness_actions"),
            page=outreach_page,
        ),
        Figure(
            "a1_training_days",
            "Journées de formation",
            "Journées (séances) des formations de la ligne 1 du bilan tenues dans "
            "l'année.",
            value=outreach_line(0, "training_days"),
            page=outreach_page,
        ),
        Figure(
            "a1_trained",
            "Personnes formées",
            TRAINED.format(line=1),
            value=outreach_line(0, "trained"),
            page=outreach_page,
        ),
        Figure(
            "a1_aware",
            "Personnes sensibilisées",
            AWARE.format(line=1),
            value=outreach_line(0, "aware"),
            page=outreach_page,
        ),
        Figure(
            "ringing_rings",
            "Oiseaux bagués",
            "Captures de l'année avec pose d'une bague.",
            value=lambda facts: facts["ringing"]["rings"],
            page=ringing_page,
        ),
        Figure(
            "ringing_controls",
            "Contrôles",
            "Captures de l'année d'oiseaux déjà bagués (contrôles et reprises).",
            value=lambda facts: facts["ringing"]["controls"],
            page=ringing_page,
        ),
        Figure(
            "ringing_foreign",
            "Contrôles de bagues étrangères",
            "Contrôles d'oiseaux portant la bague d'un centre de baguage étranger (par "
            "pays dans le détail).",
            value=lambda facts: facts["ringing"]["foreign"],
            page=ringing_page,
            detail=lambda facts: kinds(facts["ringing"]["countries"]),
        ),
        Figure(
            "ringing_species",
            "Espèces baguées",
            "Espèces distinctes baguées ou contrôlées dans l'année.",
            value=lambda facts: facts["ringing"]["species"],
            page=ringing_page,
        ),
        Figure(
            "bats_sites",
            "Chiroptères en hibernation : gîtes comptés",
            "Gîtes des programmes de comptage hivernal de chiroptères de la structure "
            "comptés pendant l'hiver qui se termine dans l'année (saison de l'année).",
            value=lambda facts: facts["site_counts"][HIBERNACULA]["sites"],
            page=counts_page,
        ),
        Figure(
            "bats_individuals",
            "Chiroptères en hibernation : individus comptés",
            "Somme des effectifs comptés dans ces gîtes pendant la saison, toutes "
            "espèces confondues (par espèce ou groupe dans le détail).",
            value=lambda facts: facts["site_counts"][HIBERNACULA]["individuals"],
            page=counts_page,
            detail=lambda facts: kinds(
                facts["site_counts"][HIBERNACULA]["per_species"]
            ),
        ),
        Figure(
            "bats_species",
            "Chiroptères en hibernation : espèces ou groupes",
            "Espèces ou groupes d'espèces (ex. oreillard indéterminé) comptés au moins "
            "une fois pendant la saison.",
            value=lambda facts: facts["site_counts"][HIBERNACULA]["species"],
            page=counts_page,
        ),
        Figure(
            "waterbirds_records",
            "Comptage Wetlands International : données",
            "Effectifs non nuls du dénombrement des oiseaux d'eau de mi-janvier de "
            "l'année (une donnée par site et espèce).",
            value=lambda facts: facts["site_counts"][WATERBIRDS]["records"],
            page=counts_page,
            detail=lambda facts: (
                f"{facts['site_counts'][WATERBIRDS]['species']} espèces, "
                f"{facts['site_counts'][WATERBIRDS]['sites']} sites"
            ),
        ),
        Figure(
            "waterbirds_species",
            "Comptage Wetlands International : espèces",
            "Espèces comptées au moins une fois lors du dénombrement de mi-janvier.",
            value=lambda facts: facts["site_counts"][WATERBIRDS]["species"],
            page=counts_page,
        ),
        Figure(
            "waterbirds_sites",
            "Comptage Wetlands International : sites",
            "Sites comptés lors du dénombrement de mi-janvier de l'année.",
            value=lambda facts: facts["site_counts"][WATERBIRDS]["sites"],
            page=counts_page,
        ),
        Figure(
            "pollinators_flora",
            "Inventaire des pollinisateurs : données flore",
            "Données de flore de l'année des programmes d'inventaire des pollinisateurs "
            "(ceux qui suivent les abeilles ou les syrphes, et seulement des "
            "pollinisateurs et la flore : bandes fleuries…), comptées comme les "
            "contributions aux atlas. " + RECORDS_COUNTED,
            value=lambda facts: facts["pollinators"]["flora"],
            page=atlas_page,
            detail=lambda facts: f"{facts['pollinators']['sites']} sites",
        ),
        Figure(
            "pollinators_fauna",
            "Inventaire des pollinisateurs : données faune",
            "Données de faune de l'année des mêmes programmes d'inventaire des "
            "pollinisateurs, comptées comme les contributions aux atlas.",
            value=lambda facts: facts["pollinators"]["fauna"],
            page=atlas_page,
        ),
        Figure(
            "pollinators_sites",
            "Inventaire des pollinisateurs : sites",
            "Sites distincts des données de l'année de ces programmes (un site peut "
            "regrouper plusieurs bandes fleuries).",
            value=lambda facts: facts["pollinators"]["sites"],
            page=atlas_page,
        ),
        Figure(
            "terrils_evaluated",
            "Terrils évalués",
            "Terrils notés lors d'une campagne d'évaluation de l'année, selon la "
            "version en vigueur de la méthode.",
            value=lambda facts: facts["terrils"]["evaluated"],
            page=terrils_page,
            detail=lambda facts: names(s["number"] for s in facts["terrils"]["scores"]),
        ),
        Figure(
            "finds_firsts",
            "Premières mentions départementales",
            "Taxons dont la première donnée valide d'un département, toutes sources et "
            "années confondues, date de l'année (un taxon nouveau pour plusieurs "
            "départements et le territoire compte une fois) ; jamais une espèce commune "
            "(rareté régionale C ou CC, ou nombreuses données valides dans l'instance "
            "ces dix dernières années : INDICATEURS_COMMON_RECORDS, 20 par défaut).",
            value=finds_count("first_departement"),
            page=finds_page,
            detail=finds_names("first_departement"),
        ),
        Figure(
            "finds_territory",
            "Premières mentions sur le territoire de la structure",
            "Taxons dont la première donnée valide sur les communes du territoire de la "
            "structure date de l'année, sans être nouveaux pour leur département ; "
            "jamais une espèce commune.",
            value=finds_count("first_territory"),
            page=finds_page,
            detail=finds_names("first_territory"),
        ),
        Figure(
            "finds_returns",
            "Retours après plus de {finds[gap_years]} ans d'absence",
            "Taxons revus dans un département où leur dernière donnée valide date de "
            "plus longtemps que le délai réglé (INDICATEURS_GAP_YEARS).",
            value=finds_count("returns"),
            page=finds_page,
            detail=finds_names("returns"),
        ),
        Figure(
            "finds_rare",
            "Espèces rares (E à R) ou menacées (CR, EN, VU)",
            "Taxons de rareté régionale E, RR ou R, ou de liste rouge CR, EN ou VU, "
            "avec des données valides dans l'année.",
            value=finds_count("rare_or_threatened"),
            page=finds_page,
            detail=finds_names("rare_or_threatened"),
        ),
    ),
)

ACTION_2 = Section(
    2,
    "Action 2 — Zones humides du bassin minier",
    (
        Figure(
            "wetland_sites_studied",
            "Zones humides étudiées ou suivies",
            "Sites humides avec au moins une donnée de présence dans l'année.",
            value=lambda facts: facts["wetlands"]["sites_studied"],
            page=wetlands_page,
        ),
        Figure(
            "wetland_programmes",
            "Programmes sur les zones humides",
            "Programmes distincts des données de présence de l'année sur les sites "
            "humides.",
            value=lambda facts: facts["wetlands"]["programmes"],
            page=wetlands_page,
        ),
        Figure(
            "pop_aires",
            "POP Amphibien : aires suivies",
            "Aires du POP Amphibien dont au moins un site a été visité dans l'année.",
            value=lambda facts: facts["pop"]["aires"],
            page=pop_page,
        ),
        Figure(
            "pop_sites_visited",
            "POP : sites de reproduction visités",
            "Sites de reproduction du POP visités au moins une fois dans l'année.",
            value=lambda facts: facts["pop"]["sites_visited"],
            page=pop_page,
        ),
        Figure(
            "pop_sites_occupied",
            "POP : sites occupés",
            "Sites de reproduction du POP où au moins un amphibien a été trouvé.",
            value=lambda facts: facts["pop"]["sites_occupied"],
            page=pop_page,
        ),
        Figure(
            "pop_records",
            "POP : données",
            "Données des passages POP de l'année.",
            value=lambda facts: facts["pop"]["records"],
            page=pop_page,
        ),
        Figure(
            "pop_positive",
            "POP : données positives",
            "Données des passages POP de l'année signalant une présence.",
            value=lambda facts: facts["pop"]["positive"],
            page=pop_page,
        ),
        Figure(
            "pop_species",
            "POP : espèces",
            "Espèces d'amphibiens trouvées lors des passages POP de l'année.",
            value=lambda facts: facts["pop"]["species"],
            page=pop_page,
        ),
        Figure(
            "operations",
            "Opérations de gestion et de restauration",
            "Opérations de gestion commencées dans l'année sur les sites humides (par "
            "type dans le détail).",
            value=lambda facts: facts["wetlands"]["operations"],
            page=wetlands_page,
            detail=lambda facts: kinds(facts["wetlands"]["operations_by_kind"]),
        ),
        Figure(
            "operation_sites",
            "Sites d'opérations",
            "Sites humides distincts des opérations de gestion de l'année.",
            value=lambda facts: facts["wetlands"]["operation_sites"],
            page=wetlands_page,
        ),
        Figure(
            "a2_actions",
            "Actions d'information et de sensibilisation",
            ACTIONS_COUNTED.format(line=2),
            value=outreach_line(1, "actions"),
            page=outreach_page,
            detail=outreach_kinds(1),
        ),
        Figure(
            "a2_trained",
            "Personnes formées",
            TRAINED.format(line=2),
            value=outreach_line(1, "trained"),
            page=outreach_page,
        ),
        Figure(
            "a2_aware",
            "Personnes sensibilisées",
            AWARE.format(line=2),
            value=outreach_line(1, "aware"),
            page=outreach_page,
        ),
        Figure(
            "a2_trained_or_aware",
            "Personnes formées ou sensibilisées",
            "Somme des personnes formées et sensibilisées de la ligne 2 du bilan.",
            value=outreach_line(1, "trained_or_aware"),
            page=outreach_page,
        ),
        Figure(
            "economic_actions",
            "Actions avec les acteurs économiques",
            "Actions de la ligne 2 du bilan commencées dans l'année avec les acteurs "
            "économiques : événements de type « acteurs économiques » (rencontres sur "
            "des sites industriels…) et toute action pour le public « Entreprises » "
            "(lettre d'information, conférence, rapport) ; par type dans le détail.",
            value=lambda facts: facts["outreach"]["economic_actions"],
            page=outreach_page,
            detail=lambda facts: kinds(facts["outreach"]["economic_actions_by_kind"]),
        ),
        Figure(
            "operations_for_companies",
            "Opérations pour des entreprises",
            "Opérations de gestion de l'année dont le bénéficiaire est une entreprise.",
            value=lambda facts: facts["wetlands"]["operations_for_companies"],
            page=wetlands_page,
        ),
    ),
)

ACTION_3 = Section(
    3,
    "Action 3 — Biodiversité participative avec le public",
    (
        Figure(
            "a3_actions",
            "Actions d'information et de sensibilisation",
            ACTIONS_COUNTED.format(line=3),
            value=outreach_line(2, "actions"),
            page=outreach_page,
            detail=outreach_kinds(2),
        ),
        Figure(
            "a3_trained",
            "Personnes formées",
            TRAINED.format(line=3),
            value=outreach_line(2, "trained"),
            page=outreach_page,
        ),
        Figure(
            "a3_aware",
            "Personnes sensibilisées",
            AWARE.format(line=3),
            value=outreach_line(2, "aware"),
            page=outreach_page,
        ),
        Figure(
            "a3_publications",
            "Publications et supports",
            "Publications et supports de la ligne 3 du bilan parus dans l'année.",
            value=outreach_line(2, "publications"),
            page=outreach_page,
        ),
        Figure(
            "a3_volunteer_days",
            "Journées de bénévolat",
            "Heures de bénévolat des chantiers de la ligne 3 du bilan, en journées.",
            value=outreach_line(2, "volunteer_days"),
            page=outreach_page,
        ),
    ),
)

SECTIONS = (ACTION_1, ACTION_2, ACTION_3)


# --- the tables ----------------------------------------------------------------------------


def _difference(value, previous):
    if isinstance(value, int | float) and isinstance(previous, int | float):
        return number(Decimal(str(value)) - Decimal(str(previous)))
    return None


def figure_line(figure: Figure, year: int, now: dict, before: dict) -> dict:
    """One figure of ``year`` (facts ``now``) beside the year before (facts ``before``)."""
    value, previous = number(figure.value(now)), number(figure.value(before))
    return {
        "key": figure.key,
        "label": figure.label.format(**now),
        "definition": figure.definition,
        "value": value,
        "previous": previous,
        "difference": _difference(value, previous),
        "url": figure.page(year),
        "detail": figure.detail(now),
    }


def figure_tables(year: int, now: dict, before: dict) -> list[dict]:
    """The indicator tables of the report: one per action, each figure of the year beside
    the year before."""
    return [
        {
            "action": section.action,
            "title": section.title,
            "figures": [figure_line(f, year, now, before) for f in section.figures],
        }
        for section in SECTIONS
    ]
