# One name for a head count of people across the apps: participants_count, as on
# awareness actions (column renamed, data kept).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("zones_humides", "0005_published_occurrence_mixin"),
    ]

    operations = [
        migrations.RenameField(
            "managementoperation", "participant_count", "participants_count"
        ),
    ]
