"""The indicators' section of the site menu (``cpie_naturaliste.core.navigation``)."""

from cpie_naturaliste.core.navigation import Section

SECTION = Section("Indicateurs", "indicateurs:index")
