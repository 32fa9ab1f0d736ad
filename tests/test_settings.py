"""Production settings pass Django's deployment checks; the project has no missing migration."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="cpie_naturaliste.settings.prod",
        SECRET_KEY="x7!vQ2#pL9@wR4$tY6%uI8^oP0&aS3*dF5(gH1)jK-lZ+cXbNmEqWrTy",
        ALLOWED_HOSTS="naturaliste.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "cpie_naturaliste.settings.prod"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_make_run_serves_like_production():
    """``make run`` starts ``manage.py runserver`` with manage.py's default settings and
    no DEBUG in the environment: DEBUG must be off there (no debug page, no URL map on a
    404), static files collected and served by WhiteNoise, local hosts only."""
    assert "$(PY) manage.py collectstatic" in (ROOT / "Makefile").read_text()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "ALLOWED_HOSTS"}
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings as s; "
            "print(s.SETTINGS_MODULE, s.DEBUG, ','.join(s.ALLOWED_HOSTS), "
            "'whitenoise.middleware.WhiteNoiseMiddleware' in s.MIDDLEWARE, "
            "s.STORAGES['staticfiles']['BACKEND'])",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    # (the shell may first say how many objects it imported)
    assert result.stdout.splitlines()[-1].split() == [
        "cpie_naturaliste.settings.dev",
        "False",
        "127.0.0.1,localhost",
        "True",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]
