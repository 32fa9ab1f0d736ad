"""SINP nomenclatures, default atlas groups and the four role groups (DESIGN §7)."""

from django.db import migrations

from referentiel.services.reference_data import atlas_groups_upsert, nomenclatures_upsert

ROLES = ["saisie", "validateur", "coordinateur", "partenaire"]


def load(apps, schema_editor):
    nomenclatures_upsert(
        type_model=apps.get_model("referentiel", "NomenclatureType"),
        value_model=apps.get_model("referentiel", "Nomenclature"),
    )
    atlas_groups_upsert(
        group_model=apps.get_model("referentiel", "AtlasGroup"),
        rule_model=apps.get_model("referentiel", "AtlasGroupRule"),
    )
    group_model = apps.get_model("auth", "Group")
    for role in ROLES:
        group_model.objects.get_or_create(name=role)


class Migration(migrations.Migration):
    dependencies = [("referentiel", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
