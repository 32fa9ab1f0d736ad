"""Every change to the tables of this app advances the data generation
(cpie_naturaliste.core.generation): the dashboard's snapshots know they are stale."""

from django.db import migrations

from cpie_naturaliste.core.generation import watch


class Migration(migrations.Migration):
    dependencies = [
        ("terrils", "0001_initial"),
        ("core", "0001_data_generation"),
    ]

    operations = [
        watch(
            "terrils_methodversion",
            "terrils_methodgroup",
            "terrils_patrimonialspecies",
            "terrils_patrimonialhabitat",
            "terrils_terril_communes",
            "terrils_terril",
            "terrils_campaign",
            "terrils_visit",
            "terrils_campaignrecord",
            "terrils_statezerotaxon",
            "terrils_habitatobservation",
            "terrils_score",
            "terrils_groupscore",
            "terrils_scoreline",
        ),
    ]
