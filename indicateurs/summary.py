"""The presence history the remarkable finds are read against (indicateurs.models.TaxonPresence).

Detecting "first for a département" against a million records means, for every taxon of the
year, finding whether any earlier valid record exists there: 1.4 to 2.5 s per year on the
benchmark (bench/RESULTS.md, section indicateurs). The history changes rarely (an import of
old notebooks, a validation of an old record), so it lives in a summary table of one row
per taxon and zone (the years it was recorded there), rebuilt in one statement by a Celery
task:

- after each import batch and each validation (debounced: one rebuild for a burst),
- every quarter of an hour (django-celery-beat, migration 0005),
- on a coordinator's button on the dashboard.

The year being reported is always read live: only the earlier years come from here, and the
dashboard says when they were last rebuilt.
"""

import time

from django.db import connection, transaction
from django.utils import timezone

from indicateurs.models import SummaryRefresh, TaxonPresence
from observations.models import Occurrence
from observations.models.querysets import VALID_STATUSES
from referentiel.models import Organisation, Taxon

NAME = "presences"


def presence_summary_refresh() -> SummaryRefresh:
    """Rebuild the whole table in one transaction (readers see the old rows until it
    commits) and record when; ``changed`` on the result says whether any row differs."""
    started = time.perf_counter()
    occurrence = Occurrence._meta.db_table
    taxon = Taxon._meta.db_table
    territory = Organisation.territory_communes.through._meta.db_table
    table = TaxonPresence._meta.db_table
    valid = ", ".join(str(v) for v in VALID_STATUSES)
    where = (
        f"o.observation_status = 'Pr' AND o.validation_status IN ({valid})"
        " AND o.date_start IS NOT NULL"
    )
    sql = f"""
        INSERT INTO {table} (cd_ref, zone, years, counts, records)
        SELECT cd_ref, zone, array_agg(year ORDER BY year), array_agg(n ORDER BY year),
               sum(n)
          FROM (
        SELECT cd_ref, zone, year, count(*) AS n
          FROM (
            SELECT t.cd_ref, 'dep:' || o.departement_id AS zone,
                   extract(year FROM o.date_start)::smallint AS year
              FROM {occurrence} o JOIN {taxon} t ON t.cd_nom = o.taxon_id
             WHERE {where} AND o.departement_id IS NOT NULL
            UNION ALL
            SELECT t.cd_ref, 'org:' || tc.organisation_id,
                   extract(year FROM o.date_start)::smallint
              FROM {occurrence} o JOIN {taxon} t ON t.cd_nom = o.taxon_id
              JOIN {territory} tc ON tc.commune_id = o.commune_id
             WHERE {where}
          ) presences
         GROUP BY cd_ref, zone, year
          ) per_year
         GROUP BY cd_ref, zone
    """
    fingerprint = f"""
        SELECT md5(coalesce(string_agg(
                 cd_ref || zone || years::text || counts::text || records, ',' ORDER BY cd_ref, zone
               ), '')) FROM {table}
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Serialise rebuilds (a beat run meeting a debounced one): the second waits,
            # then rebuilds from what the first left, which is still right.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [table])
            cursor.execute(fingerprint)
            before = cursor.fetchone()[0]
            cursor.execute(f"DELETE FROM {table}")
            cursor.execute(sql)
            rows = cursor.rowcount
            cursor.execute(fingerprint)
            changed = cursor.fetchone()[0] != before
        refresh, _ = SummaryRefresh.objects.update_or_create(
            name=NAME,
            defaults={
                "refreshed_at": timezone.now(),
                "seconds": round(time.perf_counter() - started, 3),
                "rows": rows,
            },
        )
    # The finds kept in the dashboard's snapshots were read against the old history.
    refresh.changed = changed
    return refresh


def presence_summary_state() -> SummaryRefresh | None:
    """When the table was last rebuilt (None: never)."""
    return SummaryRefresh.objects.filter(name=NAME).first()
