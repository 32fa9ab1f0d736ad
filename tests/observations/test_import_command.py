"""``manage.py import_occurrences``: French report, exit codes, dry run, saved mapping."""

from io import StringIO

import pytest
from django.core.management import ManagementUtility, call_command
from django.db import connections

from observations.imports import import_mapping_save
from observations.models import ImportBatch, Occurrence
from tests.factories.referentiel import LOOS_X, LOOS_Y
from tests.observations.imports_support import (
    LAT,
    LON,
    SINP_HEADER,
    dataset_create,
    good_rows,
    referential_create,
    write_csv,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def referential(db):
    return referential_create()


@pytest.fixture
def dataset(saisie_user):
    return dataset_create(saisie_user)


def _run(*args) -> tuple[int, str, str]:
    """Run the command as ``manage.py`` would: (exit code, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    utility = ManagementUtility(["manage.py", "import_occurrences", *map(str, args)])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdout", out)
        patch.setattr("sys.stderr", err)
        # run_from_argv closes the connections at the end: keep the test's transaction.
        patch.setattr(connections, "close_all", lambda: None)
        try:
            utility.execute()
        except SystemExit as exit_:
            return exit_.code or 0, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_refused_file_prints_errors_and_exits_non_zero(
    tmp_path, saisie_user, dataset, referential
):
    rows = good_rows()
    rows[1][0] = 999999
    rows[2][4] = 2.35
    rows[2][5] = 48.85
    path = write_csv(tmp_path / "a.csv", SINP_HEADER, rows)
    code, out, err = _run(path, "--dataset", dataset.uuid, "--user", saisie_user)
    assert code == 1
    assert "Fichier refusé : 2 erreurs à corriger" in err
    assert "Ligne 3, colonne « cdNom » : taxon inconnu : cd_nom 999999" in err
    assert "Ligne 4, colonne « longitude / latitude » : localisation hors du" in err
    assert not Occurrence.objects.exists()


def test_import_dry_run_and_report(tmp_path, saisie_user, dataset, referential):
    path = write_csv(tmp_path / "a.csv", SINP_HEADER, good_rows())
    code, out, _err = _run(path, "--dataset", dataset.uuid, "--dry-run")
    assert code == 0 and "Essai à blanc réussi" in out
    assert not Occurrence.objects.exists()
    out = StringIO()
    call_command(
        "import_occurrences", str(path), dataset=str(dataset.uuid), user="", stdout=out
    )
    assert "4 observation(s) créée(s)" in out.getvalue()
    assert Occurrence.objects.count() == 4


def test_bad_arguments(tmp_path, saisie_user, partenaire_user, dataset):
    path = write_csv(tmp_path / "a.csv", SINP_HEADER, good_rows())
    code, _out, err = _run(path, "--dataset", "pas-un-uuid")
    assert code == 1 and "UUID de jeu de données invalide" in err
    code, _out, err = _run(tmp_path / "absent.csv", "--dataset", dataset.uuid)
    assert code == 1 and "introuvable" in err
    code, _out, err = _run(path, "--dataset", dataset.uuid, "--user", partenaire_user)
    assert code == 1 and "n'a pas le droit" in err
    bomb = tmp_path / "faux.xlsx"
    bomb.write_bytes(b"not a zip")
    code, _out, err = _run(bomb, "--dataset", dataset.uuid)
    assert code == 1 and "pas un classeur XLSX" in err
    assert not ImportBatch.objects.exists()


def test_named_mapping_and_organisation_default(
    tmp_path, saisie_user, dataset, referential
):
    header = ["Espèce", "Date", "Qui", "X93", "Y93"]
    rows = [[351, "2020-05-12", "DUPONT Lise", LOOS_X + 100, LOOS_Y + 100]]
    path = write_csv(tmp_path / "tableur.csv", header, rows)
    code, _out, err = _run(path, "--dataset", dataset.uuid)
    assert code == 1 and "Colonnes non reconnues" in err
    import_mapping_save(
        organisation=saisie_user.organisation,
        name="Tableur",
        mapping={
            "columns": {
                "cdNom": "Espèce",
                "dateDebut": "Date",
                "observateur": "Qui",
                "x": "X93",
                "y": "Y93",
            },
            "srid": 2154,
        },
        is_default=False,
    )
    code, out, err = _run(path, "--dataset", dataset.uuid, "--mapping", "Tableur")
    assert code == 0, err
    assert "1 observation(s) créée(s)" in out
    assert Occurrence.objects.get().communes == ["62528"]
    code, _out, err = _run(path, "--dataset", dataset.uuid, "--mapping", "Autre")
    assert code == 1 and "introuvable" in err


def test_default_mapping_is_used_when_columns_are_not_standard(
    tmp_path, saisie_user, dataset, referential
):
    import_mapping_save(
        organisation=saisie_user.organisation,
        name="Modèle par défaut",
        mapping={
            "columns": {
                "cdNom": "taxon",
                "dateDebut": "jour",
                "observateur": "obs",
                "longitude": "lon",
                "latitude": "lat",
            },
            "srid": 4326,
        },
        is_default=True,
    )
    header = ["taxon", "jour", "obs", "lon", "lat"]
    path = write_csv(tmp_path / "t.csv", header, [[3676, "2021-06-01", "X", LON, LAT]])
    code, out, err = _run(path, "--dataset", dataset.uuid, "--user", saisie_user)
    assert code == 0, err
    assert "Modèle par défaut" in out and "1 observation(s) créée(s)" in out
