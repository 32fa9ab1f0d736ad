"""Every change to the tables of this app advances the data generation
(cpie_naturaliste.core.generation): the dashboard's snapshots know they are stale."""

from django.db import migrations

from cpie_naturaliste.core.generation import watch, watch_except


class Migration(migrations.Migration):
    dependencies = [
        ("referentiel", "0006_territory"),
        ("core", "0001_data_generation"),
    ]

    operations = [
        watch(
            "referentiel_organisation_territory_communes",
            "referentiel_organisation",
            "referentiel_user_validation_groups",
            "referentiel_user_groups",
            "referentiel_user_user_permissions",
            "referentiel_person",
            "referentiel_nomenclaturetype",
            "referentiel_nomenclature",
            "referentiel_programme_taxon_groups",
            "referentiel_programme_partners",
            "referentiel_programme",
            "referentiel_dataset",
            "referentiel_atlasgroup",
            "referentiel_atlasgrouprule",
            "referentiel_taxon",
            "referentiel_taxonstatus",
            "referentiel_sensitivityrule",
            "referentiel_departement",
            "referentiel_commune",
            "referentiel_site_communes",
            "referentiel_site",
        ),
        # A login changes no figure; any other change to a user may change what
        # they read.
        watch_except("referentiel_user", "last_login"),
    ]
