"""Where a map draws a blurred record: its blurred area's point on surface, indexed.

Vector tiles read a record its reader may not place by that point
(``observations.blurring.filter_map_box``), as their cells already counted it: by the whole
blurred area, a tile anywhere in a département read every record blurred to the
département, and at 10,000,000 rows a staff member's z14 tile took 5 s (bench/RESULTS.md,
occurrences_10m). Partial: only the sensitive records have a blurred geometry."""

import django.contrib.gis.db.models.functions
import django.contrib.postgres.indexes
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("observations", "0026_occurrence_autovacuum")]

    operations = [
        migrations.AddIndex(
            model_name="occurrence",
            index=django.contrib.postgres.indexes.GistIndex(
                django.contrib.gis.db.models.functions.PointOnSurface("blurred_geom"),
                condition=models.Q(("blurred_geom__isnull", False)),
                name="occ_blurred_point",
            ),
        ),
    ]
