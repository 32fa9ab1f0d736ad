"""The ringing section of the site menu (``cpie_naturaliste.core.navigation``)."""

from cpie_naturaliste.core.navigation import Section, Task
from referentiel.permissions import can_enter, is_network_staff, signed_in

SECTION = Section(
    "Baguage",
    "baguage:session_list",
    tasks=(
        Task("Nouvelle session", "baguage:session_create", can_enter),
        Task("Stock de bagues", "baguage:ring_stock", signed_in),
        Task("Bagueurs", "baguage:ringer_list", is_network_staff),
    ),
)
