"""The summary triggers compute each record's points on surface once (``Summary.points``)
instead of once per use: two for a cell's x and y, four for the 1 km cells. A blurred
département contour costs tens of microseconds each time, paid for every old and new row a
sensitivity refresh rewrites (issue 21). The functions are replaced in place, with their
triggers: no row of the table is read."""

from django.db import migrations

from observations.models.summaries import summaries_sql

CREATE, DROP = summaries_sql()


class Migration(migrations.Migration):
    dependencies = [
        ("observations", "0024_index_audit"),
    ]

    operations = [
        # Forward and back alike: the functions as the code writes them now.
        migrations.RunSQL(DROP + CREATE, DROP + CREATE),
    ]
