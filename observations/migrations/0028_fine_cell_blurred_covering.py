"""The 1 km summary's blurred rows read from their index alone: it carries the columns a
reader's scope and the count need (observations.selectors.summary_fine_cells)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("observations", "0027_blurred_point_index")]

    operations = [
        migrations.RemoveIndex(
            model_name="finecellcount",
            name="fine_cell_count_blurred",
        ),
        migrations.AddIndex(
            model_name="finecellcount",
            index=models.Index(
                condition=models.Q(("bi__isnull", False)),
                fields=["bi", "bj"],
                include=("sensitivity_level", "dataset_id", "created_by_id", "records"),
                name="fine_cell_count_blurred",
            ),
        ),
    ]
