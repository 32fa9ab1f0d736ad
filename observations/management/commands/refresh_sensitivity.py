import time

from django.core.management.base import BaseCommand

from observations.services import occurrences_refresh_sensitivity


class Command(BaseCommand):
    help = (
        "Recalcule la sensibilité et le niveau de diffusion de toutes les observations "
        "d'après les statuts régionaux et les règles de sensibilité (après une "
        "modification des règles ou une mise à jour de TAXREF), puis affiche le nombre "
        "de niveaux modifiés."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        changes = occurrences_refresh_sensitivity()
        seconds = time.perf_counter() - started
        total = sum(changes.values())
        self.stdout.write(
            f"{total} niveau(x) de sensibilité modifié(s) en {seconds:.1f} s."
        )
        by_new: dict[int, int] = {}
        for (old, new), count in changes.items():
            by_new[new] = by_new.get(new, 0) + count
            self.stdout.write(f"  {old} → {new} : {count}")
        for level in sorted(by_new):
            self.stdout.write(
                f"Niveau {level} : {by_new[level]} observation(s) passée(s)"
            )
