"""Tables of the wetlands app: wetland profiles of referential sites, management works,
water levels, POP Amphibien (aire → site → passage → observation) and drift fences."""

from .fences import Bucket, DriftFence, FenceCheck, FenceCount
from .newts import NewtCapture, NewtIndividual
from .pop import PassageObservation, PopAire, PopPassage, PopSite
from .wetlands import (
    ManagementOperation,
    OperationPhoto,
    SitePhoto,
    WaterLevelReading,
    WetlandProfile,
)

__all__ = [
    "Bucket",
    "DriftFence",
    "FenceCheck",
    "FenceCount",
    "ManagementOperation",
    "NewtCapture",
    "NewtIndividual",
    "OperationPhoto",
    "PassageObservation",
    "PopAire",
    "PopPassage",
    "PopSite",
    "SitePhoto",
    "WaterLevelReading",
    "WetlandProfile",
]
