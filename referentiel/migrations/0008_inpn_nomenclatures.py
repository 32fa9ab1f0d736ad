"""The complete INPN nomenclature of every type an occurrence uses (referentiel/data/
nomenclatures.csv, derived from the INPN referential): new values added, labels and
definitions updated, withdrawn values deactivated (never deleted)."""

from django.db import migrations

from referentiel.services.reference_data import nomenclatures_upsert


def load(apps, schema_editor):
    nomenclatures_upsert(
        type_model=apps.get_model("referentiel", "NomenclatureType"),
        value_model=apps.get_model("referentiel", "Nomenclature"),
    )


class Migration(migrations.Migration):
    dependencies = [("referentiel", "0007_data_generation")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
