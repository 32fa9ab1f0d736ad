# One name for a start and an end date across the apps: date_start / date_end, as on
# occurrences, terril campaigns and wetland operations (columns renamed, data kept).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sensibilisation", "0003_published_occurrence_mixin"),
    ]

    operations = [
        migrations.RenameField("action", "start_date", "date_start"),
        migrations.RenameField("action", "end_date", "date_end"),
        migrations.RenameField("campaign", "start_date", "date_start"),
        migrations.RenameField("campaign", "end_date", "date_end"),
        # The ordering, the index and the date checks name the fields again.
        migrations.AlterModelOptions(
            name="action",
            options={
                "ordering": ["-date_start", "title"],
                "verbose_name": "action de sensibilisation",
                "verbose_name_plural": "actions de sensibilisation",
            },
        ),
        migrations.AlterModelOptions(
            name="campaign",
            options={
                "ordering": ["-date_start", "title"],
                "verbose_name": "campagne participative",
                "verbose_name_plural": "campagnes participatives",
            },
        ),
        migrations.RemoveConstraint(
            model_name="action",
            name="action_dates_ordered",
        ),
        migrations.RemoveConstraint(
            model_name="campaign",
            name="campaign_dates_ordered",
        ),
        migrations.RemoveIndex(
            model_name="action",
            name="action_year_line",
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                fields=["date_start", "action_line"], name="action_year_line"
            ),
        ),
        migrations.AddConstraint(
            model_name="action",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("date_end__isnull", True),
                    ("date_start__lte", models.F("date_end")),
                    _connector="OR",
                ),
                name="action_dates_ordered",
                violation_error_message="La date de fin précède la date de début.",
            ),
        ),
        migrations.AddConstraint(
            model_name="campaign",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("date_end__isnull", True),
                    ("date_start__lte", models.F("date_end")),
                    _connector="OR",
                ),
                name="campaign_dates_ordered",
                violation_error_message="La fin précède le début de la campagne.",
            ),
        ),
    ]
