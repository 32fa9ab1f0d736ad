"""The outreach section of the site menu (``cpie_naturaliste.core.navigation``): the
campaigns are public; actions, volunteers and reports for the roles that keep them."""

from cpie_naturaliste.core.navigation import Section, Task
from referentiel.permissions import can_coordinate, can_read_network, can_validate

SECTION = Section(
    "Sensibilisation",
    "sensibilisation:index",
    tasks=(
        Task("Actions", "sensibilisation:action_list", can_read_network),
        Task("Bénévoles", "sensibilisation:volunteer_list", can_coordinate),
        Task("Signalements", "sensibilisation:report_list", can_validate),
    ),
)
