# The published-occurrence link now comes from observations.models.PublishedOccurrenceMixin
# (reverse names kept through Meta.default_related_name): no SQL, state only.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('observations', '0012_published_occurrence_mixin'),
        ('terrils', '0002_data_generation'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='campaignrecord',
            options={'default_related_name': 'terril_record', 'verbose_name': 'donnée de campagne', 'verbose_name_plural': 'données de campagne'},
        ),
        migrations.AlterField(
            model_name='campaignrecord',
            name='occurrence',
            field=models.OneToOneField(editable=False, on_delete=django.db.models.deletion.CASCADE, to='observations.occurrence', verbose_name='observation publiée'),
        ),
    ]
