"""The crawler's "rows unchanged" check (tests/security/crawler.py): the write counts of the
transaction move with a write, and the checksums then see what changed."""

import pytest

from referentiel.models import Organisation
from tests.factories.referentiel import OrganisationFactory
from tests.security.crawler import checksums, writes

pytestmark = pytest.mark.django_db


def test_a_write_moves_the_count_and_the_checksum():
    organisation = OrganisationFactory()
    table = Organisation._meta.db_table
    counted, summed = writes([table]), checksums([table])
    assert writes([table]) == counted  # reading writes nothing
    Organisation.objects.filter(pk=organisation.pk).update(name="Un autre nom")
    assert writes([table])[table] == counted.get(table, 0) + 1
    assert checksums([table]) != summed


def test_a_write_of_the_same_values_moves_the_count_not_the_checksum():
    organisation = OrganisationFactory()
    table = Organisation._meta.db_table
    counted, summed = writes([table]), checksums([table])
    Organisation.objects.filter(pk=organisation.pk).update(name=organisation.name)
    assert writes([table])[table] > counted.get(table, 0)
    assert checksums([table]) == summed
