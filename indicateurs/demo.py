"""The indicators own no demo data: once every app's demo is loaded (indicateurs comes last
in INSTALLED_APPS), rebuild the presence history the remarkable finds are read against."""

from indicateurs.summary import presence_summary_refresh


def load_demo(*, log) -> None:
    refresh = presence_summary_refresh()
    log(
        f"Indicateurs : historique des présences recalculé ({refresh.rows} lignes, "
        f"{refresh.seconds:.1f} s)"
    )
