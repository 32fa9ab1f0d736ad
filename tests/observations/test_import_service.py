"""Import service: the "done when" story (3 bad rows refused, fixed file imported, re-import
adds nothing, undo), idempotent keys, updates with history, all-or-nothing."""

import pytest

from observations.imports import ImportRefused, import_batch_undo
from observations.models import ImportBatch, Occurrence, OccurrenceChange, Validation
from tests.factories.referentiel import DatasetFactory, PersonFactory
from tests.observations.imports_support import (
    LAT,
    LON,
    SINP_HEADER,
    dataset_create,
    good_rows,
    referential_create,
    run_import,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def referential(db):
    return referential_create()


@pytest.fixture
def dataset(saisie_user):
    return dataset_create(saisie_user)


def bad_rows() -> list[list]:
    rows = good_rows()
    rows[0][0] = 999999  # line 2: unknown taxon
    rows[1][2] = "31/02/2020"  # line 3: no such date
    rows[3][6], rows[3][7] = 9, 4  # line 5: min > max
    return rows


def test_three_bad_rows_are_refused_with_precise_messages(
    tmp_path, saisie_user, dataset, referential
):
    path = write_xlsx(tmp_path / "releves.xlsx", SINP_HEADER, bad_rows())
    batch = run_import(path, user=saisie_user, dataset=dataset)
    assert batch.status == ImportBatch.Status.INVALID
    assert [(e["line"], e["column"]) for e in batch.errors] == [
        (2, "cdNom"),
        (3, "dateDebut"),
        (5, "denombrementMax"),
    ]
    messages = [e["message"] for e in batch.errors]
    assert "cd_nom 999999" in messages[0] and "TAXREF" in messages[0]
    assert "31/02/2020" in messages[1]
    assert "minimal (9) supérieur au maximal (4)" in messages[2]
    assert batch.message.startswith("Fichier refusé : 3 erreurs")
    assert not Occurrence.objects.exists()


def test_fixed_file_imports_then_reimport_adds_nothing_then_undo(
    tmp_path, saisie_user, dataset, referential
):
    person = PersonFactory(last_name="Dupont", first_name="Lise")
    path = write_xlsx(tmp_path / "releves.xlsx", SINP_HEADER, good_rows())
    batch = run_import(path, user=saisie_user, dataset=dataset)
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    assert (batch.created_count, batch.updated_count, batch.total_rows) == (4, 0, 4)
    first = Occurrence.objects.get(comment="Chant")
    assert first.source == "import" and first.import_batch == batch
    assert first.cited_name == "Alauda arvensis"
    assert (first.count_min, first.count_max, first.sex) == (2, 3, "3")
    assert first.communes == ["62528"] and first.grid_10km.startswith("10kmL93E068")
    assert first.source_key.startswith("empreinte:")
    assert list(first.observers.all()) == [person]
    # nomCite left empty: the taxon's name; dates in French format
    second = Occurrence.objects.get(comment="Près de l'étang")
    assert second.cited_name == "Rana temporaria"
    assert second.date_start.isoformat() == "2020-05-13"
    assert (
        not OccurrenceChange.objects.exists()
    )  # the batch is the history of creations

    again = run_import(path, user=saisie_user, dataset=dataset)
    assert again.status == ImportBatch.Status.DONE
    assert (again.created_count, again.updated_count) == (0, 0)
    assert Occurrence.objects.count() == 4

    deleted = import_batch_undo(batch=batch, user=saisie_user)
    assert deleted == 4
    assert not Occurrence.objects.exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UNDONE


def test_corrected_comment_updates_in_place_with_history(
    tmp_path, coordinateur_user, referential
):
    dataset = DatasetFactory(producer=coordinateur_user.organisation)
    rows = good_rows()
    path = write_csv(tmp_path / "a.csv", SINP_HEADER, rows)
    run_import(path, user=coordinateur_user, dataset=dataset)
    occurrence = Occurrence.objects.get(comment="Chant")
    Occurrence.objects.filter(pk=occurrence.pk).update(validation_status=1)
    rows[0][9] = "Chant, 2 mâles"  # not part of the row's fingerprint
    batch = run_import(
        write_csv(tmp_path / "b.csv", SINP_HEADER, rows),
        user=coordinateur_user,
        dataset=dataset,
    )
    assert (batch.created_count, batch.updated_count) == (0, 1)
    occurrence.refresh_from_db()
    assert occurrence.comment == "Chant, 2 mâles"
    assert occurrence.validation_status == 0  # an edited validated record goes back
    change = occurrence.changes.get()
    assert change.action == "update"
    assert change.changes == {"comment": ["Chant", "Chant, 2 mâles"]}
    assert Validation.objects.get(occurrence=occurrence).status == 0


def test_uuid_rows_upsert_and_foreign_uuid_is_refused(
    tmp_path, saisie_user, dataset, referential
):
    key = "0f7d2c1e-9a55-4c3e-8b1a-2d6f4a1b7c90"
    header = [*SINP_HEADER, "idSINPOccTax"]
    rows = [[*good_rows()[0], key]]
    batch = run_import(
        write_csv(tmp_path / "a.csv", header, rows), user=saisie_user, dataset=dataset
    )
    assert batch.created_count == 1
    occurrence = Occurrence.objects.get(uuid=key)
    assert occurrence.source_key == ""
    rows[0][6], rows[0][7] = 4, 6
    batch = run_import(
        write_csv(tmp_path / "b.csv", header, rows), user=saisie_user, dataset=dataset
    )
    assert (batch.created_count, batch.updated_count) == (0, 1)
    occurrence.refresh_from_db()
    assert (occurrence.count_min, occurrence.count_max) == (4, 6)

    other = DatasetFactory(producer=saisie_user.organisation)
    batch = run_import(
        write_csv(tmp_path / "c.csv", header, rows), user=saisie_user, dataset=other
    )
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.errors[0]["column"] == "idSINPOccTax"
    assert "autre jeu de données" in batch.errors[0]["message"]


def test_every_kind_of_row_error_is_reported(
    tmp_path, saisie_user, dataset, referential
):
    header = [*SINP_HEADER, "idSINPOccTax", "statutObservation", "dateFin"]
    ok = [3676, "", "2020-05-12", "X", LON, LAT, 1, 1, "", "", "", "Pr", ""]
    rows = [
        [*ok[:2], "2999-01-01", *ok[3:]],  # 2 future date
        [*ok[:12], "2020-05-01"],  # 3 start after end
        [*ok[:6], -1, *ok[7:]],  # 4 negative count
        [*ok[:6], "1,5", *ok[7:]],  # 5 non-integer count
        [*ok[:4], 2.35, 48.85, *ok[6:]],  # 6 Paris: outside the territory
        [*ok[:8], "Z", *ok[9:]],  # 7 unknown code
        [*ok[:10], "pas-un-uuid", *ok[11:]],  # 8 malformed UUID
        ok,  # 9
        ok,  # 10 duplicate of line 9
        [*ok[:9], "a\x00b", *ok[10:]],  # 11 NUL byte
        [*ok[:6], 2, 2, *ok[8:11], "Pr", "2020-05-12"],  # 12 fine
        [*ok[:4], "abc", LAT, *ok[6:]],  # 13 bad coordinate
    ]
    batch = run_import(
        write_csv(tmp_path / "a.csv", header, rows), user=saisie_user, dataset=dataset
    )
    found = {(e["line"], e["column"]): e["message"] for e in batch.errors}
    assert "futur" in found[(2, "dateDebut")]
    assert "postérieure" in found[(3, "dateFin")]
    assert "négatif" in found[(4, "denombrementMin")]
    assert "entier" in found[(5, "denombrementMin")]
    assert "hors du territoire" in found[(6, "longitude / latitude")]
    assert "inconnu" in found[(7, "occSexe")]
    assert "UUID" in found[(8, "idSINPOccTax")]
    assert "identique à la ligne 9" in found[(10, "")]
    assert "NUL" in found[(11, "commentaire")]
    assert "nombre" in found[(13, "longitude / latitude")]
    assert batch.total_rows == 12
    assert len(batch.errors) == 10
    assert not Occurrence.objects.exists()


def test_error_report_is_capped_but_counts_everything(
    tmp_path, saisie_user, dataset, referential, settings
):
    settings.IMPORT_MAX_REPORTED_ERRORS = 5
    rows = [
        [424242, "", "2020-05-12", "X", LON, LAT, i, i, "", f"n°{i}"] for i in range(8)
    ]
    batch = run_import(
        write_csv(tmp_path / "a.csv", SINP_HEADER, rows),
        user=saisie_user,
        dataset=dataset,
    )
    assert len(batch.errors) == 5
    assert "8 erreurs" in batch.message and "5 premières" in batch.message


def test_dry_run_checks_without_writing(tmp_path, saisie_user, dataset, referential):
    path = write_csv(tmp_path / "a.csv", SINP_HEADER, good_rows())
    batch = run_import(path, user=saisie_user, dataset=dataset, dry_run=True)
    assert batch.status == ImportBatch.Status.CHECKED
    assert "4 nouvelle(s)" in batch.message
    assert not Occurrence.objects.exists()


def test_undo_refused_once_validated_unless_forced_by_coordinator(
    tmp_path, saisie_user, coordinateur_user, dataset, referential
):
    path = write_csv(tmp_path / "a.csv", SINP_HEADER, good_rows())
    batch = run_import(path, user=saisie_user, dataset=dataset)
    Occurrence.objects.filter(comment="Chant").update(validation_status=1)
    with pytest.raises(ImportRefused, match="validées depuis"):
        import_batch_undo(batch=batch, user=saisie_user, force=True)
    with pytest.raises(ImportRefused, match="validées depuis"):
        import_batch_undo(batch=batch, user=coordinateur_user)
    assert import_batch_undo(batch=batch, user=coordinateur_user, force=True) == 4
    assert not Occurrence.objects.exists()


def test_staff_cannot_overwrite_a_colleague_record(
    tmp_path, saisie_user, coordinateur_user, dataset, referential
):
    rows = good_rows()
    run_import(
        write_csv(tmp_path / "a.csv", SINP_HEADER, rows),
        user=coordinateur_user,
        dataset=dataset,
    )
    unchanged = run_import(
        write_csv(tmp_path / "b.csv", SINP_HEADER, rows),
        user=saisie_user,
        dataset=dataset,
    )
    assert (
        unchanged.status == ImportBatch.Status.DONE
    )  # identical rows: nothing to write
    rows[0][9] = "autre commentaire"
    batch = run_import(
        write_csv(tmp_path / "c.csv", SINP_HEADER, rows),
        user=saisie_user,
        dataset=dataset,
    )
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.errors[0]["line"] == 2
    assert "autre personne" in batch.errors[0]["message"]


def test_valid_lines_mode_imports_the_good_lines_and_lists_the_others(
    tmp_path, saisie_user, coordinateur_user, dataset, referential
):
    """A row error (a date), a set-based one (an unknown taxon), a duplicated identifier
    and a colleague's record: those lines are left out and listed, the others imported."""
    run_import(
        write_csv(tmp_path / "theirs.csv", SINP_HEADER, good_rows()[3:]),
        user=coordinateur_user,
        dataset=dataset,
    )
    rows = bad_rows()[:2] + good_rows()[2:]  # lines 2 and 3 bad, 4 and 5 good
    rows[3][9] = "autre commentaire"  # line 5: changes the coordinator's record
    rows.append(list(good_rows()[2]))  # line 6: same as line 4
    path = write_csv(tmp_path / "partenaire.csv", SINP_HEADER, rows)
    batch = run_import(path, user=saisie_user, dataset=dataset, mode="valides")
    assert batch.status == ImportBatch.Status.DONE, batch.message
    assert [e["line"] for e in batch.errors] == [2, 3, 5, 6]
    assert [e["column"] for e in batch.errors[:2]] == ["cdNom", "dateDebut"]
    assert "autre personne" in batch.errors[2]["message"]
    assert "double" in batch.errors[3]["message"]
    assert batch.created_count == 1 and batch.updated_count == 0
    assert batch.message.startswith("4 ligne(s) en erreur ignorée(s) (4 erreur(s)")
    created = Occurrence.objects.filter(import_batch=batch).get()
    assert created.comment == good_rows()[2][9]
    assert not Occurrence.objects.filter(comment="autre commentaire").exists()


def test_valid_lines_mode_with_no_valid_line_refuses_the_file(
    tmp_path, saisie_user, dataset, referential
):
    path = write_csv(tmp_path / "a.csv", SINP_HEADER, bad_rows()[:2])
    batch = run_import(path, user=saisie_user, dataset=dataset, mode="valides")
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.message.startswith("Fichier refusé : 2 erreurs")
    assert not Occurrence.objects.exists()


def test_valid_lines_dry_run_says_what_would_be_left_out(
    tmp_path, saisie_user, dataset, referential
):
    path = write_csv(tmp_path / "a.csv", SINP_HEADER, bad_rows())
    batch = run_import(
        path, user=saisie_user, dataset=dataset, mode="valides", dry_run=True
    )
    assert batch.status == ImportBatch.Status.CHECKED
    assert batch.message.startswith("3 ligne(s) en erreur ignorée(s)")
    assert "1 ligne(s) valide(s), 1 nouvelle(s)" in batch.message
    assert len(batch.errors) == 3 and not Occurrence.objects.exists()


def test_a_repeated_bad_cell_is_reported_on_each_line(
    tmp_path, saisie_user, dataset, referential
):
    """The readers remember the cells of a column they already read (a file repeats its
    codes and dates): a refusal too, reported again on every line that holds it."""
    rows = good_rows()
    rows[0][8] = rows[2][8] = rows[3][8] = "ZZ"  # occSexe
    rows[1][2] = rows[3][2] = "31/02/2020"
    batch = run_import(
        write_csv(tmp_path / "releves.csv", SINP_HEADER, rows),
        user=saisie_user,
        dataset=dataset,
    )
    assert batch.status == ImportBatch.Status.INVALID
    assert [(e["line"], e["column"]) for e in batch.errors] == [
        (2, "occSexe"),
        (3, "dateDebut"),
        (4, "occSexe"),
        (5, "dateDebut"),
        (5, "occSexe"),
    ]
    sexes = {e["message"] for e in batch.errors if e["column"] == "occSexe"}
    assert len(sexes) == 1 and "« ZZ »" in sexes.pop()
    dates = {e["message"] for e in batch.errors if e["column"] == "dateDebut"}
    assert dates == {
        "date invalide « 31/02/2020 » (attendu AAAA-MM-JJ, JJ/MM/AAAA ou AAAA/MM/JJ)."
    }
    assert not Occurrence.objects.exists()
