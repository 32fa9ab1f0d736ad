"""Local run: ``make run`` (``manage.py``, the Celery worker). The base settings as they
are, so the local site is served like production on 127.0.0.1/localhost: DEBUG off (no
debug page, no URL map on a 404, the French error pages), static files collected by
``make run`` and served by WhiteNoise. ``DEBUG=1`` gives Django's debug pages while
developing."""

from .base import *  # noqa: F403
