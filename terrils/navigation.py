"""The terrils' section of the site menu (``cpie_naturaliste.core.navigation``)."""

from cpie_naturaliste.core.navigation import Section, Task
from referentiel.permissions import signed_in
from terrils.permissions import can_import_state_zero

SECTION = Section(
    "Terrils",
    "terrils:index",
    tasks=(
        Task("Classement", "terrils:ranking", signed_in),
        Task("État zéro", "terrils:state_zero_import", can_import_state_zero),
    ),
)
