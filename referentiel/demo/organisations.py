"""Demo organisations (the CPIE, the network and the partners of the 2020 activity report)
and demo people.

Organisations are real (named in the report); the people are fictitious.
"""

from dataclasses import dataclass

from referentiel.models import Organisation, Person

from .upsert import upsert

Kind = Organisation.Kind

CPIE_CDT = "CPIE Chaîne des Terrils"
CPIE_AUTHIE = "CPIE Val d'Authie"
URCPIE = "Union régionale des CPIE des Hauts-de-France"
EDEN62 = "Eden 62"


@dataclass(frozen=True)
class OrganisationSpec:
    name: str
    short_name: str
    kind: str
    is_network_member: bool = False


ORGANISATIONS = (
    # The CPIE network.
    OrganisationSpec(CPIE_CDT, "CPIE CdT", Kind.CPIE, True),
    OrganisationSpec(CPIE_AUTHIE, "CPIE Val d'Authie", Kind.CPIE, True),
    OrganisationSpec(URCPIE, "URCPIE HdF", Kind.CPIE, True),
    # Managers of natural areas.
    OrganisationSpec(EDEN62, "Eden 62", Kind.GESTIONNAIRE),
    OrganisationSpec(
        "Conservatoire d'espaces naturels des Hauts-de-France",
        "CEN HdF",
        Kind.GESTIONNAIRE,
    ),
    OrganisationSpec(
        "Parc naturel régional Scarpe-Escaut", "PNR Scarpe-Escaut", Kind.GESTIONNAIRE
    ),
    # State and public bodies, research.
    OrganisationSpec("Office national des forêts", "ONF", Kind.ETAT),
    OrganisationSpec("Office français de la biodiversité", "OFB", Kind.ETAT),
    OrganisationSpec(
        "Conservatoire botanique national de Bailleul", "CBN Bailleul", Kind.ETAT
    ),
    OrganisationSpec(
        "Établissement public foncier des Hauts-de-France", "EPF HdF", Kind.ETAT
    ),
    OrganisationSpec(
        "Observatoire régional de la biodiversité des Hauts-de-France",
        "ORB HdF",
        Kind.ETAT,
    ),
    OrganisationSpec(
        "Centre de recherches sur la biologie des populations d'oiseaux",
        "CRBPO",
        Kind.RECHERCHE,
    ),
    OrganisationSpec("Muséum national d'Histoire naturelle", "MNHN", Kind.RECHERCHE),
    # The report's "Czech university" (it does not name it): a partner of the geolocator
    # study of the Spotted flycatcher.
    OrganisationSpec("Université de Bohême du Sud", "", Kind.RECHERCHE),
    # Naturalist associations.
    OrganisationSpec(
        "Groupe ornithologique et naturaliste du Nord – Pas-de-Calais",
        "GON",
        Kind.ASSOCIATION,
    ),
    OrganisationSpec(
        "Coordination mammalogique du Nord de la France", "CMNF", Kind.ASSOCIATION
    ),
    OrganisationSpec("Société herpétologique de France", "SHF", Kind.ASSOCIATION),
    OrganisationSpec("Wetlands International", "", Kind.ASSOCIATION),
    # The cross-border pollinator plan the CPIE sends its bee and hoverfly data to.
    OrganisationSpec(
        "Plan transfrontalier Sauvons nos pollinisateurs", "SAPOLL", Kind.AUTRE
    ),
    OrganisationSpec("CapOrnis", "", Kind.ASSOCIATION),
    OrganisationSpec("Campagne vivante", "", Kind.ASSOCIATION),
    OrganisationSpec("Lestrem Nature", "", Kind.ASSOCIATION),
    OrganisationSpec("ADOPTA", "", Kind.ASSOCIATION),
    OrganisationSpec("Mission Bassin Minier Nord – Pas-de-Calais", "MBM", Kind.AUTRE),
    # Hunters, farmers, companies.
    OrganisationSpec(
        "Fédération départementale des chasseurs du Pas-de-Calais",
        "FDC 62",
        Kind.CHASSEURS,
    ),
    OrganisationSpec(
        "Chambre d'agriculture du Nord – Pas-de-Calais",
        "Chambre d'agriculture",
        Kind.AGRICULTURE,
    ),
    OrganisationSpec("SUEZ", "", Kind.ENTREPRISE),
    OrganisationSpec("Delta 3", "", Kind.ENTREPRISE),
    # Local authorities.
    OrganisationSpec(
        "Syndicat intercommunal de la zone industrielle Artois-Flandres",
        "SIZIAF",
        Kind.INTERCOMMUNALITE,
    ),
    OrganisationSpec(
        "Communauté d'agglomération de Lens-Liévin", "CALL", Kind.INTERCOMMUNALITE
    ),
    OrganisationSpec(
        "Communauté d'agglomération d'Hénin-Carvin", "CAHC", Kind.INTERCOMMUNALITE
    ),
    # A union of the Nord's intercommunal bodies for hydraulic works (flood expansion
    # zones): the report's USAN, one of its 4 intercommunalities with SIZIAF, CALL, CAHC.
    OrganisationSpec(
        "Union syndicale d'aménagement hydraulique du Nord",
        "USAN",
        Kind.INTERCOMMUNALITE,
    ),
    OrganisationSpec("Commune de Loos-en-Gohelle", "", Kind.COLLECTIVITE),
    OrganisationSpec("Commune d'Avion", "", Kind.COLLECTIVITE),
    OrganisationSpec("Commune de Vimy", "", Kind.COLLECTIVITE),
    OrganisationSpec("Commune d'Ostricourt", "", Kind.COLLECTIVITE),
    # The other communes of the report's 11: owners of the sites the CPIE works on.
    OrganisationSpec("Commune de Wingles", "", Kind.COLLECTIVITE),
    OrganisationSpec("Commune de Dourges", "", Kind.COLLECTIVITE),
    OrganisationSpec("Commune de Courrières", "", Kind.COLLECTIVITE),
    OrganisationSpec("Commune de Harnes", "", Kind.COLLECTIVITE),
    OrganisationSpec("Commune d'Oignies", "", Kind.COLLECTIVITE),
    OrganisationSpec("Commune de Leforest", "", Kind.COLLECTIVITE),
    OrganisationSpec("Commune d'Évin-Malmaison", "", Kind.COLLECTIVITE),
)


@dataclass(frozen=True)
class PersonSpec:
    first_name: str
    last_name: str
    organisation: str
    note: str  # why this person is in the demo (not stored)


PEOPLE = (
    # CPIE Chaîne des Terrils staff; the first three have a demo account.
    PersonSpec("Claire", "Dumont", CPIE_CDT, "chargée d'études, compte saisie"),
    PersonSpec("Antoine", "Lemaire", CPIE_CDT, "naturaliste, compte validateur"),
    PersonSpec(
        "Nathalie", "Carpentier", CPIE_CDT, "coordinatrice, compte coordinateur"
    ),
    PersonSpec("Mathieu", "Roussel", CPIE_CDT, "administrateur de l'application"),
    # The three CRBPO-licensed ringers.
    PersonSpec("Benoît", "Delattre", CPIE_CDT, "bagueur CRBPO"),
    PersonSpec("Sandrine", "Vasseur", CPIE_CDT, "bagueuse CRBPO"),
    PersonSpec("Hugo", "Lambert", CPIE_CDT, "bagueur CRBPO"),
    # Volunteers.
    PersonSpec("Marie", "Fontaine", CPIE_CDT, "bénévole, barrière-piège de Vimy"),
    PersonSpec("Jacques", "Dewitte", CPIE_CDT, "bénévole, aide-bagueur"),
    PersonSpec("Léa", "Caron", CPIE_CDT, "bénévole, POP Amphibien"),
    PersonSpec("Thomas", "Bernard", CPIE_CDT, "bénévole, comptages Wetlands"),
    PersonSpec("Émilie", "Wallet", CPIE_CDT, "bénévole, chantiers nature"),
    # Elsewhere in the network and among partners.
    PersonSpec("Pierre", "Vandamme", URCPIE, "coordinateur régional"),
    PersonSpec("Hélène", "Morel", CPIE_AUTHIE, "chargée d'études"),
    PersonSpec("Julie", "Lefort", EDEN62, "garde-technicienne, compte partenaire"),
)


def person_email(spec: PersonSpec) -> str:
    local = f"{spec.first_name}.{spec.last_name}".lower().replace(" ", "-")
    return f"{local}@demo.example.org"


def organisations_upsert() -> dict[str, Organisation]:
    """Create or update the demo organisations; returns them by name."""
    organisations = {}
    for spec in ORGANISATIONS:
        organisations[spec.name], _ = upsert(
            Organisation,
            lookup={"name": spec.name},
            values={
                "short_name": spec.short_name,
                "kind": spec.kind,
                "is_network_member": spec.is_network_member,
            },
        )
    return organisations


def people_upsert(*, organisations: dict[str, Organisation]) -> dict[str, Person]:
    """Create or update the demo people (keyed by e-mail); returns them by full name."""
    people = {}
    for spec in PEOPLE:
        person, _ = upsert(
            Person,
            lookup={"email": person_email(spec)},
            values={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "organisation": organisations[spec.organisation],
            },
        )
        people[f"{spec.first_name} {spec.last_name}"] = person
    return people
