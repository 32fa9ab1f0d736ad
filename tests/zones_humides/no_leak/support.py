"""The wetlands app's no-leak scene (issue 17), shared by its reading and writing tests.

Organisation B (the CPIE) records, in a *public* dataset, Triturus cristatus (sensitivity 1:
commune only) in a pond of a POP aire, at a drift fence of a non-public site (counts and a
photographed, identified newt) and on a public wetland; every free-text field of those
records holds the marker ``ZHSECRET``. Organisation A (Eden 62) reads B's dataset, so its
partner and its field staff read those records — blurred to their commune, in the
occurrence layer. The records are built by this folder's ``conftest.py`` on the two
organisations of ``tests.no_leak``; here are their names and points, and the channels.
"""

import csv
import io

from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
)
from tests.no_leak import api_client, page_client, point_texts, text_of

API = "/api/v1/zones-humides"
MARK = "ZHSECRET"
POND_NAME = "Mare ZHSECRET-MARE"
FENCE_NAME = "Barrière ZHSECRET-BARRIERE"
FENCE_SITE_NAME = "Mare ZHSECRET-SITE-BARRIERE"
INDIVIDUALS = ("TC-2020-001", "TC-2020-002")
# The hidden pond, the fence's site and the sensitive record on the public marsh; the
# pond shown to everyone lies 900 m away from the hidden one.
HIDDEN_POND_XY = (LOOS_X + 137.0, LOOS_Y + 263.0)
SHOWN_POND_XY = (LOOS_X - 611.0, LOOS_Y - 377.0)
FENCE_XY = (LOOS_X + 1234.0, LOOS_Y - 1456.0)
MARSH_RECORD_XY = (LOOS_X + 2011.0, LOOS_Y + 1503.0)
SECRET_POINTS = [
    *point_texts(*HIDDEN_POND_XY),
    *point_texts(*FENCE_XY),
    *point_texts(*MARSH_RECORD_XY),
]


def leaks(text: str) -> list[str]:
    """What a response shows of the hidden records."""
    found = [m for m in (MARK, *INDIVIDUALS) if m in text]
    return found + [p for p in SECRET_POINTS if p in text]


def channels(w) -> list[tuple[str, str, bool]]:
    """Every route of the app that shows records: (client kind, URL, hidden object?) —
    a route about a hidden object answers 404 to a signed-in reader who may not see it."""
    pond, passage = w["hidden_pond"].pk, w["hidden_passage"].pk
    fence, capture = w["fence"].pk, w["capture"].pk
    return [
        ("api", f"{API}/pop/passages/?page_size=300", False),
        ("api", f"{API}/pop/passages/{passage}/", True),
        ("api", f"{API}/pop/passages/{w['shown_passage'].pk}/", False),
        ("api", f"{API}/pop/sites/?page_size=300", False),
        ("api", f"{API}/pop/sites/{pond}/", True),
        ("api", f"{API}/pop/sites/{w['shown_pond'].pk}/", False),
        ("api", f"{API}/pop/aires/", False),
        ("api", f"{API}/pop/aires/{w['aire'].pk}/", True),
        ("api", f"{API}/pop/aires/{w['shown_aire'].pk}/", False),
        ("api", f"{API}/pop/aires/results/?year=2020", False),
        ("api", f"{API}/barrieres/", False),
        ("api", f"{API}/barrieres/{fence}/", True),
        ("api", f"{API}/barrieres/{fence}/charts/", True),
        ("api", f"{API}/sites/", False),
        ("api", f"{API}/operations/", False),
        ("api", f"{API}/niveaux-eau/", False),
        ("page", "/zones-humides/", False),
        ("page", "/zones-humides/sites.geojson", False),
        ("page", f"/zones-humides/sites/{w['marsh'].pk}/", False),
        ("page", f"/zones-humides/sites/{w['fence_site'].pk}/", True),
        ("page", "/zones-humides/pop/?annee=2020", False),
        ("page", "/zones-humides/pop/2020/", False),
        ("page", "/zones-humides/pop/2020/pop-amphibien-2020.csv", False),
        ("page", f"/zones-humides/pop/aires/{w['aire'].pk}/?annee=2020", True),
        ("page", f"/zones-humides/pop/aires/{w['shown_aire'].pk}/?annee=2020", False),
        ("page", f"/zones-humides/pop/passages/{passage}/", True),
        ("page", f"/zones-humides/pop/sites/{pond}/passages/nouveau/", True),
        ("page", f"/zones-humides/barrieres/{fence}/", True),
        ("page", f"/zones-humides/barrieres/{fence}/releve/", True),
        ("page", "/zones-humides/tritons/", False),
        ("page", "/zones-humides/tritons/historiques-de-capture.csv", False),
        (
            "page",
            f"/zones-humides/tritons/historiques-de-capture.csv?site={w['fence_site'].pk}",
            True,
        ),
        ("page", "/zones-humides/tritons/captures/nouvelle/", False),
        ("page", f"/zones-humides/tritons/captures/{capture}/identifier/", True),
        ("page", f"/zones-humides/tritons/captures/{capture}/photo/", True),
        ("page", f"/zones-humides/tritons/captures/{capture}/miniature/", True),
        ("page", f"/zones-humides/tritons/individus/{w['individual'].pk}/", True),
        ("page", f"/zones-humides/tritons/individus/{w['marsh_newt'].pk}/", True),
        (
            "page",
            f"/zones-humides/tritons/captures/{w['marsh_capture'].pk}/photo/",
            True,
        ),
        (
            "page",
            f"/zones-humides/tritons/captures/{w['marsh_capture'].pk}/identifier/",
            True,
        ),
        (
            "page",
            f"/zones-humides/tritons/historiques-de-capture.csv?site={w['marsh'].pk}",
            False,
        ),
    ]


def rows_of(body):
    """The rows of an API list, paginated or not."""
    return body["results"] if isinstance(body, dict) else body


def fetch(kind: str, user, url: str):
    client = api_client(user) if kind == "api" else page_client(user)
    return client.get(url)


def csv_rows(response) -> list[dict]:
    text = text_of(response).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))
