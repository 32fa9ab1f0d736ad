"""queryset_sql: the SQL of a queryset, also when Django knows it matches nothing."""

import pytest
from django.db import connection

from cpie_naturaliste.core.sql import queryset_sql
from observations.exports.writers import write_csv
from observations.models import Occurrence
from tests.factories.observations import OccurrenceFactory

pytestmark = pytest.mark.django_db


def test_an_empty_queryset_gives_the_same_columns_and_no_rows():
    OccurrenceFactory()
    queryset = Occurrence.objects.values("id", "uuid")
    for candidate, expected in ((queryset, 1), (queryset.none(), 0)):
        sql, params = queryset_sql(candidate)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            assert [c.name for c in cursor.description] == ["id", "uuid"]
            assert len(cursor.fetchall()) == expected


def test_an_extract_of_nothing_is_a_header_only_file(tmp_path):
    out = tmp_path / "vide.csv"
    with out.open("wb") as handle:
        rows = write_csv(Occurrence.objects.values("id", "uuid").none(), handle)
    assert rows == 0
    assert out.read_bytes().decode("utf-8-sig").strip() == "id;uuid"
