# The published-occurrence link now comes from observations.models.PublishedOccurrenceMixin
# (reverse names kept through Meta.default_related_name): no SQL, state only.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('baguage', '0003_ringing_import'),
        ('observations', '0012_published_occurrence_mixin'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='capture',
            options={'default_related_name': 'ringing_capture', 'ordering': ['session', 'line', 'id'], 'verbose_name': 'capture', 'verbose_name_plural': 'captures'},
        ),
        migrations.AlterField(
            model_name='capture',
            name='occurrence',
            field=models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, to='observations.occurrence', verbose_name='observation publiée'),
        ),
    ]
