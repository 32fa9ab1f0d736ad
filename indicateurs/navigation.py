"""The indicators' section of the site menu (``cpie_naturaliste.core.navigation``): the
dashboard and the report to the Region are the coordinators' (``user_reads_indicators``)."""

from cpie_naturaliste.core.navigation import Section
from referentiel.permissions import can_coordinate

SECTION = Section("Indicateurs", "indicateurs:index", allowed=can_coordinate)
