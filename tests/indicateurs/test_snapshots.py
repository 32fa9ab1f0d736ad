"""The dashboard's kept figures (indicateurs.snapshots): every way data changes makes them
stale, the page reads them while fresh, says when they are not, and the refresh brings
them back to what a live computation gives."""

import datetime as dt

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from cpie_naturaliste.celery import app as celery_app
from cpie_naturaliste.core.generation import generation
from indicateurs.models import IndicatorSnapshot, RemarkableFind
from indicateurs.services import indicators_for_year
from indicateurs.snapshots import REFRESH_KEY, indicators_read, snapshots_refresh
from observations.models import Occurrence
from tests.factories.referentiel import CommuneFactory, SiteFactory, TaxonFactory
from tests.indicateurs.test_finds import record

pytestmark = pytest.mark.django_db
PAGE = "/indicateurs/2020/"
# The apps of the field data the indicators read (indicateurs itself only keeps derived
# data and the coordinators' decisions, read live): each watches its tables.
FIELD_DATA_APPS = {
    "referentiel",
    "observations",
    "baguage",
    "terrils",
    "zones_humides",
    "sensibilisation",
}


def figures(indicators) -> dict:
    return {f["key"]: f["value"] for s in indicators["sections"] for f in s["figures"]}


def advanced(change) -> bool:
    before = generation()
    change()
    return generation() > before


def test_every_way_of_changing_data_advances_the_generation(
    data, organisation, coordinateur_user
):
    occurrence = Occurrence.objects.filter(taxon=data["plant"]).first()
    assert advanced(lambda: SiteFactory(name="Terril 74"))
    assert advanced(
        lambda: Occurrence.objects.filter(pk=occurrence.pk).update(comment="vu")
    )
    assert advanced(lambda: organisation.territory_communes.add(CommuneFactory()))

    def raw_sql():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE observations_occurrence SET comment = 'x' WHERE id = %s",
                [occurrence.pk],
            )

    assert advanced(raw_sql)
    assert advanced(lambda: Occurrence.objects.filter(pk=occurrence.pk).delete())
    coordinateur_user.first_name = "Anne"
    assert advanced(coordinateur_user.save)  # a reader's rights may have changed
    # Neither a login nor the coordinators' decisions (read at each view).
    coordinateur_user.last_login = timezone.now()
    assert not advanced(lambda: coordinateur_user.save(update_fields=["last_login"]))
    assert not advanced(
        lambda: RemarkableFind.objects.create(
            occurrence=Occurrence.objects.first(), kind="rare"
        )
    )


def test_the_commit_advances_it_again(data):
    """A snapshot computed between a change and its commit did not see the change: the
    commit makes it stale (deferred trigger, fired here as at commit)."""
    with transaction.atomic():
        Occurrence.objects.filter(taxon=data["plant"]).update(comment="vu")
        during = generation()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            assert generation() == during + 1
            cursor.execute("SELECT count(*) FROM core_data_change")
            assert cursor.fetchone() == (0,)  # one row per transaction, gone at commit
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_every_table_of_the_field_data_is_watched():
    """Each field-data app watches its tables in its migrations
    (cpie_naturaliste.core.generation.watch): a new model whose migration forgets it is
    listed here. Derived data is not watched."""
    expected = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in FIELD_DATA_APPS
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE t.tgname = 'core_data_changed'"
        )
        watched = {row[0] for row in cursor.fetchall()}
    assert get_user_model()._meta.db_table in expected
    assert sorted(expected - watched) == []
    assert "indicateurs_indicatorsnapshot" not in watched


def test_the_page_reads_its_snapshot_until_data_changes(
    settings, client, data, coordinateur_user, django_assert_max_num_queries
):
    settings.INDICATEURS_AUTO_REFRESH = False  # no worker: computed for the request
    client.force_login(coordinateur_user)
    first = client.get(PAGE)
    assert "pour cet affichage" in first.content.decode()
    with django_assert_max_num_queries(12) as queries:
        again = client.get(PAGE)
    assert not any("observations_occurrence" in q["sql"] for q in queries)
    html = again.content.decode()
    assert "Aucune donnée n'a changé depuis" in html
    assert figures(again.context["indicators"]) == figures(first.context["indicators"])
    occurrence = Occurrence.objects.filter(taxon=data["plant"]).first()
    Occurrence.objects.filter(pk=occurrence.pk).update(date_start=dt.date(2019, 5, 5))
    after = client.get(PAGE)
    assert after.context["freshness"].live
    changed = figures(after.context["indicators"])
    assert (
        changed["records_flora"]
        == figures(first.context["indicators"])["records_flora"] - 1
    )
    assert changed == figures(indicators_for_year(2020, coordinateur_user))


def test_with_a_worker_the_page_shows_its_figures_and_plans_their_refresh(
    settings, client, data, coordinateur_user
):
    settings.INDICATEURS_AUTO_REFRESH = True
    settings.INDICATEURS_REFRESH_DELAY = 600  # the queued task must not run here
    cache.delete(REFRESH_KEY)
    client.force_login(coordinateur_user)
    try:
        before = figures(client.get(PAGE).context["indicators"])
        Occurrence.objects.filter(taxon=data["plant"]).update(
            date_start=dt.date(2019, 5, 5)
        )
        stale = client.get(PAGE)
        html = stale.content.decode()
        assert "Des données ont changé depuis" in html
        assert 'data-fresh-url="/indicateurs/2020/fraicheur/"' in html
        assert figures(stale.context["indicators"]) == before  # the last snapshot
        assert cache.get(REFRESH_KEY)  # a refresh is planned
        assert client.get("/indicateurs/2020/fraicheur/").json()["stale"] is True
        # 2020's figures, and last and this year's, computed ahead for a coordinator
        # who logs in.
        assert snapshots_refresh() == {"computed": 3, "forgotten": 0}
        assert client.get("/indicateurs/2020/fraicheur/").json()["stale"] is False
        fresh = client.get(PAGE)
        assert not fresh.context["freshness"].stale
        assert figures(fresh.context["indicators"])["records_flora"] == (
            before["records_flora"] - 2
        )
    finally:
        celery_app.control.purge()
        cache.delete(REFRESH_KEY)


def test_figures_older_than_the_limit_are_recomputed_for_the_request(
    settings, data, coordinateur_user
):
    settings.INDICATEURS_AUTO_REFRESH = True
    settings.INDICATEURS_SNAPSHOT_STALE_MAX = 0
    indicators_read(2020, coordinateur_user)
    SiteFactory(name="Terril 74")
    _, freshness = indicators_read(2020, coordinateur_user)
    assert freshness.live and not freshness.stale


def test_a_decision_on_a_find_shows_at_once(
    client, departements, own, coordinateur_user
):
    record(
        TaxonFactory(scientific_name="Calliptamus italicus"), own, dt.date(2020, 7, 7)
    )
    client.force_login(coordinateur_user)
    finds = client.get(PAGE).context["indicators"]["details"]["finds"]["firsts"]
    assert finds
    find = finds[0]
    client.post(
        f"/indicateurs/2020/decouvertes/{find['uuid']}/",
        {"status": "confirmee", "kind": find["kind"], "comment": "Vue par Anne"},
    )
    response = client.get(PAGE)
    assert not response.context["freshness"].live  # read from the snapshot
    shown = response.context["indicators"]["details"]["finds"]
    for kept in (shown["firsts"], shown[find["kind"]]):
        row = next(f for f in kept if f["uuid"] == find["uuid"])
        assert (row["status"], row["comment"]) == ("confirmee", "Vue par Anne")


def test_the_refresh_forgets_unread_snapshots_and_readers_without_the_right(
    data, coordinateur_user
):
    indicators_read(2020, coordinateur_user)
    indicators_read(2019, coordinateur_user)
    IndicatorSnapshot.objects.filter(year=2019).update(
        viewed_at=timezone.now() - dt.timedelta(days=31)
    )
    assert snapshots_refresh() == {"computed": 0, "forgotten": 1}  # nothing changed
    assert snapshots_refresh(everything=True) == {"computed": 1, "forgotten": 0}
    coordinateur_user.groups.clear()  # no longer a coordinator
    assert snapshots_refresh() == {"computed": 0, "forgotten": 1}
    assert not IndicatorSnapshot.objects.exists()


def test_the_api_says_how_fresh_its_figures_are(api_client, data, coordinateur_user):
    api_client.force_authenticate(coordinateur_user)
    first = api_client.get("/api/v1/indicateurs/2020/").json()
    second = api_client.get("/api/v1/indicateurs/2020/").json()
    assert first["freshness"]["live"] and not second["freshness"]["live"]
    assert first["freshness"]["computed_at"] == second["freshness"]["computed_at"]
    assert figures(second) == figures(indicators_for_year(2020, coordinateur_user))


def test_the_freshness_poll_is_for_coordinators(client, saisie_user):
    client.force_login(saisie_user)
    assert client.get("/indicateurs/2020/fraicheur/").status_code == 403


def test_the_refresh_computes_ahead_last_and_this_year_for_coordinators_who_log_in(
    data, coordinateur_user, saisie_user
):
    """The dashboard opens on last year, and this year is being entered: their figures
    are ready before the first view (not for staff, who cannot read them)."""
    for user in (coordinateur_user, saisie_user):
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
    assert snapshots_refresh() == {"computed": 2, "forgotten": 0}
    this_year = timezone.localdate().year
    assert set(IndicatorSnapshot.objects.values_list("year", "user")) == {
        (this_year - 1, coordinateur_user.pk),
        (this_year, coordinateur_user.pk),
    }
    assert snapshots_refresh() == {"computed": 0, "forgotten": 0}
