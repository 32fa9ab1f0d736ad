"""Settings shared by every environment, all overridable from environment variables.

Without ``DATABASE_URL`` / ``REDIS_URL`` the app talks to the project-local PostgreSQL cluster and
Redis that ``make services`` starts under ``.run/``.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from .maps import tile_hosts as map_tile_hosts
from .maps import tile_layers as map_tile_layers

BASE_DIR = Path(__file__).resolve().parent.parent.parent
RUN_DIR = Path(os.environ.get("RUN", BASE_DIR / ".run"))


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


def env_windows(name: str, default: str) -> tuple[tuple[int, int], ...]:
    """Rate windows "5/600,20/86400": at most 5 in 600 s and 20 in 86,400 s."""
    return tuple(
        (int(count), int(seconds))
        for count, seconds in (item.split("/") for item in env_list(name, default))
    )


SECRET_KEY = os.environ.get(
    "SECRET_KEY", "dev-only-insecure-key-change-me-in-production"
)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "leaflet",
    "django_celery_beat",
    "axes",
    "cpie_naturaliste.core",
    "referentiel",
    "observations",
    "baguage",
    "terrils",
    "zones_humides",
    "sensibilisation",
    "indicateurs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cpie_naturaliste.core.http.RejectNulMiddleware",
    "cpie_naturaliste.core.http.PageMethodsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the database: which reads may go to the replica.
    "cpie_naturaliste.core.replica.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a login it flagged as locked into its 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cpie_naturaliste.urls"
WSGI_APPLICATION = "cpie_naturaliste.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # The site menu, assembled from what each app declares (project layer).
            "libraries": {"navigation": "cpie_naturaliste.navigation"},
        },
    },
]

_LOCAL_DB = (
    f"postgis://postgres@%2F{str(RUN_DIR / 'pg' / 'sock').lstrip('/').replace('/', '%2F')}"
    f":{os.environ.get('PGPORT', '54329')}/cpie"
)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _LOCAL_DB),
        engine="django.contrib.gis.db.backends.postgis",
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# No JIT compilation: the app's queries are short, and above jit_above_cost PostgreSQL
# spent more compiling them than running them (the indicators' finds query: 0.3 s with
# JIT, bench/RESULTS.md section indicateurs).
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# Connection pooling (psycopg 3's pool through Django, psycopg[pool]): with DATABASE_POOL on,
# each process keeps between DATABASE_POOL_MIN_SIZE and DATABASE_POOL_MAX_SIZE connections
# that its requests (its threads, with gunicorn's gthread workers) borrow and give back;
# a request waits up to DATABASE_POOL_TIMEOUT seconds for one, then fails. Persistent
# connections (CONN_MAX_AGE) and a pool exclude each other: the pool is what keeps them.
# Off by default (commands, Celery's prefork workers: one connection per process is all
# they use); on for the web service of docker-compose.yml, gthread workers sharing it
# (bench/RESULTS.md, section Charge).
DATABASE_POOL = env_bool("DATABASE_POOL", False)
if DATABASE_POOL:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": int(os.environ.get("DATABASE_POOL_MIN_SIZE", "2")),
        "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE", "4")),
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "10")),
    }
# A streaming replica of the primary for the heavy reads (cpie_naturaliste/core/replica.py):
# same database, read-only; reads fall back to the primary when it is down or lagging.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(
            os.environ["DATABASE_REPLICA_URL"],
            engine="django.contrib.gis.db.backends.postgis",
        ),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        # The same options, its own pool when DATABASE_POOL is on.
        "OPTIONS": dict(DATABASES["default"]["OPTIONS"]),
        # Tests never create a database on a read-only server.
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["cpie_naturaliste.core.replica.ReplicaRouter"]
# Seconds the replica may be behind before reads go back to the primary; how long a
# browser reads the primary after it wrote (must exceed the usual lag); how often a
# process checks the replica's lag.
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "5"))
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "10"))
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "2"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get(
    "REDIS_URL", f"redis://127.0.0.1:{os.environ.get('REDIS_PORT', '63790')}/0"
)
CACHES = {
    "default": {
        # Django's RedisCache, one redis-py client per pool (not one per cache call).
        "BACKEND": "cpie_naturaliste.core.cache.SharedClientRedisCache",
        "LOCATION": REDIS_URL,
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes watches every password check (login page, admin, API token) first.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, reading the user, its organisation, roles and datasets in one query.
    "referentiel.backends.UserBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 12)))
# Sessions written to the database and to the cache (Redis), read from the cache: no query
# per request to find the session; a session Redis lost is read back from the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_FAILURE_VIEW = "cpie_naturaliste.core.http.csrf_failure"

# Reverse proxies in front of the app (nginx, a load balancer…) that append the client's
# address to X-Forwarded-For: every limit per address (API throttles, login lockout,
# campaign form) reads it there (cpie_naturaliste.core.throttling.client_address). 0: the
# app is reached directly and REMOTE_ADDR is the client.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

# Login lockout (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one username
# (from any address) or from one address (for any username), on the login page, the
# admin's or the API token endpoint alike, the login is refused (429, French page) for
# LOGIN_COOLOFF_MINUTES, counted again from each attempt made meanwhile. The counts live in
# Redis (the cache), like every other limit: nothing is written to the database.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(
    minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15"))
)
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_CLIENT_IP_CALLABLE = "cpie_naturaliste.core.throttling.client_address"
AXES_USERNAME_CALLABLE = "cpie_naturaliste.core.throttling.login_username"
AXES_LOCKOUT_CALLABLE = "cpie_naturaliste.core.throttling.login_locked_out"
# The cache handler keeps no attempt in the database: no admin page to show them.
AXES_ENABLE_ADMIN = False
# No startup line in every manage.py command; failures and lockouts are still logged.
AXES_VERBOSE = False

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français"))]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / ".run" / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / ".run" / "media"))

# Geometry: stored in Lambert-93 (metres), served in WGS84.
SRID = 2154
API_SRID = 4326
# The territory data must lie in: Hauts-de-France plus a 10 km margin, a WKT polygon in
# Lambert-93 (see cpie_naturaliste/core/data/README.md). Another region ships its own file.
TERRITORY_WKT_FILE = Path(
    os.environ.get(
        "TERRITORY_WKT_FILE", BASE_DIR / "cpie_naturaliste/core/data/territory.wkt"
    )
)

# Spatial references never come from users (fixed SRIDs only), so GDAL < 3.9's warning does not
# apply (see STACK.md gotcha 1).
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

MAP_TILE_LAYERS = map_tile_layers(os.environ)
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (50.45, 2.75),
    "DEFAULT_ZOOM": 9,
    "MIN_ZOOM": 5,
    "MAX_ZOOM": 19,
    "RESET_VIEW": False,
    # Background maps (cpie_naturaliste/settings/maps.py): IGN Plan and orthophotos and
    # OpenStreetMap by default, MAP_TILES_URL / MAP_BASE_LAYERS to point elsewhere or turn
    # them off; the vendored outline layer is always there (offline fallback).
    "TILES": MAP_TILE_LAYERS,
}

# Content Security Policy (django-csp): scripts and data from this site only, no inline
# script or handler anywhere (JSON goes through json_script). Styles allow inline because
# Leaflet, Chart.js and a few templates set style attributes. The admin is left out: its
# map widget (django-leaflet) initialises with an inline script; it is staff-only.
# Images: this site and exactly the configured tile hosts.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *map_tile_hosts(MAP_TILE_LAYERS)],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

REST_FRAMEWORK = {
    # The first class decides how a request without credentials is answered: a 401 with
    # "WWW-Authenticate: Token" (the session class has no such header, so DRF would turn
    # the 401 into a 403). The pages' scripts still sign in by their session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the browsable API's forms list every choice of their related fields (all
    # sites, people, datasets), a channel around the read policy; /api/docs/ documents it.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "cpie_naturaliste.core.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "cpie_naturaliste.core.schema.ErrorResponsesAutoSchema",
    # Request rates (cpie_naturaliste.core.throttling), counted in Redis: anonymous
    # clients per address, signed-in ones per user; the token endpoint per address and
    # per username, on top of the login lockout. "N/second|minute|hour|day".
    "DEFAULT_THROTTLE_CLASSES": [
        "cpie_naturaliste.core.throttling.AnonRateThrottle",
        "cpie_naturaliste.core.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "60/minute"),
        "user": os.environ.get("THROTTLE_USER", "1200/minute"),
        "token_address": os.environ.get("THROTTLE_TOKEN_ADDRESS", "10/minute"),
        "token_username": os.environ.get("THROTTLE_TOKEN_USERNAME", "20/hour"),
    },
    "EXCEPTION_HANDLER": "cpie_naturaliste.core.throttling.api_exception_handler",
}
# Incremental sync (observations.sync, README "Synchroniser une copie locale"): seconds
# allowed between the application servers' clocks and the database's, and days a
# deletion stays in the deletions feed (a client that waits longer reads everything again).
SYNC_CLOCK_MARGIN = int(os.environ.get("SYNC_CLOCK_MARGIN", "2"))
SYNC_DELETIONS_RETENTION_DAYS = int(
    os.environ.get("SYNC_DELETIONS_RETENTION_DAYS", "400")
)
SPECTACULAR_SETTINGS = {
    "TITLE": "CPIE Naturaliste API",
    "DESCRIPTION": "Données naturalistes du réseau des CPIE des Hauts-de-France.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Tags from the path after /api/v1/ ("occurrences", "taxa"…), not "v1" for everything.
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Deep links put a link inside each operation's button (nested interactive controls,
    # one more tab stop per operation): off, the button alone opens the operation.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
    # The regional red list is one code list wherever it appears (taxa, terril methods).
    "ENUM_NAME_OVERRIDES": {"RedListEnum": "referentiel.models.taxa.RedList"},
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 60
# Redis hands a message its worker never acknowledged (acks_late: the worker was killed) to
# another worker after this many seconds. It must outlast the longest task, else a job still
# running is started a second time; a killed pool process is requeued at once anyway
# (REJECT_ON_WORKER_LOST), only a lost whole worker waits for it (tests/resilience/).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(
        os.environ.get(
            "CELERY_VISIBILITY_TIMEOUT", str(CELERY_TASK_TIME_LIMIT + 15 * 60)
        )
    ),
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# A request body read into memory (forms, JSON; files excluded) above this size is refused
# with a 413 (cpie_naturaliste.core.http.bad_request), as one with more fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(
    os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(int(2.5 * 1024 * 1024)))
)
DATA_UPLOAD_MAX_NUMBER_FIELDS = int(
    os.environ.get("DATA_UPLOAD_MAX_NUMBER_FIELDS", "1000")
)

# Photos and sounds of records (cpie_naturaliste.core.media): the cap of each file, checked
# by its content; stored under MEDIA_ROOT/prive/, which no web server may serve (only the
# view observations:media_file sends them, to readers who place the record).
MEDIA_UPLOAD_MAX_BYTES = int(
    os.environ.get("MEDIA_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024))
)

# Bulk imports: upload cap (also set the web server's body limit, e.g. nginx
# client_max_body_size), and files above this many rows run in the Celery worker.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(100 * 1024 * 1024)))
IMPORT_INLINE_MAX_ROWS = int(os.environ.get("IMPORT_INLINE_MAX_ROWS", "500"))
# Remarkable finds (indicateurs): a taxon back in a département after this many years
# without a valid record is listed as a return.
INDICATEURS_GAP_YEARS = int(os.environ.get("INDICATEURS_GAP_YEARS", "10"))
# A common taxon is never a first mention nor a return (indicateurs.finds): one with at
# least INDICATEURS_COMMON_RECORDS valid records in the instance over the
# INDICATEURS_COMMON_YEARS years up to the report's year (all départements and sources),
# or of a regional rarity among INDICATEURS_COMMON_RARITIES (referentiel TaxonStatus,
# comma-separated: C commun, CC très commun).
INDICATEURS_COMMON_RECORDS = int(os.environ.get("INDICATEURS_COMMON_RECORDS", "20"))
INDICATEURS_COMMON_YEARS = int(os.environ.get("INDICATEURS_COMMON_YEARS", "10"))
INDICATEURS_COMMON_RARITIES = tuple(
    code.strip()
    for code in os.environ.get("INDICATEURS_COMMON_RARITIES", "C,CC").split(",")
    if code.strip()
)
# The presence history of the finds and the dashboard's snapshots are recomputed this many
# seconds after a burst of changes (indicateurs.snapshots).
INDICATEURS_REFRESH_DELAY = int(os.environ.get("INDICATEURS_REFRESH_DELAY", "30"))
# The dashboard shows figures computed before a change while the worker recomputes them,
# unless they are older than this (seconds): then it computes them for the request.
INDICATEURS_SNAPSHOT_STALE_MAX = int(
    os.environ.get("INDICATEURS_SNAPSHOT_STALE_MAX", "3600")
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
AUTH_USER_MODEL = "referentiel.User"

# Email (campaign report confirmations): printed on the console unless a real backend is
# configured (e.g. EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend + EMAIL_HOST).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "CPIE Naturaliste <ne-pas-repondre@cpie-naturaliste.invalid>"
)
# Public campaign forms (sensibilisation.protection), counted in Redis: posts per client
# address (accepted or not), and reports per email address (each sends a confirmation
# email: nobody fills a stranger's mailbox through the form).
SENSIBILISATION_RATE_LIMITS = env_windows(
    "SENSIBILISATION_RATE_LIMITS", "5/600,20/86400"
)
# Where users report an accessibility problem (the statement at /accessibilite/). Unset,
# the statement sends them to the organisation of the network they work with.
ACCESSIBILITY_CONTACT_EMAIL = os.environ.get("ACCESSIBILITY_CONTACT_EMAIL", "")
SENSIBILISATION_EMAIL_RATE_LIMITS = env_windows(
    "SENSIBILISATION_EMAIL_RATE_LIMITS", "5/3600,20/86400"
)
# Public base URL for links sent by email and stored in proofs (empty: from the request).
SITE_URL = os.environ.get("SITE_URL", "")
