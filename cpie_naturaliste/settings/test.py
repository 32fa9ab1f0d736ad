"""Settings for ``make test`` (pytest): real PostGIS and Redis, no manifest static storage."""

import os

from .base import *  # noqa: F403
from .base import CACHES, MIDDLEWARE, REDIS_URL, REST_FRAMEWORK, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Manifest storage needs collectstatic; live_server serves static files itself (STACK gotcha 7).
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MIDDLEWARE = [
    m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"
]

# Each pytest-xdist worker gets its own Redis database, so that a Celery worker started by one
# test process never consumes the tasks (or cache keys) of another, which uses another database.
_xdist = os.environ.get("PYTEST_XDIST_WORKER", "gw-1")
_redis_db = int(_xdist.removeprefix("gw")) + 2
REDIS_URL = REDIS_URL.rsplit("/", 1)[0] + f"/{_redis_db}"
CACHES = {"default": {**CACHES["default"], "LOCATION": REDIS_URL}}
CELERY_BROKER_URL = CELERY_RESULT_BACKEND = REDIS_URL
# No rebuild of the finds' presence history queued by every validation or import: the
# tests that need it rebuild it themselves (or enable it with a worker).
INDICATEURS_AUTO_REFRESH = False

# Limits high enough that no test meets one by accident: the tests share 127.0.0.1, a few
# usernames and a few email addresses, and the counters live in Redis across the tests of
# a worker. tests/test_throttling.py puts back each rate of base.py and proves it holds.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        scope: "100000/minute" for scope in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    },
}
AXES_FAILURE_LIMIT = 100000
SENSIBILISATION_EMAIL_RATE_LIMITS = ((100000, 60),)

# make test: each test database is a copy of a migrated template (tests/db_template.py).
if os.environ.get("TEST_DB_TEMPLATE"):
    DATABASES["default"]["TEST"] = {  # noqa: F405
        **DATABASES["default"].get("TEST", {}),  # noqa: F405
        "TEMPLATE": os.environ["TEST_DB_TEMPLATE"],
    }
