"""The import rule of DESIGN §1: a layer only points down the layers, never back up — in
its Python imports, in the URL names it reverses (``reverse``, ``redirect``, ``{% url %}``,
a namespaced name written anywhere) and in the templates it renders, includes or extends.

A URL name belongs to the app whose view serves it; a template under ``templates/<app>/``
to that app. The project layer (``cpie_naturaliste`` outside the core: URLconf, settings,
the menu) and the site templates (``templates/base.html``, error pages) may name any app.
"""

import ast
import re
from functools import cache
from pathlib import Path

import pytest
from django.urls import URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
DOMAIN = {"baguage", "terrils", "zones_humides", "sensibilisation"}
APPS = ["referentiel", "observations", *sorted(DOMAIN), "indicateurs"]
FORBIDDEN = {
    "cpie_naturaliste/core": set(APPS),
    "referentiel": set(APPS) - {"referentiel"},
    "observations": (DOMAIN | {"indicateurs"}),
    **{app: (DOMAIN - {app}) | {"indicateurs"} for app in DOMAIN},
}
REVERSING = {"reverse", "reverse_lazy", "redirect", "resolve_url"}
TEMPLATE_NAME = re.compile(r"^(\w+)/[\w./-]+\.(?:html|txt|xml)$")
TEMPLATE_TAG = re.compile(
    r"""{%\s*(url|include|extends)\s+(?P<quote>["'])(?P<name>[^"']+)(?P=quote)"""
)


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def _called_name(node: ast.Call) -> str | None:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def python_references(path: Path) -> list[tuple[int, str, str]]:
    """``(line, "url", name)`` for each URL name reversed or written as ``ns:name``, and
    ``(line, "template", name)`` for each template path, in a Python module."""
    return sorted(set(_python_references(ast.parse(path.read_text()))))


def _python_references(tree: ast.Module):
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and _called_name(node) in REVERSING
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, "url", node.args[0].value
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if TEMPLATE_NAME.match(node.value):
                yield node.lineno, "template", node.value
            elif re.fullmatch(r"\w+:[\w-]+", node.value):
                yield node.lineno, "url", node.value


def template_references(text: str):
    """``(line, "url" | "template", name)`` for each ``{% url %}``, ``{% include %}`` and
    ``{% extends %}`` with a literal name."""
    for match in TEMPLATE_TAG.finditer(text):
        kind = "url" if match.group(1) == "url" else "template"
        yield text.count("\n", 0, match.start()) + 1, kind, match.group("name")


def _view_package(callback) -> str:
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", callback)
    return view.__module__.split(".")[0]


@cache
def url_owners() -> dict[str, str]:
    """Every URL name of the site (``ns:name``) → the package of the view serving it."""
    owners = {}

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = (
                    f"{namespace}{pattern.namespace}:"
                    if pattern.namespace
                    else namespace
                )
                walk(pattern.url_patterns, inner)
            elif pattern.name:
                owners[namespace + pattern.name] = _view_package(pattern.callback)

    walk(get_resolver().url_patterns, "")
    return owners


def owner(kind: str, name: str) -> str | None:
    if kind == "url":
        return url_owners().get(name)
    match = TEMPLATE_NAME.match(name)
    return match.group(1) if match else None


def wrong_references(package: str, references) -> list[str]:
    return [
        f"{where}:{line} names the {kind} {name} of {owner(kind, name)}"
        for where, (line, kind, name) in references
        if owner(kind, name) in FORBIDDEN[package]
    ]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_follow_the_layers(package):
    wrong = []
    for path in (ROOT / package).rglob("*.py"):
        for lineno, module in imported_modules(path):
            if module.split(".")[0] in FORBIDDEN[package]:
                wrong.append(f"{path.relative_to(ROOT)}:{lineno} imports {module}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_url_names_and_templates_follow_the_layers(package):
    references = [
        (path.relative_to(ROOT), reference)
        for path in (ROOT / package).rglob("*.py")
        for reference in python_references(path)
    ]
    references += [
        (path.relative_to(ROOT), reference)
        for path in (TEMPLATES / package).rglob("*")
        if path.is_file()
        for reference in template_references(path.read_text())
    ]
    wrong = wrong_references(package, references)
    assert not wrong, "\n".join(wrong)


def test_the_walker_sees_a_wrong_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from observations.models import Occurrence\n")
    assert "observations.models" in {module for _, module in imported_modules(bad)}


def test_the_walkers_see_a_higher_url_name_or_template(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        'reverse("home")\nredirect("terrils:index")\n'
        'NAME = "baguage:ring_stock"\nrender(request, "indicateurs/dashboard.html")\n'
    )
    template = '{% extends "base.html" %}{% url "zones_humides:index" %}\n' + (
        "{% include 'sensibilisation/index.html' %}"
    )
    references = [("bad.py", ref) for ref in python_references(bad)] + [
        ("bad.html", ref) for ref in template_references(template)
    ]
    assert wrong_references("referentiel", references) == [
        "bad.py:2 names the url terrils:index of terrils",
        "bad.py:3 names the url baguage:ring_stock of baguage",
        "bad.py:4 names the template indicateurs/dashboard.html of indicateurs",
        "bad.html:1 names the url zones_humides:index of zones_humides",
        "bad.html:2 names the template sensibilisation/index.html of sensibilisation",
    ]
