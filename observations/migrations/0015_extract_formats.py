"""Extracts in several formats at once (a list instead of one format), and the number of
blurred rows the requester was told before launching."""

import django.contrib.postgres.fields
from django.db import migrations, models

FORMATS = [
    ("csv", "CSV (tableur, séparateur point-virgule)"),
    ("xlsx", "Excel (XLSX)"),
    ("geojson", "GeoJSON (WGS84)"),
    ("gpkg", "GeoPackage (QGIS)"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("observations", "0014_sync"),
    ]

    operations = [
        migrations.AddField(
            model_name="extract",
            name="formats",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(choices=FORMATS, max_length=8),
                default=list,
                verbose_name="formats",
                size=None,
            ),
        ),
        migrations.RunSQL(
            "UPDATE observations_extract SET formats = ARRAY[format]",
            "UPDATE observations_extract SET format = formats[1]",
        ),
        migrations.RemoveField(model_name="extract", name="format"),
        migrations.AddField(
            model_name="extract",
            name="blurred_expected",
            field=models.PositiveIntegerField(
                default=0, verbose_name="lignes floutées prévues"
            ),
        ),
    ]
