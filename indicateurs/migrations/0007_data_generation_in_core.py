"""The data generation moved to the core (cpie_naturaliste.core.generation, core 0001)
and each field-data app now watches its own tables in its migrations: the sequence,
functions and table of 0006 go, with the triggers the old post_migrate hook had put on
the other apps' tables (DROP FUNCTION ... CASCADE).

The snapshots kept so far were numbered by the old sequence: they are forgotten (derived
data, computed again at the next view), so that none is taken as fresh by a coincidence
of numbers."""

from django.db import migrations

from cpie_naturaliste.core.generation import generation_sql

CREATE, DROP = generation_sql("indicateurs")


class Migration(migrations.Migration):
    dependencies = [
        ("indicateurs", "0006_dashboard_snapshots"),
        ("core", "0001_data_generation"),
        ("referentiel", "0007_data_generation"),
        ("observations", "0010_data_generation"),
        ("baguage", "0002_data_generation"),
        ("terrils", "0002_data_generation"),
        ("zones_humides", "0004_data_generation"),
        ("sensibilisation", "0002_data_generation"),
    ]

    operations = [
        migrations.RunSQL(DROP, CREATE),
        migrations.RunSQL(
            "DELETE FROM indicateurs_indicatorsnapshot;", migrations.RunSQL.noop
        ),
    ]
