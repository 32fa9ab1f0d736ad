"""Every change to the tables of this app advances the data generation
(cpie_naturaliste.core.generation): the dashboard's snapshots know they are stale."""

from django.db import migrations

from cpie_naturaliste.core.generation import watch


class Migration(migrations.Migration):
    dependencies = [
        ("baguage", "0001_initial"),
        ("core", "0001_data_generation"),
    ]

    operations = [
        watch(
            "baguage_ringer",
            "baguage_ringseries",
            "baguage_euringspecies",
            "baguage_ringingprogramme_target_taxa",
            "baguage_ringingprogramme",
            "baguage_station",
            "baguage_netposition",
            "baguage_session_ringers",
            "baguage_session",
            "baguage_capture",
        ),
    ]
