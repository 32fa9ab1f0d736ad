"""State-zero import: every row checked first, then all rows or none."""

import pytest
from django.core.management import CommandError, call_command

from terrils.models import Campaign, GroupCode, Score
from terrils.services import state_zero_import

pytestmark = pytest.mark.django_db


def _write(tmp_path, text, name="etat_zero.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_creates_state_zero_and_its_scores(evaluation, tmp_path):
    path = _write(
        tmp_path,
        "terril;groupe;espece;annee\n"
        "94-94a;Amphibiens;Triturus cristatus;2008\n"
        "94-94a;amphibiens;Crapaud calamite;2008\n",
    )
    result = state_zero_import(path=path, filename=path.name)
    assert result.ok, result.errors
    zero = Campaign.objects.get(terril=evaluation.terril, kind="etat_zero")
    assert zero.year == 2008
    assert set(zero.state_zero_taxa.values_list("group", "taxon__cd_nom")) == {
        (GroupCode.AMPHIBIANS, 139),
        (GroupCode.AMPHIBIANS, 197),
    }
    # Newt 11 + toad (PC 4).
    assert Score.objects.get(campaign=zero, version=evaluation.version).total == 15


def test_one_bad_row_imports_nothing(evaluation, tmp_path):
    path = _write(
        tmp_path,
        "terril,groupe,espece\n"
        "94-94a,amphibiens,Triturus cristatus\n"
        "999,amphibiens,Triturus cristatus\n"
        "94-94a,champignons,Triturus cristatus\n"
        "94-94a,amphibiens,Espèce imaginaire\n",
    )
    result = state_zero_import(path=path, filename=path.name)
    assert not result.ok
    assert len(result.errors) == 3
    assert "Ligne 3" in result.errors[0]
    assert not Campaign.objects.filter(kind="etat_zero").exists()
    with pytest.raises(CommandError, match="Rien n'a été importé"):
        call_command("import_state_zero", str(path))
    assert not Campaign.objects.filter(kind="etat_zero").exists()


def test_command_imports(evaluation, tmp_path, capsys):
    path = _write(tmp_path, "terril;groupe;espece\n94-94a;flore;Ophrys apifera\n")
    call_command("import_state_zero", str(path))
    assert Campaign.objects.filter(kind="etat_zero").count() == 1
