"""import_taxref: the TAXREF TXT layout, upsert by cd_nom, and files rejected whole."""

from pathlib import Path

import pytest
from django.core.management.base import CommandError
from django.db import connection

from referentiel.models import Taxon
from referentiel.models.taxa import build_search_text
from referentiel.services.imports import ImportFileError, taxref_import, taxref_sql
from referentiel.services.imports.taxref import taxref_version_from_name
from tests.referentiel.conftest import TAXREF_V11, TAXREF_V18, run

pytestmark = pytest.mark.django_db


def taxref_lines() -> list[list[str]]:
    """The v18 sample as rows of values, header first."""
    text = TAXREF_V18.read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines()]


def taxref_write(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")
    return path


def set_value(rows: list[list[str]], cd_nom: str, column: str, value: str) -> None:
    header = rows[0]
    row = next(r for r in rows[1:] if r[header.index("CD_NOM")] == cd_nom)
    row[header.index(column)] = value


def snapshot() -> list[tuple]:
    return list(Taxon.objects.order_by("cd_nom").values_list())


def test_imports_the_v18_layout_with_every_field():
    output = run("import_taxref", TAXREF_V18)

    assert "8 lignes lues, 8 taxons créés, 0 mis à jour, 0 inchangés" in output
    assert "TAXREF V18" in output  # version taken from the file name
    merle = Taxon.objects.get(cd_nom=4117)
    assert (merle.cd_ref, merle.cd_sup, merle.cd_taxsup) == (4117, 192502, 192502)
    assert (merle.rank, merle.scientific_name, merle.author) == (
        "ES",
        "Turdus merula",
        "Linnaeus, 1758",
    )
    assert merle.full_name == "Turdus merula Linnaeus, 1758"
    assert merle.vernacular_name == "Merle noir"
    assert merle.vernacular_name_en == "Common Blackbird"
    assert (merle.kingdom, merle.class_name, merle.order_name, merle.family) == (
        "Animalia",
        "Aves",
        "Passeriformes",
        "Turdidae",
    )
    assert merle.group3_inpn == "Oiseaux"
    assert (merle.habitat, merle.fr_status, merle.taxref_version) == ("3", "P", "V18")
    assert merle.is_valid
    oeillet = Taxon.objects.get(cd_nom=94716)
    assert oeillet.search_text == build_search_text(
        "Dianthus carthusianorum", "Œillet des Chartreux"
    )
    assert oeillet.search_text == "dianthus carthusianorum|oeillet des chartreux"


def test_synonym_keeps_its_link_to_the_valid_name():
    run("import_taxref", TAXREF_V18)

    synonym = Taxon.objects.get(cd_nom=3760)
    assert synonym.cd_ref == 534742 and not synonym.is_valid
    assert synonym.cd_sup is None
    assert synonym.valid_name == "Cyanistes caeruleus (Linnaeus, 1758)"


def test_atlas_groups_come_from_the_rules():
    run("import_taxref", TAXREF_V18)

    groups = dict(Taxon.objects.values_list("scientific_name", "atlas_group__code"))
    assert groups["Turdus merula"] == "oiseaux"
    assert groups["Pipistrellus pipistrellus"] == "chiropteres"  # before mammifères
    assert groups["Triturus cristatus"] == "amphibiens"
    assert groups["Dianthus carthusianorum"] == "flore"


def test_version_option_and_file_name():
    run("import_taxref", TAXREF_V18, "--version", "V17")
    assert set(Taxon.objects.values_list("taxref_version", flat=True)) == {"V17"}
    assert taxref_version_from_name("TAXREF_v18_2025.txt") == "V18"
    assert taxref_version_from_name("TAXREFv9.txt") == "V9"
    assert taxref_version_from_name("taxons.txt") == ""


def test_reimport_is_idempotent_and_updates_changed_rows(tmp_path):
    run("import_taxref", TAXREF_V18)
    before = snapshot()

    output = run("import_taxref", TAXREF_V18)

    assert "0 taxons créés, 0 mis à jour, 8 inchangés" in output
    assert snapshot() == before
    rows = taxref_lines()
    set_value(rows, "4117", "NOM_VERN", "Merle noir, Merle")
    new = dict(zip(rows[0], rows[1], strict=True))
    new.update(CD_NOM="999001", CD_REF="999001", LB_NOM="Turdus torquatus")
    rows.append([new[column] for column in rows[0]])
    output = run("import_taxref", taxref_write(tmp_path / "TAXREFv18.txt", rows))

    assert "9 lignes lues, 1 taxons créés, 1 mis à jour, 7 inchangés" in output
    merle = Taxon.objects.get(cd_nom=4117)
    assert merle.vernacular_name == "Merle noir, Merle"
    assert merle.search_text == "turdus merula|merle noir, merle"
    assert Taxon.objects.get(cd_nom=999001).scientific_name == "Turdus torquatus"


def test_older_layout_with_columns_in_another_order():
    output = run("import_taxref", TAXREF_V11, taxref_version="V11")

    assert "3 taxons créés" in output
    mesange = Taxon.objects.get(cd_nom=534742)
    assert (mesange.scientific_name, mesange.vernacular_name) == (
        "Cyanistes caeruleus",
        "Mésange bleue",
    )
    assert (mesange.family, mesange.group2_inpn, mesange.group3_inpn) == (
        "Paridae",
        "Vertébrés",
        "",  # absent from the old layout
    )
    assert mesange.cd_taxsup is None
    assert Taxon.objects.get(cd_nom=3760).cd_ref == 534742


def test_rejects_a_file_that_is_not_taxref(tmp_path):
    run("import_taxref", TAXREF_V18)
    before = snapshot()
    csv = tmp_path / "taxons.csv"
    csv.write_text(
        "cd_nom;lb_nom;nom_vern\n4117;Turdus merula;Merle\n", encoding="utf-8"
    )

    with pytest.raises(CommandError) as error:
        run("import_taxref", csv)

    message = str(error.value)
    assert "n'est pas un fichier TAXREF" in message
    assert "ligne 1" in message and "CD_NOM" in message
    assert snapshot() == before


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("CD_NOM", "abc", "CD_NOM « abc » n'est pas un nombre entier"),
        ("CD_REF", "", "CD_REF est vide"),
        ("CD_SUP", "12x", "CD_SUP « 12x » n'est pas un nombre entier"),
        ("CD_NOM", "12345678901", "n'est pas un nombre entier"),
        ("LB_NOM", "", "LB_NOM (nom scientifique) est vide"),
        ("RANG", "SOUS-ESPECE", "RANG dépasse 10 caractères"),
    ],
)
def test_a_bad_row_names_its_line_and_nothing_is_imported(
    tmp_path, column, value, expected
):
    run("import_taxref", TAXREF_V18)
    before = snapshot()
    rows = taxref_lines()
    set_value(rows, "4117", "NOM_VERN", "changé")  # a good change that must not land
    set_value(rows, "3764", column, value)  # Parus major is on line 5

    with pytest.raises(CommandError) as error:
        run("import_taxref", taxref_write(tmp_path / "TAXREFv18.txt", rows))

    assert "« TAXREFv18.txt », ligne 5 :" in str(error.value)
    assert expected in str(error.value)
    assert snapshot() == before


def test_wrong_number_of_columns(tmp_path):
    rows = taxref_lines()
    rows[3] = rows[3][:20]

    with pytest.raises(ImportFileError) as error:
        taxref_import(path=taxref_write(tmp_path / "t.txt", rows))

    assert error.value.errors == [
        "« t.txt », ligne 4 : 20 colonnes au lieu des 44 de l'en-tête."
    ]
    assert not Taxon.objects.exists()


def test_every_bad_line_is_reported_at_once(tmp_path):
    rows = taxref_lines()
    set_value(rows, "139", "LB_NOM", "")
    set_value(rows, "3676", "CD_REF", "x")

    with pytest.raises(ImportFileError) as error:
        taxref_import(path=taxref_write(tmp_path / "t.txt", rows))

    assert [message.split(" :")[0] for message in error.value.errors] == [
        "« t.txt », ligne 6",
        "« t.txt », ligne 8",
    ]


def test_duplicate_cd_nom_and_dangling_cd_ref(tmp_path):
    rows = taxref_lines()
    set_value(rows, "139", "CD_REF", "4117")
    set_value(rows, "139", "CD_NOM", "4117")
    set_value(rows, "3760", "CD_REF", "777")

    with pytest.raises(ImportFileError) as error:
        taxref_import(path=taxref_write(tmp_path / "t.txt", rows))

    assert error.value.errors == [
        "« t.txt », lignes 2, 8 : CD_NOM 4117 en double.",
        "« t.txt », ligne 4 : CD_REF 777 ne correspond à aucun CD_NOM du fichier ni "
        "des taxons déjà importés.",
    ]
    assert not Taxon.objects.exists()


def test_a_synonym_may_point_to_a_taxon_already_imported(tmp_path):
    run("import_taxref", TAXREF_V18)
    rows = taxref_lines()
    rows = [rows[0], rows[3]]  # Parus caeruleus alone, its valid name is in the base

    output = run("import_taxref", taxref_write(tmp_path / "t.txt", rows))

    assert "1 lignes lues" in output


def test_not_utf8_names_its_line(tmp_path):
    path = tmp_path / "t.txt"
    content = TAXREF_V18.read_bytes().replace(
        "Mésange charbonnière".encode(), "Mésange charbonnière".encode("cp1252")
    )
    path.write_bytes(content)

    with pytest.raises(ImportFileError) as error:
        taxref_import(path=path)

    assert error.value.errors == [
        "« t.txt », ligne 5 : encodage invalide (UTF-8 attendu)."
    ]


def test_backslashes_and_blank_lines_survive_copy(tmp_path):
    rows = taxref_lines()
    set_value(rows, "4117", "LB_AUTEUR", r"Linnaeus \ Gmelin, 1758")
    path = taxref_write(tmp_path / "t.txt", rows)
    path.write_text(path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")

    taxref_import(path=path)

    assert Taxon.objects.get(cd_nom=4117).author == r"Linnaeus \ Gmelin, 1758"


def secondary_objects() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s"
            " UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass",
            [Taxon._meta.db_table] * 2,
        )
        return set(cursor.fetchall())


def test_large_load_rebuilds_the_indexes_it_dropped(monkeypatch):
    before = secondary_objects()
    assert any(name == "taxon_search_trgm" for name, _definition in before)
    monkeypatch.setattr(taxref_sql, "REBUILD_MIN_ROWS", 1)

    result = taxref_import(path=TAXREF_V18)

    assert result.index_rebuilt
    assert secondary_objects() == before
    assert Taxon.objects.search("merle").get().cd_nom == 4117


def test_small_update_keeps_the_indexes():
    run("import_taxref", TAXREF_V18)

    assert not taxref_import(path=TAXREF_V18).index_rebuilt


def test_refresh_atlas_groups_command():
    run("import_taxref", TAXREF_V18)
    Taxon.objects.filter(cd_nom__in=[4117, 139]).update(atlas_group=None)

    output = run("refresh_atlas_groups")

    assert "Groupe d'atlas recalculé : 2 taxon(s) modifié(s)." in output
    assert Taxon.objects.get(cd_nom=4117).atlas_group.code == "oiseaux"
    assert "0 taxon(s)" in run("refresh_atlas_groups")
