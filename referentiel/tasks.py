"""Background work on the referential."""

from celery import shared_task

from referentiel.services.taxa import taxa_refresh_atlas_groups


@shared_task(acks_late=True)
def refresh_atlas_groups() -> int:
    """Reclassify every taxon after the atlas-group rules changed (minutes on a full TAXREF)."""
    return taxa_refresh_atlas_groups()
