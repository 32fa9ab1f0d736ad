"""import_taxon_status: regional statuses from a CSV, every error reported, all or nothing."""

import pytest
from django.core.management.base import CommandError

from referentiel.models import TaxonStatus
from referentiel.services.imports import ImportFileError, taxon_statuses_import
from tests.referentiel.conftest import STATUSES, run

pytestmark = pytest.mark.django_db

HEADER = "cd_nom;rarete;liste_rouge;protection;patrimonial;eee;determinant_znieff;sensibilite"


def csv_write(tmp_path, *lines: str, name: str = "statuts.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def statuses() -> dict[int, dict]:
    return {
        row.pop("taxon_id"): row
        for row in TaxonStatus.objects.order_by("taxon_id").values()
    }


def test_imports_a_semicolon_file_with_bom_and_accented_headers(taxa):
    output = run("import_taxon_status", STATUSES)

    assert "3 lignes lues, 3 statuts créés, 0 mis à jour, 0 inchangés" in output
    assert "Colonnes ignorées : nom." in output
    triton = TaxonStatus.objects.get(taxon_id=139)
    assert (triton.rarity, triton.red_list) == ("AR", "VU")
    assert triton.protection == "Arrêté du 8 janvier 2021, article 2"
    assert (
        triton.is_protected and triton.is_patrimonial and triton.is_znieff_determinant
    )
    assert not triton.is_invasive
    assert triton.sensitivity_level == 2
    merle = TaxonStatus.objects.get(taxon_id=4117)
    assert (merle.rarity, merle.is_protected, merle.is_patrimonial) == (
        "CC",
        False,
        False,
    )
    oeillet = TaxonStatus.objects.get(taxon_id=94716)
    assert oeillet.is_patrimonial and oeillet.is_znieff_determinant
    assert oeillet.sensitivity_level == 0  # empty cell


def test_comma_separated_file(taxa, tmp_path):
    path = csv_write(tmp_path, "cd_nom,eee,sensibilite", "60479,x,1", '3676,"non",4')

    result = taxon_statuses_import(path=path)

    assert (result.created, result.read) == (2, 2)
    assert TaxonStatus.objects.get(taxon_id=60479).is_invasive
    assert TaxonStatus.objects.get(taxon_id=3676).sensitivity_level == 4


def test_reimport_is_idempotent_and_only_given_columns_change(taxa, tmp_path):
    run("import_taxon_status", STATUSES)
    before = statuses()

    assert "0 statuts créés, 0 mis à jour, 3 inchangés" in run(
        "import_taxon_status", STATUSES
    )
    assert statuses() == before

    path = csv_write(tmp_path, "cd_nom;liste_rouge", "139;EN", "4117;LC")
    output = run("import_taxon_status", path)

    assert "0 statuts créés, 1 mis à jour, 1 inchangés" in output
    triton = TaxonStatus.objects.get(taxon_id=139)
    assert triton.red_list == "EN"
    assert triton.rarity == "AR"  # absent from the file: kept


def test_unknown_cd_nom_names_line_and_column_and_imports_nothing(taxa, tmp_path):
    path = csv_write(tmp_path, HEADER, "4117;C;LC;;non;non;non;0", "123456;R;;;;;;")

    with pytest.raises(CommandError) as error:
        run("import_taxon_status", path)

    assert "« statuts.csv », ligne 3, colonne cd_nom : taxon 123456 inconnu" in str(
        error.value
    )
    assert "rien n'a été importé" in str(error.value)
    assert not TaxonStatus.objects.exists()


def test_every_bad_value_is_reported(taxa, tmp_path):
    run("import_taxon_status", STATUSES)
    before = statuses()
    path = csv_write(
        tmp_path,
        HEADER,
        "4117;XX;LC;;non;non;non;0",
        "139;AR;ZZ;;peut-être;non;non;7",
        "abc;AR;LC;;non;non;non;0",
        "3676;AR;LC;;non;non",
        "94716;AR;LC;;non;non;non;0",
        "94716;AR;LC;;non;non;non;0",
    )

    with pytest.raises(ImportFileError) as error:
        taxon_statuses_import(path=path)

    assert error.value.errors == [
        "« statuts.csv », ligne 2, colonne rarete : code « XX » inconnu (codes admis "
        ": E, RR, R, AR, PC, AC, C, CC).",
        "« statuts.csv », ligne 3, colonne liste_rouge : code « ZZ » inconnu (codes "
        "admis : RE, CR, EN, VU, NT, LC, DD, NA, NE).",
        "« statuts.csv », ligne 3, colonne patrimonial : « peut-être » : oui/non, 1/0, "
        "true/false ou x attendu.",
        "« statuts.csv », ligne 3, colonne sensibilite : « 7 » : niveau de 0 à 4 "
        "attendu.",
        "« statuts.csv », ligne 4, colonne cd_nom : « abc » n'est pas un nombre entier.",
        "« statuts.csv », ligne 5 : 6 colonnes au lieu de 8.",
        "« statuts.csv », ligne 7 : cd_nom 94716 déjà présent ligne 6.",
    ]
    assert statuses() == before


def test_errors_are_capped(taxa, tmp_path):
    path = csv_write(tmp_path, "cd_nom;rarete", *(f"{n};R" for n in range(1000, 1150)))

    with pytest.raises(ImportFileError) as error:
        taxon_statuses_import(path=path)

    assert len(error.value.errors) == 100 and error.value.total == 150
    assert "… et 50 autre(s) erreur(s) non affichée(s)." in error.value.message


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["taxon;rarete", "4117;R"], "colonne cd_nom absente de l'en-tête"),
        (["cd_nom;nom", "4117;Merle"], "aucune colonne de statut"),
        (["cd_nom;rarete;Rareté", "4117;R;R"], "colonne(s) en double : rarete"),
        ([""], "est vide"),
    ],
)
def test_rejected_headers(db, tmp_path, lines, expected):
    with pytest.raises(ImportFileError) as error:
        taxon_statuses_import(path=csv_write(tmp_path, *lines))

    assert expected in error.value.message


def test_not_utf8(db, tmp_path):
    path = tmp_path / "statuts.csv"
    path.write_bytes("cd_nom;protection\n4117;Arrêté\n".encode("cp1252"))

    with pytest.raises(ImportFileError) as error:
        taxon_statuses_import(path=path)

    assert error.value.errors == [
        "« statuts.csv », ligne 2 : encodage invalide (UTF-8 attendu)."
    ]
