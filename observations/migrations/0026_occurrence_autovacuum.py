"""Autovacuum of the occurrence table after 2 % of its rows change, not PostgreSQL's 20 %.

At 10,000,000 rows a sensitivity refresh after a rule change rewrites up to 1.8 M rows
(bench/RESULTS.md, exports_10m): under the default threshold (2 M dead rows) the table was
not vacuumed, its visibility map stayed cleared and the list API's covering index
(occ_taxon_date) could no longer answer alone: the list's MAX(updated_at) went from tens of
milliseconds to 3 s until a VACUUM (70 s at 10 M). A storage parameter: instant."""

from django.db import migrations

TABLE = "observations_occurrence"
SETTINGS = (
    "autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02,"
    " autovacuum_vacuum_insert_scale_factor = 0.02"
)
RESET = (
    "autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor,"
    " autovacuum_vacuum_insert_scale_factor"
)


class Migration(migrations.Migration):
    dependencies = [("observations", "0025_summary_points_once")]

    operations = [
        migrations.RunSQL(
            f"ALTER TABLE {TABLE} SET ({SETTINGS})",
            f"ALTER TABLE {TABLE} RESET ({RESET})",
        )
    ]
