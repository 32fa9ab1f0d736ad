"""Every change to the tables of this app advances the data generation
(cpie_naturaliste.core.generation): the dashboard's snapshots know they are stale."""

from django.db import migrations

from cpie_naturaliste.core.generation import watch


class Migration(migrations.Migration):
    dependencies = [
        ("observations", "0009_extracts_expire_beat"),
        ("core", "0001_data_generation"),
    ]

    operations = [
        watch(
            "observations_occurrence_observers",
            "observations_occurrence",
            "observations_occurrencedeletion",
            "observations_validation",
            "observations_occurrencechange",
            "observations_countprogramme_taxa",
            "observations_countprogramme",
            "observations_countsite",
            "observations_countvisit_observers",
            "observations_countvisit",
            "observations_sitecount",
            "observations_sinpexport",
            "observations_sinpexportitem",
            "observations_extract",
            "observations_importbatch",
            "observations_importmapping",
        ),
    ]
