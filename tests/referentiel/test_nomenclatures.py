"""The SINP nomenclature referential: the complete INPN lists every fresh database gets, the
INPN file read as data, and ``update_nomenclatures`` (add, relabel, deactivate, never delete)."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from observations.services import codes, nomenclature_labels, nomenclature_names
from referentiel.models import Nomenclature
from referentiel.services.nomenclatures import (
    OCCURRENCE_TYPES,
    NomenclatureFileError,
    inpn_sql_read,
    nomenclature_csv_read,
    nomenclature_file_read,
)
from referentiel.services.reference_data import NOMENCLATURES_CSV
from tests.factories.observations import OccurrenceFactory

# The INPN file's own shape: types, then values, with whole-line comments between the
# tuples of one INSERT, '' quotes, E'…' strings and a function call as id_broader.
INPN_SQL = """
SET search_path = ref_nomenclatures, pg_catalog, public;
INSERT INTO bib_nomenclatures_types (id_type, mnemonique, label_fr, definition_fr, source, statut, meta_create_date, meta_update_date) VALUES
(106, 'METH_DETERMIN', 'Méthode de détermination', 'Nomenclature des méthodes', 'GEONATURE', 'Non validé',  '2017-10-26 00:00:00', '2017-10-26 00:00:00')
,(9, 'SEXE', 'Sexe', 'Nomenclature des sexes', 'SINP', 'Validé',  '2015-07-29 00:00:00', '2015-10-19 00:00:00')
,(22, 'TYP_EN', 'Type d''espace naturel', 'Nomenclature', 'SINP', 'Validé',  '2014-01-22 00:00:00', '2016-06-15 00:00:00');

INSERT INTO t_nomenclatures (id_type, cd_nomenclature, mnemonique, label_fr, definition_fr,  source, statut, id_broader, hierarchy, meta_create_date, meta_update_date, active) VALUES
(get_id_nomenclature_type('METH_DETERMIN'), '2', 'Autre méthode de détermination', 'Autre méthode de détermination', 'La méthode n''est pas présente dans cette liste', 'GEONATURE', 'non validé', 0, '106.002', '2018-07-04 16:41:12.551179', '2018-07-04 16:41:12.594534', true)
-- a comment between two tuples
,(get_id_nomenclature_type('METH_DETERMIN'), '1', 'Non renseigné', 'Non renseigné', E'Non renseign\\u00e9 : l\\'information manque', 'GEONATURE', 'non validé', 0, '106.001', '2018-07-04 16:41:12.551179', '2018-07-04 16:41:12.594534', true)
,(get_id_nomenclature_type('SEXE'), '2', 'Femelle', 'Femelle', NULL, 'SINP', 'Validé', 0, '009.002', '2018-07-04 16:41:12.551179', '2018-07-04 16:41:12.594534', true)
,(get_id_nomenclature_type('SEXE'), '9', 'Retiré', 'Retiré', 'Inactif', 'SINP', 'Validé', 0, '009.009', '2018-07-04 16:41:12.551179', '2018-07-04 16:41:12.594534', false)
,(get_id_nomenclature_type('TYP_EN'), 'ZNIEFF1', 'ZNIEFF1', 'ZNIEFF de type 1', 'ZNIEFF', 'SINP', 'Validé', get_id_nomenclature('TYP_EN', 'ZNIEFF'), '022.001', '2018-07-04 16:41:12.551179', '2018-07-04 16:41:12.594534', true)
;
UPDATE t_nomenclatures SET label_default = label_fr;
"""


def test_inpn_sql_is_read_as_data():
    values = inpn_sql_read(INPN_SQL)
    found = {(v.type, v.code): v for v in values}
    assert set(found) == {
        ("METH_DETERMIN", "1"),
        ("METH_DETERMIN", "2"),
        ("SEXE", "2"),
        ("TYP_EN", "ZNIEFF1"),
    }  # the inactive SEXE 9 is left out
    assert found["METH_DETERMIN", "2"].definition == (
        "La méthode n'est pas présente dans cette liste"
    )
    assert found["METH_DETERMIN", "1"].definition.startswith("Non renseign")
    assert "l'information manque" in found["METH_DETERMIN", "1"].definition
    assert found["SEXE", "2"].definition == ""
    assert found["METH_DETERMIN", "2"].type_label == "Méthode de détermination"
    # In the INPN's hierarchy order, not the file's.
    assert [v.code for v in values if v.type == "METH_DETERMIN"] == ["1", "2"]


def test_inpn_sql_keeps_only_the_types_the_product_uses(tmp_path):
    path = tmp_path / "nomenclatures_inpn_data.sql"
    path.write_text(INPN_SQL, encoding="utf-8")
    types = {v.type for v in nomenclature_file_read(path)}
    assert types == {"METH_DETERMIN", "SEXE"}


def test_a_file_without_values_is_refused():
    with pytest.raises(NomenclatureFileError):
        inpn_sql_read("SELECT 1;")


def test_shipped_file_is_the_complete_inpn_list_of_every_type_used():
    values = nomenclature_csv_read(NOMENCLATURES_CSV)
    counts = {}
    for value in values:
        counts[value.type] = counts.get(value.type, 0) + 1
    assert set(counts) == set(OCCURRENCE_TYPES)
    # The lists GeoNature files draw from (issue 20: 5 of 22, 8 of 24…).
    assert counts["METH_DETERMIN"] == 22
    assert counts["OCC_COMPORTEMENT"] == 24
    assert counts["STADE_VIE"] == 28
    assert counts["STAT_BIOGEO"] == 7
    assert counts["TYP_GRP"] == 11
    assert counts["METH_OBS"] == 28
    assert all(v.label and v.definition for v in values if v.type != "TYP_GRP")


@pytest.mark.django_db
def test_fresh_database_has_the_complete_lists():
    assert Nomenclature.objects.of_type("METH_DETERMIN").count() == 22
    assert Nomenclature.objects.of_type("OCC_COMPORTEMENT").count() == 24
    labels = nomenclature_labels("METH_DETERMIN")
    assert labels["2"] == "Autre méthode de détermination"
    assert Nomenclature.objects.get(
        type__mnemonic="OCC_COMPORTEMENT", code="8"
    ).definition.startswith("Chasse / alimentation")


def _csv(path: Path, rows: list[tuple]) -> Path:
    lines = ["type;type_label;code;label;definition"]
    lines += [";".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(*args) -> str:
    out = io.StringIO()
    call_command("update_nomenclatures", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_update_adds_relabels_deactivates_and_deletes_nothing(tmp_path):
    OccurrenceFactory(sex="3")  # "Mâle" stays in use
    before = Nomenclature.objects.count()
    sexes = dict(
        Nomenclature.objects.filter(type__mnemonic="SEXE").values_list("code", "label")
    )
    rows = [
        ("SEXE", "Sexe", code, label, "déf")
        for code, label in sexes.items()
        if code not in ("3", "4")
    ]
    rows = [
        r if r[2] != "2" else ("SEXE", "Sexe", "2", "Femelle adulte", "déf")
        for r in rows
    ]
    rows.append(("SEXE", "Sexe", "7", "Gynandromorphe", "Les deux à la fois"))
    out = _run(str(_csv(tmp_path / "inpn.csv", rows)))

    assert "1 valeur(s) ajoutée(s) : SEXE 7 « Gynandromorphe »." in out
    assert "SEXE 2 « Femelle » → « Femelle adulte »" in out
    assert "2 valeur(s) retirée(s) du référentiel, désactivée(s)" in out
    assert "SEXE 3 « Mâle »" in out and "SEXE 4 « Hermaphrodite »" in out
    assert "encore utilisées par des observations" in out and "SEXE 3." in out
    assert Nomenclature.objects.count() == before + 1  # nothing deleted
    codes._CACHE.clear()  # the lists a process read are kept a minute (codes._TTL)
    assert set(nomenclature_labels("SEXE")) == set(sexes) - {"3", "4"} | {"7"}
    # A withdrawn value is no longer offered, but a stored code still reads as its label.
    assert nomenclature_names("SEXE")["3"] == "Mâle"
    # Types absent from the file are left alone.
    assert Nomenclature.objects.of_type("METH_DETERMIN").count() == 22

    again = _run(str(tmp_path / "inpn.csv"))
    assert "Aucun changement" in again


@pytest.mark.django_db
def test_update_reactivates_a_value_back_in_the_referential(tmp_path):
    Nomenclature.objects.filter(type__mnemonic="TYP_DENBR", code="Es").update(
        is_active=False
    )
    out = _run(str(NOMENCLATURES_CSV))
    assert "1 valeur(s) réactivée(s) : TYP_DENBR Es « Estimé »." in out
    assert Nomenclature.objects.get(type__mnemonic="TYP_DENBR", code="Es").is_active


@pytest.mark.django_db
def test_dry_run_changes_nothing(tmp_path):
    path = _csv(tmp_path / "inpn.csv", [("SEXE", "Sexe", "2", "Femelle", "")])
    out = _run(str(path), "--dry-run")
    assert "Essai à blanc" in out and "désactivée(s)" in out
    assert Nomenclature.objects.of_type("SEXE").count() == 7


def test_derive_writes_the_product_file(tmp_path):
    source = tmp_path / "nomenclatures_inpn_data.sql"
    source.write_text(INPN_SQL, encoding="utf-8")
    target = tmp_path / "nomenclatures.csv"
    out = _run(str(source), "--derive", str(target))
    assert "3 valeurs de 2 nomenclatures" in out
    values = nomenclature_csv_read(target)
    assert [(v.type, v.code, v.label) for v in values] == [
        ("SEXE", "2", "Femelle"),
        ("METH_DETERMIN", "1", "Non renseigné"),
        ("METH_DETERMIN", "2", "Autre méthode de détermination"),
    ]


@pytest.mark.django_db
def test_unreadable_file_is_refused_in_french(tmp_path):
    path = tmp_path / "autre.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Colonnes manquantes"):
        _run(str(path))
    with pytest.raises(CommandError, match="introuvable"):
        _run(str(tmp_path / "absent.sql"))
