# The published-occurrence link now comes from observations.models.PublishedOccurrenceMixin
# (reverse names kept through Meta.default_related_name): no SQL, state only.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('observations', '0012_published_occurrence_mixin'),
        ('zones_humides', '0004_data_generation'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='fencecount',
            options={'default_related_name': 'fence_count', 'verbose_name': 'comptage de barrière', 'verbose_name_plural': 'comptages de barrière'},
        ),
        migrations.AlterModelOptions(
            name='passageobservation',
            options={'default_related_name': 'pop_observation', 'ordering': ['passage', 'taxon__scientific_name'], 'verbose_name': 'observation POP Amphibien', 'verbose_name_plural': 'observations POP Amphibien'},
        ),
        migrations.AlterField(
            model_name='fencecount',
            name='occurrence',
            field=models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, to='observations.occurrence', verbose_name='observation publiée'),
        ),
        migrations.AlterField(
            model_name='passageobservation',
            name='occurrence',
            field=models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, to='observations.occurrence', verbose_name='observation publiée'),
        ),
    ]
