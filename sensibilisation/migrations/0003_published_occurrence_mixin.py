# The published-occurrence link now comes from observations.models.PublishedOccurrenceMixin
# (reverse names kept through Meta.default_related_name): no SQL, state only.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('observations', '0012_published_occurrence_mixin'),
        ('sensibilisation', '0002_data_generation'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='report',
            options={'default_related_name': 'campaign_report', 'ordering': ['-created_at'], 'verbose_name': 'signalement', 'verbose_name_plural': 'signalements'},
        ),
        migrations.AlterField(
            model_name='report',
            name='occurrence',
            field=models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, to='observations.occurrence', verbose_name='observation publiée'),
        ),
    ]
