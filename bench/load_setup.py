"""Child step of the load benchmark, run with Django on ``cpie_bench_load``: the plan that
bench/locustfile.py reads (taxa, bboxes, occurrences visible to each account, the dataset
to enter into, one authenticated session per simulated user), after one entry through the
API to check its payload."""

import json
import random
from importlib import import_module

from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    authenticate,
)
from django.db.models import Count
from django.test import RequestFactory
from rest_framework.test import APIClient

from bench.load import ACCOUNTS, PLAN, USERS
from bench.occurrences_data import TOWNS
from bench.occurrences_measure import _bbox
from observations.models import Occurrence
from referentiel.models import Commune, Dataset, User

TAXA_FREQUENT, TAXA_MIDDLE = 10, 30
BBOXES = 80
DETAILS = 300
REGION = "1.30,48.80,4.30,51.15"
MAP_LIMIT = 5000


def _taxa() -> list[int]:
    ranked = list(
        Occurrence.objects.values_list("taxon", flat=True)
        .annotate(rows=Count("id"))
        .order_by("-rows")[:400]
    )
    return ranked[:TAXA_FREQUENT] + ranked[200 : 200 + TAXA_MIDDLE]


def _bboxes(rng: random.Random) -> list[str]:
    towns = [c.geom.centroid for c in Commune.objects.filter(name__in=TOWNS)]
    boxes = []
    for _attempt in range(50 * BBOXES):
        town = rng.choice(towns)
        x = town.x + rng.uniform(-15000, 15000)
        y = town.y + rng.uniform(-15000, 15000)
        bbox, count = _bbox(x, y, rng.uniform(2000, 12000))
        if 100 <= count <= MAP_LIMIT:
            boxes.append(bbox)
            if len(boxes) == BBOXES:
                break
    return boxes


def _details(user, rng: random.Random) -> list[str]:
    bounds = Occurrence.objects.order_by("pk").values_list("pk", flat=True)
    low, high = bounds.first(), bounds.last()
    ids = [rng.randint(low, high) for _ in range(DETAILS * 4)]
    visible = Occurrence.objects.visible_to(user).filter(pk__in=ids)
    return [str(u) for u in visible.values_list("uuid", flat=True)[:DETAILS]]


def _entry(staff) -> dict:
    dataset = Dataset.objects.writable_by(staff).order_by("pk").first()
    town = Commune.objects.filter(name__in=TOWNS).order_by("name").first()
    point = town.geom.centroid.transform(4326, clone=True)
    entry = {"dataset": str(dataset.uuid), "point": [point.x, point.y]}
    client = APIClient()
    client.force_authenticate(staff)
    response = client.post(
        "/api/v1/occurrences/",
        {
            "dataset": entry["dataset"],
            "taxon": Occurrence.objects.values_list("taxon", flat=True).first(),
            "date_start": "2024-06-01",
            "geometry": {"type": "Point", "coordinates": entry["point"]},
            "count_min": 1,
            "count_max": 1,
            "observers_label": "Contrôle du plan de charge",
        },
        format="json",
        HTTP_HOST="127.0.0.1",
    )
    if response.status_code != 201:
        raise RuntimeError(f"saisie refusée : {response.status_code} {response.data}")
    return entry


def _sessions(name: str, password: str) -> list[str]:
    """USERS sessions of the account, as ``django.contrib.auth.login`` writes them, in the
    session store of these settings (the one gunicorn reads): the locust users start
    logged in, so the timed window measures the browsing and entry mix, not PBKDF2."""
    # The backends of a login (django-axes first, which wants the request).
    request = RequestFactory().post("/connexion/", HTTP_HOST="127.0.0.1")
    user = authenticate(request, username=name, password=password)
    if user is None:
        raise RuntimeError(f"le compte {name} ne s'authentifie pas")
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = []
    for _ in range(USERS):
        session = store()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = user.backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        keys.append(session.session_key)
    return keys


def plan_write() -> dict:
    rng = random.Random("load")
    users = {name: User.objects.get(username=name) for name in ACCOUNTS}
    plan = {
        "sessions": {name: _sessions(name, pw) for name, pw in ACCOUNTS.items()},
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "taxa": _taxa(),
        "bboxes": _bboxes(rng),
        "region": REGION,
        "details": {name: _details(user, rng) for name, user in users.items()},
        "entry": _entry(users["saisie"]),
    }
    PLAN.write_text(json.dumps(plan), encoding="utf-8")
    return {
        "taxa": len(plan["taxa"]),
        "bboxes": len(plan["bboxes"]),
        "details": {name: len(uuids) for name, uuids in plan["details"].items()},
        "sessions": {name: len(keys) for name, keys in plan["sessions"].items()},
        "session_engine": settings.SESSION_ENGINE,
        "visible": {
            name: Occurrence.objects.visible_to(user).count()
            for name, user in users.items()
        },
    }
