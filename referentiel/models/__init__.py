from .accounts import Organisation, Person, Role, Scope, User
from .nomenclatures import Nomenclature, NomenclatureType
from .programmes import Dataset, Programme, ReportLine
from .sensitivity import SensitivityLevel, SensitivityRule
from .taxa import AtlasGroup, AtlasGroupRule, Rarity, RedList, Taxon, TaxonStatus
from .territories import Commune, Departement, Site

__all__ = [
    "AtlasGroup",
    "AtlasGroupRule",
    "Commune",
    "Dataset",
    "Departement",
    "Nomenclature",
    "NomenclatureType",
    "Organisation",
    "Person",
    "Programme",
    "ReportLine",
    "Rarity",
    "RedList",
    "Role",
    "Scope",
    "SensitivityLevel",
    "SensitivityRule",
    "Site",
    "Taxon",
    "TaxonStatus",
    "User",
]
