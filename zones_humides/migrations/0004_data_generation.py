"""Every change to the tables of this app advances the data generation
(cpie_naturaliste.core.generation): the dashboard's snapshots know they are stale."""

from django.db import migrations

from cpie_naturaliste.core.generation import watch


class Migration(migrations.Migration):
    dependencies = [
        ("zones_humides", "0003_water_level_author"),
        ("core", "0001_data_generation"),
    ]

    operations = [
        watch(
            "zones_humides_driftfence",
            "zones_humides_bucket",
            "zones_humides_fencecheck",
            "zones_humides_fencecount",
            "zones_humides_popaire",
            "zones_humides_popsite",
            "zones_humides_poppassage_observers",
            "zones_humides_poppassage",
            "zones_humides_passageobservation",
            "zones_humides_newtindividual",
            "zones_humides_newtcapture",
            "zones_humides_wetlandprofile",
            "zones_humides_managementoperation",
            "zones_humides_operationphoto",
            "zones_humides_sitephoto",
            "zones_humides_waterlevelreading",
        ),
    ]
