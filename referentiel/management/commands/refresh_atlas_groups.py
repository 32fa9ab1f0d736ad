from django.core.management.base import BaseCommand

from referentiel.services.taxa import taxa_refresh_atlas_groups


class Command(BaseCommand):
    help = (
        "Recalcule le groupe d'atlas de chaque taxon d'après les règles (à lancer après "
        "avoir modifié les règles)."
    )

    def handle(self, *args, **options):
        count = taxa_refresh_atlas_groups()
        self.stdout.write(
            self.style.SUCCESS(
                f"Groupe d'atlas recalculé : {count} taxon(s) modifié(s)."
            )
        )
