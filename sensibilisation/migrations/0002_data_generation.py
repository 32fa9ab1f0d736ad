"""Every change to the tables of this app advances the data generation
(cpie_naturaliste.core.generation): the dashboard's snapshots know they are stale."""

from django.db import migrations

from cpie_naturaliste.core.generation import watch


class Migration(migrations.Migration):
    dependencies = [
        ("sensibilisation", "0001_initial"),
        ("core", "0001_data_generation"),
    ]

    operations = [
        watch(
            "sensibilisation_action_partners",
            "sensibilisation_action",
            "sensibilisation_trainingsession",
            "sensibilisation_actionparticipant",
            "sensibilisation_actiondocument",
            "sensibilisation_campaign",
            "sensibilisation_campaignspecies",
            "sensibilisation_report",
            "sensibilisation_volunteer",
        ),
    ]
