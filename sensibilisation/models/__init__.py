"""Outreach (actions, trainings, work days), volunteers and citizen-science campaigns."""

from .actions import (
    Action,
    ActionDocument,
    ActionLine,
    ActionParticipant,
    Audience,
    TrainingSession,
)
from .campaigns import Campaign, CampaignSpecies, Report
from .volunteers import Volunteer

__all__ = [
    "Action",
    "ActionDocument",
    "ActionLine",
    "ActionParticipant",
    "Audience",
    "Campaign",
    "CampaignSpecies",
    "Report",
    "TrainingSession",
    "Volunteer",
]
