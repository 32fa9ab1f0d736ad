"""Production: every secret and host comes from the environment."""

import os

from .base import *  # noqa: F403

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Production runs behind the reverse proxy that terminates TLS (it sets X-Forwarded-Proto,
# trusted above): the client's address is the one it appends to X-Forwarded-For, else
# every client would share the proxy's address for the limits per address (one stranger's
# wrong passwords would lock everybody's login). 0 when clients reach gunicorn directly.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "1"))
