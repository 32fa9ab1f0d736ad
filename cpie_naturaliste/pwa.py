"""The installable web app (issue 19 point 1): its manifest and its service worker.

Project layer: the service worker names the entry pages of several apps (observations,
zones_humides, observations' counts), the pages a field worker opens outdoors. Its logic
is static/js/sw.js; this view serves it from the site's root (its scope is the whole site)
with what only the server knows put before it: the static files' URLs (hashed in
production), the entry pages' paths and a version that changes with them.

The pages' Content Security Policy needs nothing more: the worker and the manifest come
from this site, which ``default-src 'self'`` already allows (``worker-src`` and
``manifest-src`` fall back to it). The worker's own policy adds the tile hosts to
``connect-src``, for "Préparer la sortie"."""

import hashlib
import json
import re

from csp.decorators import csp_update
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from cpie_naturaliste.settings.maps import tile_hosts

# The app shell: what the entry pages need to start with no network. Any other static file
# a page asks for is kept the first time (sw.js).
SHELL = [
    "css/app.css",
    "css/observations.css",
    # The POP passage, fence round and count season sheets: kept as pages without ever
    # being opened online (keep-pages), so their own files must be in the shell.
    "css/zones_humides.css",
    "css/counts.css",
    "js/chips.js",
    "js/media_field.js",
    "js/app.js",
    "js/store.js",
    "js/offline.js",
    "js/outing.js",
    "js/outbox.js",
    "js/autocomplete.js",
    "js/map.js",
    "js/lambert93.js",
    "js/occurrence_form.js",
    "data/hauts-de-france.geojson",
    "img/favicon.svg",
    "img/icons/icon-192.png",
    "leaflet/leaflet.css",
    "leaflet/leaflet.extras.css",
    "leaflet/leaflet.js",
    "leaflet/leaflet.extras.js",
]
# Entry pages kept for offline use: (URL name, sample arguments). A sample number stands
# for any number, a sample word for any path segment. The forms of OUTBOX_PAGES go to the
# device's outbox with no network (static/js/outbox.js); the others open, but are sent
# only with the network.
NUMBER, WORD = 918273645, "mot-exemple"
OUTBOX_PAGES = [
    ("observations:occurrence_create", []),
    ("zones_humides:passage_create", [NUMBER]),
    ("zones_humides:fence_check_entry", [NUMBER]),
    ("observations:count_season_grid", [WORD, NUMBER]),
]
ENTRY_PAGES = [*OUTBOX_PAGES, ("observations:outbox", [])]

# "Préparer la sortie" (static/js/outing.js): the most tiles one request may store.
MAX_TILES = 2500

OFFLINE_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hors connexion · CPIE Naturaliste</title>
<link rel="stylesheet" href="{css}"></head>
<body><main id="contenu" class="site-main">
<h1>Hors connexion</h1>
<p>Cette page n'a pas été ouverte sur cet appareil avant la coupure du réseau : elle
n'est pas disponible hors connexion.</p>
<ul><li><a href="{create}">Nouvelle observation</a></li>
<li><a href="{outbox}">Observations à envoyer</a></li></ul>
</main></body></html>"""


def entry_page_patterns(pages=ENTRY_PAGES) -> list[str]:
    """Regular expressions (JavaScript syntax) of the entry pages' paths."""
    patterns = []
    for name, args in pages:
        path = re.escape(reverse(name, args=args))
        path = path.replace(str(NUMBER), r"\d+").replace(re.escape(WORD), "[^/]+")
        patterns.append(f"^{path}$")
    return patterns


def _worker_source() -> str:
    found = finders.find("js/sw.js")
    if found:
        with open(found, encoding="utf-8") as source:
            return source.read()
    with staticfiles_storage.open("js/sw.js") as source:  # collected, no finder
        return source.read().decode()


# The worker downloads the tiles of "Préparer la sortie": its own policy lets it reach
# the configured tile hosts (the pages' policy only lets them show their images).
@csp_update({"connect-src": tile_hosts(settings.LEAFLET_CONFIG.get("TILES", []))})
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    config = {
        "static": static(""),
        "store": static("js/store.js"),
        "precache": [static(name) for name in SHELL],
        "pages": entry_page_patterns(),
        "outbox": entry_page_patterns(OUTBOX_PAGES),
        "maxTiles": MAX_TILES,
        "offline": OFFLINE_PAGE.format(
            css=static("css/app.css"),
            create=reverse("observations:occurrence_create"),
            outbox=reverse("observations:outbox"),
        ),
    }
    source = _worker_source()
    digest = hashlib.sha256(
        (json.dumps(config, sort_keys=True) + source).encode()
    ).hexdigest()[:12]
    config["version"] = digest
    response = HttpResponse(
        f"self.CPIE_SW = {json.dumps(config)};\n{source}",
        content_type="text/javascript; charset=utf-8",
    )
    # The browser checks for a new worker at each visit; never an old one from a cache.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    icons = [
        {
            "src": static("img/icons/icon-192.png"),
            "sizes": "192x192",
            "type": "image/png",
        },
        {
            "src": static("img/icons/icon-512.png"),
            "sizes": "512x512",
            "type": "image/png",
        },
        {
            "src": static("img/icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    return JsonResponse(
        {
            "name": "CPIE Naturaliste",
            "short_name": "CPIE Natura",
            "description": "Saisie des observations naturalistes, même sans réseau.",
            "lang": "fr",
            "dir": "ltr",
            "start_url": reverse("observations:occurrence_create"),
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#2e6b3f",
            "icons": icons,
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
