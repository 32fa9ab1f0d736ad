"""Background maps from the environment (cpie_naturaliste/settings/maps.py): IGN and
OpenStreetMap by default, a server of one's own, or none; and the CSP hosts they need."""

import pytest

from cpie_naturaliste.settings.maps import (
    MapSettingsError,
    tile_hosts,
    tile_layers,
)


def names(layers):
    return [name for name, _url, _options in layers]


def test_default_is_plan_ign_then_orthophotos_then_osm():
    layers = tile_layers({})
    assert names(layers) == [
        "Plan IGN",
        "Photographies aériennes (IGN)",
        "OpenStreetMap",
    ]
    plan, ortho, osm = (url for _name, url, _options in layers)
    # The Géoplateforme's public WMTS in Web Mercator (PM), no key.
    for url, layer, fmt in (
        (plan, "GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2", "image/png"),
        (ortho, "ORTHOIMAGERY.ORTHOPHOTOS", "image/jpeg"),
    ):
        assert url.startswith("https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile")
        assert f"&LAYER={layer}&" in url and f"&FORMAT={fmt}&" in url
        assert "&TILEMATRIXSET=PM&" in url
        assert url.endswith("&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}")
    assert osm == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert all("IGN" in options["attribution"] for *_, options in layers[:2])
    assert "OpenStreetMap" in layers[2][2]["attribution"]
    assert tile_hosts(layers) == [
        "https://data.geopf.fr",
        "https://tile.openstreetmap.org",
    ]


def test_choice_and_order_of_the_presets():
    layers = tile_layers({"MAP_BASE_LAYERS": "osm, plan_ign"})
    assert names(layers) == ["OpenStreetMap", "Plan IGN"]


@pytest.mark.parametrize("value", ["none", "", " , "])
def test_background_maps_turned_off(value):
    layers = tile_layers({"MAP_BASE_LAYERS": value})
    assert layers == [] and tile_hosts(layers) == []


def test_a_server_of_ones_own_replaces_the_public_ones():
    environ = {
        "MAP_TILES_URL": "https://{s}.tuiles.cpie.example/plan/{z}/{x}/{y}.png",
        "MAP_TILES_ATTRIBUTION": "© CPIE",
        "MAP_TILES_NAME": "Plan du réseau",
    }
    layers = tile_layers(environ)
    assert names(layers) == ["Plan du réseau"]
    assert layers[0][2] == {"attribution": "© CPIE"}
    assert tile_hosts(layers) == ["https://*.tuiles.cpie.example"]
    # … unless the presets are asked for too.
    both = tile_layers({**environ, "MAP_BASE_LAYERS": "ortho_ign"})
    assert names(both) == ["Plan du réseau", "Photographies aériennes (IGN)"]
    assert tile_hosts(both) == [
        "https://*.tuiles.cpie.example",
        "https://data.geopf.fr",
    ]


def test_unknown_preset_or_hostless_url_is_refused():
    with pytest.raises(MapSettingsError, match="unknown google"):
        tile_layers({"MAP_BASE_LAYERS": "plan_ign,google"})
    with pytest.raises(MapSettingsError, match="http"):
        tile_hosts(
            tile_layers({"MAP_TILES_URL": "ftp://tuiles.example/{z}/{x}/{y}.png"})
        )
    # Tiles served by this site need no host of their own ('self').
    assert tile_hosts(tile_layers({"MAP_TILES_URL": "/tuiles/{z}/{x}/{y}.png"})) == []
