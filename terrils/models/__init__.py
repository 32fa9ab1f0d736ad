from .campaigns import (
    Campaign,
    CampaignRecord,
    GroupScore,
    HabitatObservation,
    Score,
    ScoreLine,
    StateZeroTaxon,
    Visit,
)
from .method import (
    GroupCode,
    MethodGroup,
    MethodVersion,
    PatrimonialHabitat,
    PatrimonialSpecies,
)
from .registry import Protection, Terril

__all__ = [
    "Campaign",
    "CampaignRecord",
    "GroupCode",
    "GroupScore",
    "HabitatObservation",
    "MethodGroup",
    "MethodVersion",
    "PatrimonialHabitat",
    "PatrimonialSpecies",
    "Protection",
    "Score",
    "ScoreLine",
    "StateZeroTaxon",
    "Terril",
    "Visit",
]
