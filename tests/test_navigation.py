"""The site menu (``cpie_naturaliste.navigation``), assembled from the section each app
declares in its ``navigation`` module."""

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from cpie_naturaliste.core.navigation import Section, Task
from cpie_naturaliste.navigation import declared_sections, menu_links
from referentiel.permissions import signed_in


def _menu(user, path: str, sections=None) -> dict[str, bool]:
    request = RequestFactory().get(path)
    request.user = user
    return {link["label"]: link["current"] for link in menu_links(request, sections)}


def test_each_app_declares_its_section_in_the_order_of_the_layers(client, db):
    assert [section.label for section in declared_sections()] == [
        "Observations",
        "Baguage",
        "Terrils",
        "Zones humides",
        "Sensibilisation",
        "Indicateurs",
    ]
    nav = client.get(reverse("home")).content.decode().split('id="navigation"')[1]
    for section in declared_sections():
        link = f'href="{reverse(section.url_name)}">{section.label}</a>'
        assert (link in nav) is (section.allowed is None), section.label


def test_a_section_only_some_roles_may_open_is_shown_to_them_only(
    coordinateur_user, saisie_user, validateur_user, partenaire_user
):
    """The dashboard refuses every role but the coordinators': no link to a refusal."""
    assert "Indicateurs" in _menu(coordinateur_user, "/")
    for user in (saisie_user, validateur_user, partenaire_user, AnonymousUser()):
        assert "Indicateurs" not in _menu(user, "/")


def test_a_section_lists_its_tasks_inside_it_and_the_observations_always(
    coordinateur_user,
):
    home = _menu(coordinateur_user, "/")
    assert "Exports SINP" in home and "Saisir" in home  # always shown
    assert "État zéro" not in home and "Terrils" in home
    ranking = _menu(coordinateur_user, reverse("terrils:ranking"))
    assert ranking["Classement"] is True and ranking["Terrils"] is False
    assert ranking["État zéro"] is False
    assert _menu(coordinateur_user, reverse("terrils:index"))["Terrils"] is True


def test_tasks_follow_the_roles_the_pages_let_in(saisie_user, partenaire_user, db):
    assert "État zéro" not in _menu(saisie_user, reverse("terrils:index"))
    partner = _menu(partenaire_user, "/")
    assert "Extractions" in partner and "Saisir" not in partner
    anonymous = _menu(AnonymousUser(), reverse("observations:occurrence_list"))
    assert "Observations" in anonymous and "Atlas" not in anonymous


def test_a_section_whose_app_is_not_mounted_is_left_out(saisie_user):
    sections = [
        Section(
            "Ailleurs", "ailleurs:index", tasks=(Task("Rien", "ailleurs:x", signed_in),)
        ),
        Section("Terrils", "terrils:index"),
    ]
    assert _menu(saisie_user, "/", sections) == {"Terrils": False}
