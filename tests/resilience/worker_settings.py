"""Settings of the Celery workers that tests/resilience starts as real processes.

The test settings, plus a Redis visibility timeout of seconds instead of an hour (swept every
second): a message whose whole worker was killed comes back while the test waits for it."""

from cpie_naturaliste.settings.test import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 5,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
