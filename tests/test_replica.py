"""The read replica (cpie_naturaliste/core/replica.py) against a real streaming standby of
the project's cluster: heavy reads go there, writes and read-after-write stay on the
primary, and a replica that lags or is down sends reads back to the primary."""

import io

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cpie_naturaliste.core.replica import (
    PIN_COOKIE,
    REPLICA,
    forget_replica_health,
    read_alias,
    replica_lag,
    replica_reads,
)
from observations.exports.writers import write_csv
from referentiel.models import Organisation
from tests.factories.referentiel import OrganisationFactory
from tests.pg import StandbyCluster
from tests.resilience.workers import wait_until

# The replica alias is a mirror of the test database: never created, never flushed.
# Serial: a hot standby opens for reads only once no transaction of the primary has
# overflowed its subtransaction cache (64 savepoints), and the other test process of a
# parallel run may hold one for minutes (CI: "pg_ctl -w" timed out on the standby).
pytestmark = [
    pytest.mark.serial,
    pytest.mark.django_db(
        transaction=True,
        serialized_rollback=True,
        databases=[DEFAULT_DB_ALIAS, REPLICA],
    ),
]


@pytest.fixture(scope="module")
def standby(django_db_setup, django_db_blocker):
    """One standby per test process, copied once the test database exists, and the
    ``replica`` alias pointed at it as DATABASE_REPLICA_URL does."""
    StandbyCluster.reap()
    with django_db_blocker.unblock():
        cluster = StandbyCluster(dict(connections["default"].settings_dict)).start()
    connections.settings[REPLICA] = {
        **cluster.settings(),
        "TEST": {**cluster.primary["TEST"], "MIRROR": DEFAULT_DB_ALIAS},
    }
    try:
        yield cluster
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        forget_replica_health()
        cluster.stop()


@pytest.fixture
def replica(standby, settings):
    """The replica checked at every read (no cached health between steps of a test)."""
    settings.REPLICA_CHECK_SECONDS = 0
    forget_replica_health()
    yield standby
    forget_replica_health()


def _replayed(pk):
    def replayed() -> bool:
        with replica_reads():
            return Organisation.objects.using(REPLICA).filter(pk=pk).exists()

    return replayed


def _reads_on_replica() -> bool:
    with replica_reads():
        return read_alias() == REPLICA


def _data_queries(captured) -> list[str]:
    # What was read there, not the router's check of the replica's lag.
    return [q["sql"] for q in captured if "pg_is_in_recovery" not in q["sql"]]


def _on_replica(sql: str):
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def test_reads_go_to_the_replica_and_see_what_was_committed(replica):
    organisation = OrganisationFactory(name="Lue sur la réplique")
    wait_until(_replayed(organisation.pk), timeout=20, what="rejouée sur la réplique")
    with replica_reads():
        found = Organisation.objects.filter(pk=organisation.pk)
        assert found.db == REPLICA
        with CaptureQueriesContext(connections[REPLICA]) as queries:
            assert found.get().name == "Lue sur la réplique"
        assert len(_data_queries(queries)) == 1
    # It is really the standby: read-only, in recovery.
    assert _on_replica("SELECT pg_is_in_recovery()") is True
    # Outside replica_reads, the primary.
    assert Organisation.objects.filter(pk=organisation.pk).db == DEFAULT_DB_ALIAS


def test_writes_and_what_follows_them_stay_on_the_primary(replica):
    with replica_reads():
        assert read_alias() == REPLICA
        organisation = OrganisationFactory(name="Écrite puis relue")
        # Read-after-write within the same block: the primary, where the row already is.
        assert read_alias() == DEFAULT_DB_ALIAS
        assert Organisation.objects.get(pk=organisation.pk).name == "Écrite puis relue"
    with replica_reads(), transaction.atomic():
        # Inside a transaction of the primary, its reads stay there.
        assert read_alias() == DEFAULT_DB_ALIAS


def test_a_lagging_replica_sends_reads_back_to_the_primary(replica, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 0.5
    _on_replica("SELECT pg_wal_replay_pause()")
    try:
        organisation = OrganisationFactory(name="Pas encore rejouée")
        wait_until(
            lambda: (replica_lag() or 0) > 0.5, timeout=20, what="réplique en retard"
        )
        with replica_reads():
            assert read_alias() == DEFAULT_DB_ALIAS
            assert Organisation.objects.filter(pk=organisation.pk).exists()
    finally:
        _on_replica("SELECT pg_wal_replay_resume()")
    wait_until(_replayed(organisation.pk), timeout=20, what="rejouée sur la réplique")
    wait_until(_reads_on_replica, timeout=20, what="réplique rattrapée")


def test_a_replica_that_is_down_sends_reads_back_to_the_primary(replica):
    organisation = OrganisationFactory(name="Réplique arrêtée")
    wait_until(_replayed(organisation.pk), timeout=20, what="rejouée sur la réplique")
    replica.pg_ctl("-m", "fast", "stop")
    try:
        with replica_reads():
            assert read_alias() == DEFAULT_DB_ALIAS
            assert Organisation.objects.get(pk=organisation.pk)
    finally:
        replica.server_start()
    # Back, it catches up on what it missed, then takes the reads again.
    wait_until(_reads_on_replica, timeout=60, what="réplique redémarrée et à jour")


def test_pages_read_the_replica_until_the_browser_writes(
    replica, client, saisie_user, settings
):
    OrganisationFactory(name="Rejouée avant la page")
    wait_until(lambda: replica_lag() == 0, timeout=20, what="réplique à jour")
    client.force_login(saisie_user)
    with CaptureQueriesContext(connections[REPLICA]) as replica_queries:
        assert client.get(reverse("home")).status_code == 200
    assert _data_queries(replica_queries)
    # A form sent: the browser reads the primary while the pin cookie lives.
    response = client.post(reverse("logout"))
    assert response.cookies[PIN_COOKIE]["max-age"] == settings.REPLICA_PIN_SECONDS
    with CaptureQueriesContext(connections[REPLICA]) as replica_queries:
        client.get(reverse("home"))
    assert not _data_queries(replica_queries)


def test_an_extract_writer_reads_the_replica_inside_replica_reads(replica, settings):
    """Proved by what it cannot see: with the replica's replay paused (and a lag it is
    allowed), a row just written on the primary is missing from the CSV written inside
    replica_reads(), and present in the one written outside."""
    settings.REPLICA_MAX_LAG_SECONDS = 600
    _on_replica("SELECT pg_wal_replay_pause()")
    try:
        OrganisationFactory(name="Écrite pendant la pause")
        names = Organisation.objects.values("name").order_by("name")
        with replica_reads():
            on_replica = io.BytesIO()
            write_csv(names, on_replica)
        on_primary = io.BytesIO()
        write_csv(names, on_primary)
    finally:
        _on_replica("SELECT pg_wal_replay_resume()")
    assert "Écrite pendant la pause" not in on_replica.getvalue().decode()
    assert "Écrite pendant la pause" in on_primary.getvalue().decode()
