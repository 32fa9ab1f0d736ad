"""The import rule of DESIGN §1: imports only point down the layers, never back up."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = {"baguage", "terrils", "zones_humides", "sensibilisation"}
APPS = ["referentiel", "observations", *sorted(DOMAIN), "indicateurs"]
FORBIDDEN = {
    "cpie_naturaliste/core": set(APPS),
    "referentiel": set(APPS) - {"referentiel"},
    "observations": (DOMAIN | {"indicateurs"}),
    **{app: (DOMAIN - {app}) | {"indicateurs"} for app in DOMAIN},
}


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_follow_the_layers(package):
    wrong = []
    for path in (ROOT / package).rglob("*.py"):
        for lineno, module in imported_modules(path):
            if module.split(".")[0] in FORBIDDEN[package]:
                wrong.append(f"{path.relative_to(ROOT)}:{lineno} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_the_walker_sees_a_wrong_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from observations.models import Occurrence\n")
    assert "observations.models" in {module for _, module in imported_modules(bad)}
