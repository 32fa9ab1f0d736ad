"""Issue 23: the accessibility statement (RGAA's "déclaration d'accessibilité") is public,
linked from the footer of every page (the site's and the admin's), and says what the
accessibility tests really run (the axe-core version of package-lock.json)."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent.parent


def _axe_version() -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    return lock["packages"]["node_modules/axe-core"]["version"]


@pytest.mark.django_db
def test_the_statement_is_public_and_says_what_the_rgaa_asks(client):
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    html = response.content.decode()
    for part in (
        "<h1>Déclaration d'accessibilité</h1>",
        "partiellement conforme",
        "Résultats des tests",
        "Contenus non accessibles",
        "Technologies utilisées",
        "Environnement de test",
        "Défenseur des droits",
        "Libre réponse 71120",
        'datetime="2026-12-07"',
        f"axe-core {_axe_version()}",
    ):
        assert part in html, part


@pytest.mark.django_db
def test_the_contact_is_the_configured_address_or_the_network(client, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = ""
    html = client.get(reverse("accessibility")).content.decode()
    assert "mailto:" not in html and "organisme du réseau" in html
    settings.ACCESSIBILITY_CONTACT_EMAIL = "accessibilite@cpie.example.org"
    html = client.get(reverse("accessibility")).content.decode()
    assert 'href="mailto:accessibilite@cpie.example.org"' in html


@pytest.mark.django_db
def test_every_page_links_to_it_from_its_footer(client, saisie_user, admin_client):
    link = f'<a href="{reverse("accessibility")}">Accessibilité : partiellement conforme</a>'
    for path in (reverse("home"), reverse("login"), "/page-qui-n-existe-pas/"):
        footer = client.get(path).content.decode().split('class="site-footer"')[1]
        assert link in footer, path
    client.force_login(saisie_user)
    footer = client.get(reverse("observations:occurrence_list")).content.decode()
    assert link in footer.split('class="site-footer"')[1]
    admin_page = admin_client.get(reverse("admin:index")).content.decode()
    assert link in admin_page.split('id="footer"')[1]
