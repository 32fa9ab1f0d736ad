"""Who may write what from the terril pages, in the vocabulary of
``referentiel.permissions`` (one write rule for every app): a record or a habitat is
entered into the campaign's dataset, so only by a writing role of the organisation that
produces it (the network: all); an existing habitat has no author, so only its
organisation's coordinators change it; the state zero is replaced by coordinators, and only
where it belongs to their organisation's datasets.

Reads are the business of ``terrils.selectors`` (observations.policy)."""

from referentiel.permissions import (
    can_coordinate,
    may_write,
    may_write_in,
    writable,
)
from terrils.models import Campaign, HabitatObservation

__all__ = [
    "campaign_can_enter",
    "can_import_state_zero",
    "habitat_can_change",
    "state_zero_writable",
]


def campaign_can_enter(user, campaign: Campaign) -> bool:
    """Whether ``user`` may enter records and habitats from ``campaign``'s page: they are
    published in its dataset, which must be one their organisation produces."""
    return not campaign.is_state_zero and may_write_in(user, campaign.dataset_id)


def habitat_can_change(user, habitat: HabitatObservation) -> bool:
    """An observed habitat has no author: coordinators of the campaign's organisation."""
    return may_write(user, habitat, dataset="campaign__dataset", created_by=None)


def can_import_state_zero(user) -> bool:
    return can_coordinate(user)


def state_zero_writable(user):
    """State-zero campaigns ``user`` may replace: those in their organisation's datasets
    (a state zero without a dataset belongs to no organisation: the network only)."""
    return writable(
        Campaign.objects.filter(kind=Campaign.Kind.STATE_ZERO),
        user,
        dataset="dataset",
        created_by=None,
    )
