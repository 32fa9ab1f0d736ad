"""The annual report workbook written by ``rapport_annuel``."""

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.factories.referentiel import UserFactory

pytestmark = pytest.mark.django_db


def test_command_writes_one_sheet_per_action_and_the_detail_sheets(
    data,
    organisation,
    tmp_path,
):
    UserFactory(username="chef", organisation=organisation, is_superuser=True)
    out = tmp_path / "bilan-2020.xlsx"
    call_command("rapport_annuel", "--year", "2020", "--out", str(out))
    workbook = load_workbook(out)
    assert workbook.sheetnames == [
        "Action 1",
        "Action 2",
        "Action 3",
        "Atlas",
        "Baguage",
        "POP Amphibien",
        "Terrils",
        "Échanges",
        "Sensibilisation",
        "Découvertes",
    ]
    action1 = {
        row[0]: row[1:4]
        for row in workbook["Action 1"].iter_rows(min_row=4, values_only=True)
    }
    assert action1["Données saisies"] == (5, 1, 4)
    header = next(workbook["Action 1"].iter_rows(min_row=3, values_only=True))
    assert header[-1] == "Définition"
    records = next(
        row
        for row in workbook["Action 1"].iter_rows(values_only=True)
        if row[0] == "Données saisies"
    )
    assert records[-1].startswith("Données de présence (non les absences) dont la date")
    assert action1["Oiseaux bagués"][0] == 2
    atlas = {
        row[0]: row[1:]
        for row in workbook["Atlas"].iter_rows(min_row=4, values_only=True)
    }
    assert atlas["Total"] == (5, 4)
    exchanges = list(workbook["Échanges"].iter_rows(min_row=4, values_only=True))
    assert exchanges == [("Eden 62", 1, 120), ("Total", 1, 120)]


def test_command_refuses_a_user_who_is_no_coordinator(saisie_user, tmp_path):
    with pytest.raises(CommandError):
        call_command(
            "rapport_annuel",
            "--year",
            "2020",
            "--out",
            str(tmp_path / "x.xlsx"),
            "--user",
            saisie_user.username,
        )
