"""The columns of the capture grid (the session page): headers, entry inputs and the
display of a saved line, shared by the template and static/js/capture_grid.js."""

from baguage.models import Capture
from baguage.serializers import CaptureSerializer

ACTIONS = [(value, str(label)) for value, label in Capture.Action.choices]
SEXES = [("U", "U – indéterminé"), ("M", "M – mâle"), ("F", "F – femelle")]


def _column(name, label, short, kind="text", size=4, **extra) -> dict:
    column = {"name": name, "label": label, "short": short, "kind": kind}
    return column | {"size": size, **extra}


# In entry order: Tab goes from left to right, Entrée saves from any field.
GRID_COLUMNS = [
    _column(
        "action",
        "Action : B baguage, C contrôle, R reprise",
        "Act.",
        "select",
        choices=ACTIONS,
    ),
    _column("ring_number", "N° de bague", "Bague", size=11),
    _column("taxon", "Espèce", "Espèce", "taxon", size=18),
    _column(
        "age",
        "Âge (EURING ou PUL, 1A, +1A, 2A, +2A, VOL)",
        "Âge",
        size=3,
        maxlength=3,
    ),
    _column(
        "sex",
        "Sexe : U indéterminé, M mâle, F femelle",
        "Sexe",
        "select",
        choices=SEXES,
    ),
    _column("sexing_method", "Méthode de sexage", "Mét.", size=2, maxlength=1),
    _column("wing_mm", "Aile pliée (mm)", "Aile", "decimal"),
    _column("third_primary_mm", "3e rémige (mm)", "P3", "decimal"),
    _column("mass_g", "Masse (g)", "Masse", "decimal", size=5),
    _column("fat", "Adiposité", "Adip.", "int", size=2, maxlength=1),
    _column("muscle", "Muscle", "Musc.", "int", size=2, maxlength=1),
    _column("brood_patch", "Plaque incubatrice", "PI", size=2, maxlength=1),
    _column("moult", "Mue", "Mue", size=2, maxlength=1),
    _column("tarsus_mm", "Tarse (mm)", "Tarse", "decimal"),
    _column("bill_mm", "Bec (mm)", "Bec", "decimal"),
    _column("time", "Heure (HH:MM)", "Heure", "time", size=5, maxlength=5),
    _column("net", "Filet", "Filet", "int", size=3),
    _column("condition", "Condition EURING", "Cond.", size=2, maxlength=1),
    _column("circumstances", "Circonstances EURING", "Circ.", size=2, maxlength=2),
    _column("other_marks", "Autres marques EURING", "Marq.", size=3, maxlength=2),
    _column("colour_marks", "Marques couleur", "Couleur", size=10),
    _column("logger_serial", "N° de géolocalisateur (GLS)", "GLS", size=8),
    _column("ring_scheme", "Centre de la bague (FRP…)", "Centre", size=3, maxlength=3),
    _column("remarks", "Remarques", "Remarques", size=14),
]


def display(name: str, data: dict) -> str:
    """How a saved line shows a column (capture_grid.js ``display`` does the same)."""
    value = data.get(name)
    if name == "taxon":
        return data.get("taxon_name") or ""
    if name == "age" and data.get("age_french"):
        return f"{value} ({data['age_french']})"
    if name == "time" and value:
        return value[:5]
    return "" if value is None else str(value)


# What a one-letter code of a saved line means, read after it by screen readers
# ("B (baguage)"); capture_grid.js reads the same from the columns' choices.
MEANINGS = {
    column["name"]: {
        value: label.split(" – ", 1)[-1] for value, label in column["choices"]
    }
    for column in GRID_COLUMNS
    if column["kind"] == "select"
}


def capture_row(capture: Capture) -> dict:
    data = CaptureSerializer(capture).data
    cells = []
    for column in GRID_COLUMNS:
        text = display(column["name"], data)
        cells.append((text, MEANINGS.get(column["name"], {}).get(text, "")))
    return {"id": capture.pk, "line": capture.line, "cells": cells}
