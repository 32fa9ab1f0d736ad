"""The observations' section of the site menu (``cpie_naturaliste.core.navigation``): the
records, and their task pages for the roles the pages let in."""

from cpie_naturaliste.core.navigation import Section, Task
from referentiel.permissions import (
    can_coordinate,
    can_enter,
    can_extract,
    can_validate,
    signed_in,
)

SECTION = Section(
    "Observations",
    "observations:occurrence_list",
    tasks=(
        Task("Saisir", "observations:occurrence_create", can_enter),
        Task("Mes saisies", "observations:my_records", can_enter),
        Task("Importer", "observations:import", can_enter),
        Task("Validation", "observations:validation_queue", can_validate),
        Task("Atlas", "observations:atlas", signed_in),
        Task("Comptages", "observations:count_programmes", signed_in),
        Task("Extractions", "observations:extract_list", can_extract),
        Task("Exports SINP", "observations:sinp_exports", can_coordinate),
    ),
    tasks_always_shown=True,
)
