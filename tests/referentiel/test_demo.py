"""The demo: shipped taxa file, ``load_demo`` (idempotent), accounts, sites and datasets."""

import csv
import importlib.util
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db.models import Max

from referentiel.demo.accounts import ADMIN, DEMO_ACCOUNTS
from referentiel.demo.programmes import DATASETS, dataset_uuid
from referentiel.demo.sites import SITES, sites_upsert
from referentiel.models import (
    Commune,
    Dataset,
    Organisation,
    Person,
    Programme,
    Role,
    Scope,
    Site,
    Taxon,
    User,
)
from tests.demo_db import demo_database

TAXA_DIR = Path(__file__).resolve().parents[2] / "referentiel" / "data" / "taxa"
# Every demo site lies in Nord or Pas-de-Calais: loading only those keeps the test fast.
DEMO_DEPARTEMENTS = ["59", "62"]
MODELS = (Organisation, Person, Site, Programme, Dataset, User, Taxon, Commune)


def load_build_script():
    spec = importlib.util.spec_from_file_location(
        "build_taxref_demo", TAXA_DIR / "build_taxref_demo.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_load_demo() -> str:
    # The apps' own demos (observations…) are tested in their tests.
    output = StringIO()
    call_command(
        "load_demo",
        "--departements",
        *DEMO_DEPARTEMENTS,
        "--referentiel-seul",
        stdout=output,
    )
    return output.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The referential's demo (``run_load_demo``), a copy of the demo template loaded so
    for this module (tests/demo_db.py)."""
    with django_db_blocker.unblock(), demo_database("referentiel"):
        yield


# The shipped TAXREF demo file ------------------------------------------------------------


def test_taxref_demo_file_is_up_to_date(tmp_path):
    build = load_build_script()
    rebuilt = tmp_path / "taxref_demo.txt"
    build.write(build.build_rows(), rebuilt)
    assert rebuilt.read_text(encoding="utf-8") == (
        TAXA_DIR / "taxref_demo.txt"
    ).read_text(encoding="utf-8")


def test_taxref_demo_file_has_the_v18_layout_and_only_listed_codes():
    build = load_build_script()
    with (TAXA_DIR / "taxref_demo.txt").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert list(rows[0]) == build.HEADER
    assert len(build.HEADER) == 44
    codes = [int(row["CD_NOM"]) for row in rows]
    assert len(codes) == len(set(codes))
    listed = {
        cd_nom
        for filename, reader, _ in build.SOURCES
        for cd_nom, *_ in reader(TAXA_DIR / filename)
    }
    assert set(codes) <= listed
    assert all(row["CD_REF"] == row["CD_NOM"] for row in rows)
    assert all(value == value.strip() for row in rows for value in row.values())


@pytest.mark.parametrize(
    ("full_name", "expected"),
    [
        ("Alytes Wagler, 1829", ("Alytes", "Wagler, 1829", "GN")),
        ("Bufo bufo (Linnaeus, 1758)", ("Bufo bufo", "(Linnaeus, 1758)", "ES")),
        (
            "Asplenium obovatum subsp. billotii (F.W.Schultz) Kerguélen, 1998",
            (
                "Asplenium obovatum subsp. billotii",
                "(F.W.Schultz) Kerguélen, 1998",
                "SSES",
            ),
        ),
        ("Acanthis flammea cabaret", ("Acanthis flammea cabaret", "", "SSES")),
        (
            "Verbascum x fluminense Nyman, 1889",
            ("Verbascum x fluminense", "Nyman, 1889", "ES"),
        ),
        (
            "Hieracium christianbernardii de Retz, 1974",
            ("Hieracium christianbernardii", "de Retz, 1974", "ES"),
        ),
        ("Amphibia Blainville, 1816", ("Amphibia", "Blainville, 1816", "CL")),
        ("Passeriformes", ("Passeriformes", "", "OR")),
        ("Orchidaceae Juss., 1789", ("Orchidaceae", "Juss., 1789", "FM")),
        (
            "Triturus cristatus x T. marmoratus",
            ("Triturus cristatus x T. marmoratus", "", "ES"),
        ),
    ],
)
def test_names_are_split_into_name_author_and_rank(full_name, expected):
    assert load_build_script().split_name(full_name) == expected


def test_a_cd_nom_listed_twice_is_written_once_with_both_lists_merged():
    rows = load_build_script().build_rows()
    swallow = rows[3696]  # in oiseaux_communs.csv and autres_especes.csv
    assert swallow["LB_NOM"] == "Hirundo rustica"
    assert swallow["NOM_VERN"] == "Hirondelle rustique, Hirondelle de cheminée"
    assert swallow["CLASSE"] == "Aves"
    assert rows[60418]["ORDRE"] == "Chiroptera"  # bats: from the "groupe" column
    assert rows[259]["NOM_VERN"] == "Crapaud commun"  # "(Le)" removed


# load_demo --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing(demo):
    counts = {model: model.objects.count() for model in MODELS}
    last_changes = {
        model: model.objects.aggregate(last=Max("updated_at"))["last"]
        for model in (Organisation, Person, Site, Programme, Dataset)
    }
    output = run_load_demo()
    assert {model: model.objects.count() for model in MODELS} == counts
    assert {
        model: model.objects.aggregate(last=Max("updated_at"))["last"]
        for model in last_changes
    } == last_changes
    assert "Communes : déjà chargées" in output
    assert "Taxons : déjà chargés" in output


@pytest.mark.django_db
def test_demo_holds_the_context_of_the_report(demo):
    assert Site.objects.count() == len(SITES)
    assert Taxon.objects.filter(cd_nom=66268, atlas_group__code="orthopteres").exists()
    assert Organisation.objects.filter(kind=Organisation.Kind.CPIE).count() >= 2
    for code in ("STOC-CAPTURE", "PHENO", "POP-AMPHIBIEN", "WETLANDS", "EVAL-TERRILS"):
        assert Programme.objects.filter(code=code).exists()
    stoc = Programme.objects.get(code="STOC-CAPTURE")
    assert stoc.coordinator.short_name == "CRBPO"
    assert list(stoc.taxon_groups.values_list("code", flat=True)) == ["oiseaux"]


@pytest.mark.django_db
def test_every_site_has_its_communes(demo):
    assert not Site.objects.filter(communes__isnull=True).exists()

    def communes(name):
        return set(Site.objects.get(name=name).communes.values_list("name", flat=True))

    assert communes("Bac à schlamms de Dourges") == {"Dourges", "Hénin-Beaumont"}
    assert communes("ZEC Delta 3") == {"Ostricourt", "Dourges"}
    assert communes("Terril n° 123-141") == {"Roost-Warendin"}
    assert communes("Terrils jumeaux du 11/19") == {"Loos-en-Gohelle"}


@pytest.mark.django_db
def test_the_cpie_works_on_the_communes_around_its_sites(demo):
    cpie = Organisation.objects.get(name="CPIE Chaîne des Terrils")
    territory = set(cpie.territory_communes.values_list("name", flat=True))
    assert {"Loos-en-Gohelle", "Dourges", "Roost-Warendin", "Avion"} <= territory
    assert not {"Calais", "Boulogne-sur-Mer", "Dunkerque"} & territory
    # Every commune of every site belongs to it.
    assert set(Site.objects.values_list("communes__name", flat=True)) <= territory


@pytest.mark.django_db
def test_datasets_have_producers_and_stable_uuids(demo):
    assert Dataset.objects.count() == len(DATASETS)
    assert not Dataset.objects.filter(producer__isnull=True).exists()
    for spec in DATASETS:
        dataset = Dataset.objects.get(uuid=dataset_uuid(spec.title))
        assert dataset.producer.name == spec.producer
        assert dataset.programme.code == spec.programme


@pytest.mark.django_db
def test_private_garden_is_hidden_from_anonymous_visitors(demo):
    garden = Site.objects.get(name="Jardin privé de Vimy")
    assert not garden.is_public
    assert garden not in Site.objects.visible_to(AnonymousUser())
    # A protected site is the secret of who manages or surveys it (issue 17).
    assert garden not in Site.objects.visible_to(
        User.objects.get(username="partenaire")
    )
    regional = User.objects.get(username="coordinateur-regional")
    assert garden in Site.objects.visible_to(regional)


@pytest.mark.django_db
def test_bat_hibernacula_are_protected_sites(demo):
    """The winter bat roosts hold sensitive counts: their point is the bats' point, so they
    are protected places (``is_public`` unchecked), also in a demo loaded before."""
    roosts = Site.objects.filter(kind=Site.Kind.GITE)
    assert roosts.count() == 10
    assert not roosts.filter(is_public=True).exists()
    roosts.update(is_public=True)
    sites_upsert(organisations={o.name: o for o in Organisation.objects.all()})
    assert not roosts.filter(is_public=True).exists()
    assert Site.objects.filter(is_public=True).count() == sum(
        spec.is_public for spec in SITES
    )


EXPECTED_SCOPES = {
    "saisie": (Scope.ORGANISATION, Scope.OWN),
    "validateur": (Scope.ORGANISATION, None),  # validates, enters nothing
    "coordinateur": (Scope.ORGANISATION, Scope.ORGANISATION),
    "coordinateur-regional": (Scope.ALL, Scope.ALL),
    "partenaire": (Scope.ORGANISATION, None),
    "admin": (Scope.ALL, Scope.ALL),
}


@pytest.mark.django_db
@pytest.mark.parametrize("spec", DEMO_ACCOUNTS, ids=lambda spec: spec.username)
def test_demo_accounts_have_their_role_scope_and_person(demo, spec):
    user = User.objects.get(username=spec.username)
    assert user.check_password(spec.password)
    assert user.organisation.name == spec.organisation
    assert user.person.organisation == user.organisation
    assert f"{user.first_name} {user.last_name}" == spec.person
    assert (user.read_scope, user.write_scope) == EXPECTED_SCOPES[spec.username]
    if spec.role == ADMIN:
        assert user.is_superuser and user.is_staff
    else:
        assert user.roles == {spec.role}
        assert not user.is_staff


@pytest.mark.django_db
def test_validator_and_regional_coordinator(demo):
    validator = User.objects.get(username="validateur")
    assert set(validator.validation_groups.values_list("code", flat=True)) == {
        "oiseaux",
        "amphibiens",
        "reptiles",
    }
    regional = User.objects.get(username="coordinateur-regional")
    assert regional.is_regional and regional.has_role(Role.COORDINATEUR)
    partner = User.objects.get(username="partenaire")
    assert partner.organisation.name == "Eden 62"


@pytest.mark.django_db
def test_demo_accounts_command_prints_a_french_table(demo):
    output = StringIO()
    call_command("demo_accounts", stdout=output)
    text = output.getvalue()
    assert "Identifiant" in text and "Mot de passe" in text and "Organisme" in text
    for spec in DEMO_ACCOUNTS:
        assert spec.username in text and spec.password in text
    assert "Coordinateur régional" in text
    assert "absents" not in text


@pytest.mark.django_db
def test_load_demo_runs_the_demo_of_each_app_after_the_referential(demo, monkeypatch):
    """Every app's demo runs, in the layers' order, once the referential demo is there
    (the apps' own demos are tested in their apps: here each one only reports)."""
    called = []
    apps_with_demo = [
        "observations",
        "baguage",
        "terrils",
        "zones_humides",
        "sensibilisation",
        "indicateurs",
    ]
    for app in apps_with_demo:
        monkeypatch.setattr(
            f"{app}.demo.load_demo",
            lambda *, log, app=app: (
                called.append((app, Site.objects.count())) or log(f"{app} : ok")
            ),
        )
    output = StringIO()
    call_command("load_demo", "--departements", *DEMO_DEPARTEMENTS, stdout=output)
    # The referential demo is there when each app's runs, observations first.
    assert called == [(app, len(SITES)) for app in apps_with_demo]
    assert "indicateurs : ok" in output.getvalue()
