"""Background maps (tile layers) of every Leaflet map, and the hosts the CSP lets images come from.

Pure Python (no Django import): base.py reads it at settings time, tests call it with their own
environment.

- ``MAP_BASE_LAYERS``: comma list of presets, in the layer switcher's order, the first shown by
  default. Presets: ``plan_ign`` (Plan IGN v2), ``ortho_ign`` (IGN orthophotos), both from the
  IGN Géoplateforme's public WMTS (no key), and ``osm`` (OpenStreetMap's standard tiles).
  Default ``plan_ign,ortho_ign,osm``; ``none`` (or an empty value) turns them off: an offline or
  intranet install then shows the outline-only map.
- ``MAP_TILES_URL`` (+ ``MAP_TILES_ATTRIBUTION``, ``MAP_TILES_NAME``): a tile server of one's
  own (``{z}/{x}/{y}`` template, ``{s}`` subdomains allowed), listed first. When it is set and
  ``MAP_BASE_LAYERS`` is not, it is the only background map (an intranet server replaces the
  public ones).

The outline of the départements (a vendored GeoJSON) is always there: the layer switcher's
"Contour seul" and the fallback when tiles cannot be loaded (static/js/map.js).
"""

from collections.abc import Mapping
from urllib.parse import urlsplit

GEOPF_WMTS = (
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=normal&TILEMATRIXSET=PM&FORMAT={format}"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}"
)
IGN_ATTRIBUTION = (
    '© <a href="https://www.ign.fr/">IGN</a> – '
    '<a href="https://geoservices.ign.fr/">Géoplateforme</a>'
)
OSM_ATTRIBUTION = (
    '© <a href="https://www.openstreetmap.org/copyright">'
    "les contributeurs d’OpenStreetMap</a>"
)

# name shown in the layer switcher, URL template, Leaflet tile layer options
PRESETS: dict[str, tuple[str, str, dict]] = {
    "plan_ign": (
        "Plan IGN",
        GEOPF_WMTS.format(
            layer="GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2", format="image/png"
        ),
        {"attribution": IGN_ATTRIBUTION, "maxNativeZoom": 19, "maxZoom": 19},
    ),
    "ortho_ign": (
        "Photographies aériennes (IGN)",
        GEOPF_WMTS.format(layer="ORTHOIMAGERY.ORTHOPHOTOS", format="image/jpeg"),
        {"attribution": IGN_ATTRIBUTION, "maxNativeZoom": 19, "maxZoom": 19},
    ),
    "osm": (
        "OpenStreetMap",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        {"attribution": OSM_ATTRIBUTION, "maxNativeZoom": 19, "maxZoom": 19},
    ),
}
DEFAULT_BASE_LAYERS = "plan_ign,ortho_ign,osm"


class MapSettingsError(ValueError):
    pass


def tile_layers(environ: Mapping[str, str]) -> list[tuple[str, str, dict]]:
    """The background maps configured by ``environ``: [(name, url template, options)]."""
    layers = []
    custom = environ.get("MAP_TILES_URL", "").strip()
    if custom:
        layers.append(
            (
                environ.get("MAP_TILES_NAME", "").strip() or "Fond de carte",
                custom,
                {"attribution": environ.get("MAP_TILES_ATTRIBUTION", "")},
            )
        )
    default = "none" if custom else DEFAULT_BASE_LAYERS
    names = [
        name.strip()
        for name in environ.get("MAP_BASE_LAYERS", default).split(",")
        if name.strip()
    ]
    if names == ["none"]:
        return layers
    unknown = [name for name in names if name not in PRESETS]
    if unknown:
        raise MapSettingsError(
            f"MAP_BASE_LAYERS: unknown {', '.join(unknown)} "
            f"(known: {', '.join(PRESETS)}, or none)"
        )
    return layers + [PRESETS[name] for name in names]


def tile_hosts(layers: list[tuple[str, str, dict]]) -> list[str]:
    """The origins the CSP's img-src must allow for these layers, each once: a ``{s}``
    subdomain becomes a ``*.`` wildcard; a path on this site needs none ('self')."""
    hosts: list[str] = []
    for _name, url, _options in layers:
        parts = urlsplit(url.replace("{s}", "tile-subdomain"))
        if url.startswith("/") and not url.startswith("//"):
            continue  # served by this site: 'self'
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise MapSettingsError(f"Tile URL without an http(s) host: {url}")
        host = f"{parts.scheme}://{parts.netloc.replace('tile-subdomain.', '*.', 1)}"
        if host not in hosts:
            hosts.append(host)
    return hosts
