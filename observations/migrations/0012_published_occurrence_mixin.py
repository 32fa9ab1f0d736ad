# The published-occurrence link now comes from observations.models.PublishedOccurrenceMixin
# (reverse names kept through Meta.default_related_name): no SQL, state only.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('observations', '0011_jobs_on_job_model'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='sitecount',
            options={'default_related_name': 'site_count', 'verbose_name': 'effectif compté', 'verbose_name_plural': 'effectifs comptés'},
        ),
        migrations.AlterField(
            model_name='sitecount',
            name='occurrence',
            field=models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, to='observations.occurrence', verbose_name='observation publiée'),
        ),
    ]
