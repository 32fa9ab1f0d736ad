"""The data generation's sequence, trigger functions and commit table
(cpie_naturaliste.core.generation); each field-data app watches its tables in its own
migrations."""

from django.db import migrations

from cpie_naturaliste.core.generation import PREFIX, generation_sql


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [migrations.RunSQL(*generation_sql(PREFIX))]
