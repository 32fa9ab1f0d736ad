"""The wetlands' section of the site menu (``cpie_naturaliste.core.navigation``)."""

from cpie_naturaliste.core.navigation import Section, Task
from referentiel.permissions import signed_in

SECTION = Section(
    "Zones humides",
    "zones_humides:index",
    tasks=(Task("POP Amphibien", "zones_humides:pop_index", signed_in),),
)
