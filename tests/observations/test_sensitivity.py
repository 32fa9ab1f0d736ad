"""Sensitivity rules as data: the level of an occurrence is the highest of its taxon's
regional status and of the matching active rules (GeoNature's algorithm, plus periods that
span 31 December), computed on save, on import and by ``refresh_sensitivity``."""

import datetime as dt
import io

import pytest
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command

from observations.models import Occurrence
from observations.services import occurrences_refresh_derived
from referentiel.models import SensitivityRule
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    DepartementFactory,
    TaxonFactory,
    TaxonStatusFactory,
)
from tests.observations.imports_support import run_import, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """Chiroptera (order) > Myotis (genus) > Myotis myotis (species), a synonym of it, and
    an unrelated species; a commune of the Pas-de-Calais where the records fall."""
    CommuneFactory()
    order = TaxonFactory(cd_nom=100, rank="OR", scientific_name="Chiroptera")
    genus = TaxonFactory(cd_nom=101, cd_sup=100, rank="GN", scientific_name="Myotis")
    species = TaxonFactory(cd_nom=102, cd_sup=101, scientific_name="Myotis myotis")
    synonym = TaxonFactory(cd_nom=103, cd_ref=102, scientific_name="Vespertilio myotis")
    other = TaxonFactory(cd_nom=200, scientific_name="Alauda arvensis")
    return {
        "order": order,
        "genus": genus,
        "species": species,
        "synonym": synonym,
        "other": other,
    }


def level(taxon, **fields) -> int:
    occ = OccurrenceFactory(taxon=taxon, **fields)
    return occ.sensitivity_level


def test_rule_reaches_descendants_and_synonyms(tree):
    rule = SensitivityRule.objects.create(taxon=tree["order"], level=2)
    assert sorted(rule.taxon_refs) == [100, 101, 102]
    occ = OccurrenceFactory(taxon=tree["species"])
    assert (occ.sensitivity_level, occ.diffusion_level) == (2, 2)
    assert level(tree["synonym"]) == 2
    assert level(tree["genus"]) == 2
    other = OccurrenceFactory(taxon=tree["other"])
    assert (other.sensitivity_level, other.diffusion_level) == (0, 5)


def test_rule_on_a_synonym_applies_to_the_valid_name(tree):
    SensitivityRule.objects.create(taxon=tree["synonym"], level=3)
    assert level(tree["species"]) == 3
    assert level(tree["order"]) == 0


def test_inactive_rule_is_ignored(tree):
    SensitivityRule.objects.create(taxon=tree["species"], level=3, is_active=False)
    assert level(tree["species"]) == 0


def test_departement_restriction(tree):
    DepartementFactory(code="59", name="Nord")
    SensitivityRule.objects.create(taxon=tree["species"], departement_id="59", level=4)
    assert level(tree["species"]) == 0
    SensitivityRule.objects.create(taxon=tree["species"], departement_id="62", level=1)
    assert level(tree["species"]) == 1
    # Outside every commune: no département, only rules valid everywhere apply.
    far = Point(LOOS_X - 60000, LOOS_Y, srid=2154)
    assert level(tree["species"], geom=far) == 0


def test_period_spanning_31_december(tree):
    SensitivityRule.objects.create(
        taxon=tree["order"],
        level=3,
        start_day=1,
        start_month=11,
        end_day=15,
        end_month=3,
    )
    for day, expected in [
        (dt.date(2021, 1, 10), 3),
        (dt.date(2021, 11, 1), 3),
        (dt.date(2021, 12, 31), 3),
        (dt.date(2021, 3, 15), 3),
        (dt.date(2021, 3, 16), 0),
        (dt.date(2021, 6, 10), 0),
        (dt.date(2021, 10, 31), 0),
    ]:
        assert level(tree["species"], date_start=day) == expected, day


def test_period_within_the_year(tree):
    SensitivityRule.objects.create(
        taxon=tree["species"],
        level=2,
        start_day=1,
        start_month=4,
        end_day=31,
        end_month=7,
    )
    assert level(tree["species"], date_start=dt.date(2021, 6, 10)) == 2
    assert level(tree["species"], date_start=dt.date(2021, 1, 10)) == 0


def test_duration(tree):
    SensitivityRule.objects.create(taxon=tree["species"], level=2, duration_years=5)
    this_year = dt.date.today().year
    assert level(tree["species"], date_start=dt.date(this_year - 5, 6, 1)) == 2
    assert level(tree["species"], date_start=dt.date(this_year - 6, 6, 1)) == 0


def test_criteria_match_codes_and_unknown(tree):
    # STATUT_BIO 3 "reproduction"; OCC_COMPORTEMENT 10 "gîte"
    SensitivityRule.objects.create(
        taxon=tree["species"], level=2, bio_statuses=["3"], behaviours=["10"]
    )
    species = tree["species"]
    assert level(species, bio_status="3", behaviour="10") == 2
    assert level(species, bio_status="0", behaviour="10") == 2  # inconnu
    assert level(species, bio_status="3", behaviour="1") == 2  # non renseigné
    assert level(species, bio_status="5", behaviour="10") == 0
    assert level(species, bio_status="3", behaviour="6") == 0


def test_highest_level_wins(tree):
    SensitivityRule.objects.create(taxon=tree["order"], level=1)
    SensitivityRule.objects.create(taxon=tree["species"], level=3)
    SensitivityRule.objects.create(taxon=tree["genus"], level=2)
    assert level(tree["species"]) == 3
    assert level(tree["genus"]) == 2
    TaxonStatusFactory(taxon=tree["genus"], sensitivity_level=4)
    assert level(tree["genus"]) == 4  # the regional status still counts


def test_import_computes_rule_levels(tree, tmp_path, coordinateur_user):
    SensitivityRule.objects.create(
        taxon=tree["order"],
        level=3,
        start_day=1,
        start_month=11,
        end_day=15,
        end_month=3,
    )
    dataset = DatasetFactory(producer=coordinateur_user.organisation)
    point = f"SRID=2154;POINT({LOOS_X + 100} {LOOS_Y + 100})"
    rows = [
        [102, "2021-01-10", "Obs hiver", point],
        [102, "2021-06-10", "Obs été", point],
    ]
    path = write_csv(
        tmp_path / "a.csv", ["cdNom", "dateDebut", "observateur", "geometrie"], rows
    )
    batch = run_import(path, user=coordinateur_user, dataset=dataset)
    assert batch.created_count == 2, batch.errors
    levels = dict(
        Occurrence.objects.values_list("observers_label", "sensitivity_level")
    )
    assert levels == {"Obs hiver": 3, "Obs été": 0}
    occurrences_refresh_derived(batch_id=batch.pk)
    assert levels == dict(
        Occurrence.objects.values_list("observers_label", "sensitivity_level")
    )


RULES_HEADER = "cd_nom;departement;debut;fin;statut_bio;comportement;duree;niveau\n"


def test_import_rules_command(tree, tmp_path):
    path = tmp_path / "regles.csv"
    path.write_text(
        RULES_HEADER + "100;62;01-11;15-03;3,4;;;3\n102;;;;;10;20;2\n", encoding="utf-8"
    )
    out = io.StringIO()
    call_command("import_sensitivity_rules", str(path), stdout=out)
    assert "2 créées" in out.getvalue()
    first, second = SensitivityRule.objects.order_by("taxon_id")
    assert (first.departement_id, first.start_month, first.start_day) == ("62", 11, 1)
    assert (first.end_month, first.end_day, first.level) == (3, 15, 3)
    assert first.bio_statuses == ["3", "4"] and first.behaviours == []
    assert sorted(first.taxon_refs) == [100, 101, 102]
    assert second.departement_id is None and second.start_month is None
    assert (second.behaviours, second.duration_years) == (["10"], 20)


def test_import_rules_command_refuses_a_bad_file(tree, tmp_path):
    path = tmp_path / "regles.csv"
    path.write_text(
        RULES_HEADER
        + "100;62;01-11;15-03;;;;3\n"
        + "999;62;32-01;15-03;;;;5\n"
        + "102;99;01-11;;x;;dix;2\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as raised:
        call_command("import_sensitivity_rules", str(path))
    message = str(raised.value)
    assert "rien n'a été importé" in message
    assert "ligne 3, colonne debut" in message
    assert "ligne 3, colonne niveau" in message
    assert "ligne 4, colonne fin" in message
    assert "ligne 4, colonne statut_bio" in message
    assert "ligne 4, colonne duree" in message
    assert not SensitivityRule.objects.exists()


def test_import_rules_reports_unknown_taxon_and_departement(tree, tmp_path):
    path = tmp_path / "regles.csv"
    path.write_text(RULES_HEADER + "999;99;;;;;;2\n", encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("import_sensitivity_rules", str(path))
    assert "ligne 2, colonne cd_nom : taxon 999 inconnu" in str(raised.value)
    assert "ligne 2, colonne departement" in str(raised.value)
    assert not SensitivityRule.objects.exists()


def test_refresh_sensitivity_updates_stored_levels(tree):
    occ = OccurrenceFactory(taxon=tree["synonym"])
    untouched = OccurrenceFactory(taxon=tree["other"])
    assert occ.sensitivity_level == 0
    # A bulk write bypasses save(): the stored level is stale until the refresh.
    SensitivityRule.objects.bulk_create([SensitivityRule(taxon=tree["order"], level=2)])
    out = io.StringIO()
    call_command("refresh_sensitivity", stdout=out)
    occ.refresh_from_db()
    untouched.refresh_from_db()
    assert (occ.sensitivity_level, occ.diffusion_level) == (2, 2)
    assert untouched.sensitivity_level == 0
    assert "1 niveau(x) de sensibilité modifié(s)" in out.getvalue()
    assert "0 → 2 : 1" in out.getvalue()


def test_import_rules_replace(tree, tmp_path):
    SensitivityRule.objects.create(taxon=tree["other"], level=4)
    path = tmp_path / "regles.csv"
    path.write_text(RULES_HEADER + "102;;;;;;;2\n", encoding="utf-8")
    call_command(
        "import_sensitivity_rules", str(path), "--remplacer", stdout=io.StringIO()
    )
    assert list(SensitivityRule.objects.values_list("taxon_id", "level")) == [(102, 2)]


def test_admin_lists_and_filters_rules(tree, admin_client):
    SensitivityRule.objects.create(taxon=tree["species"], level=2, source="DREAL")
    url = "/admin/referentiel/sensitivityrule/"
    assert admin_client.get(url).status_code == 200
    assert (
        admin_client.get(url, {"level": "2", "is_active__exact": "1"}).status_code
        == 200
    )
    response = admin_client.post(
        url + "add/",
        {
            "taxon": 101,
            "level": 3,
            "start_day": 1,
            "start_month": 11,
            "end_day": 15,
            "end_month": 3,
            "bio_statuses": "3,4",
            "behaviours": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content
    rule = SensitivityRule.objects.get(taxon_id=101)
    assert rule.bio_statuses == ["3", "4"] and sorted(rule.taxon_refs) == [101, 102]


@pytest.fixture
def eager_celery():
    from cpie_naturaliste.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_rule_saved_in_the_admin_recomputes_records(
    tree, admin_client, eager_celery, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from observations.tasks import SENSITIVITY_QUEUED

    cache.delete(SENSITIVITY_QUEUED)
    occ = OccurrenceFactory(taxon=tree["species"])
    assert occ.sensitivity_level == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/referentiel/sensitivityrule/add/",
            {
                "taxon": tree["genus"].pk,
                "level": 3,
                "is_active": "on",
                "bio_statuses": "",
                "behaviours": "",
                "source": "test",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    occ.refresh_from_db()
    assert (occ.sensitivity_level, occ.diffusion_level) == (3, 3)
    assert occ.blurred_geom is not None  # its département
    rule = SensitivityRule.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            f"/admin/referentiel/sensitivityrule/{rule.pk}/delete/", {"post": "yes"}
        )
    occ.refresh_from_db()
    assert (occ.sensitivity_level, occ.blurred_geom) == (0, None)
