"""Home page, sign-in and sign-out, and the layout's header (the menu: tests/test_navigation.py)."""

import re

import pytest
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.urls import reverse

from cpie_naturaliste.settings.maps import tile_hosts
from referentiel.models import Role
from referentiel.services.territories import site_save
from referentiel.templatetags.roles import role_label
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    SiteFactory,
    UserFactory,
)

HOST = re.compile(r"https://[^/\"'\\\\\s<>&]+")
PASSWORD = "motdepasse-de-test"


@pytest.fixture
def sites(db):
    CommuneFactory()
    public = site_save(site=SiteFactory.build(name="Terrils jumeaux du 11/19"))
    private = site_save(
        site=SiteFactory.build(
            name="Jardin privé de Vimy",
            kind="jardin",
            is_public=False,
            geom=GEOSGeometry(f"SRID=2154;POINT({LOOS_X + 100} {LOOS_Y})"),
        )
    )
    return public, private


@pytest.fixture
def claire(organisation):
    return UserFactory(
        username="claire",
        first_name="Claire",
        last_name="Dumont",
        organisation=organisation,
        roles=[Role.SAISIE],
    )


def test_home_for_anonymous_visitors_lists_public_sites_only(client, sites):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Terrils jumeaux du 11/19" in html
    assert "Loos-en-Gohelle" in html  # the site's commune, computed by site_save
    assert "Jardin privé de Vimy" not in html
    assert "Se connecter" in html
    assert 'id="site-map"' in html and "leaflet/leaflet.js" in html
    assert "data/hauts-de-france.geojson" in html
    # No CDN: the only addresses outside the site are the background maps' (their tile
    # servers and the links of their attributions, settings/maps.py).
    layers = settings.LEAFLET_CONFIG["TILES"]
    allowed = set(tile_hosts(layers)) | {
        host for _, _, options in layers for host in HOST.findall(str(options))
    }
    assert set(HOST.findall(html.split("<body>")[1])) <= allowed


def test_home_for_a_logged_in_user_shows_the_sites_and_the_user(client, sites, claire):
    client.force_login(claire)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    # A protected site is shown to the organisations that manage or survey it only.
    assert "Jardin privé de Vimy" not in html
    sites[1].manager = claire.organisation
    sites[1].save()
    html = client.get(reverse("home")).content.decode()
    assert "Jardin privé de Vimy" in html
    assert "Claire Dumont" in html
    assert "CPIE CdT" in html  # the organisation's short name
    assert "Saisie" in html
    assert "Se déconnecter" in html
    assert "Administration" not in html


def test_login_page_is_french(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Connexion" in html and "Mot de passe" in html
    assert reverse("login") == "/connexion/"
    assert reverse("logout") == "/deconnexion/"


def test_login_with_good_credentials_goes_home(client, claire):
    response = client.post(
        reverse("login"), {"username": "claire", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == claire


def test_login_follows_next(client, claire):
    response = client.post(
        reverse("login"),
        {"username": "claire", "password": PASSWORD, "next": "/api/docs/"},
    )
    assert response.url == "/api/docs/"


def test_login_with_a_wrong_password_shows_a_french_error(client, claire):
    response = client.post(reverse("login"), {"username": "claire", "password": "x"})
    assert response.status_code == 200
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in (
        response.content.decode()
    )
    assert not response.context["user"].is_authenticated


def test_logout_needs_a_post_and_goes_home(client, claire):
    client.force_login(claire)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_staff_see_the_administration_link(client, organisation):
    admin = UserFactory(
        username="chef", organisation=organisation, is_staff=True, is_superuser=True
    )
    client.force_login(admin)
    html = client.get(reverse("home")).content.decode()
    assert reverse("admin:index") in html
    assert "Administrateur" in html


def test_role_label_names_the_regional_coordinator(organisation):
    user = UserFactory(
        username="regional",
        organisation=organisation,
        is_regional=True,
        roles=[Role.COORDINATEUR],
    )
    assert role_label(user) == "Coordinateur régional"
