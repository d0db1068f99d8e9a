"""Safe by default: production settings unless told otherwise, a production start that refuses to
serve while a demo password is valid, `check --deploy` clean with the documented environment, and
the security headers on every page."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client

from incidents.demo_data import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.conftest import database_url

PROJECT_DIR = Path(settings.BASE_DIR)
# The environment docs/security.md documents for a production start.
PRODUCTION_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "geoapp.settings.production",
    "DJANGO_SECRET_KEY": "a-secret-of-this-deployment-only-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "phananh.quangngai.gov.vn",
    "NUM_PROXIES": "1",
}


def run_python(
    code: str, *, database: str, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`code` in a fresh Python process with the production environment, against `database`."""
    # Not the test run's own settings, nor the async switch the browser tests set for the run.
    inherited = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {key: value for key, value in os.environ.items() if key not in inherited}
    environment.update(PRODUCTION_ENVIRONMENT, DATABASE_URL=database_url(database), **(extra or {}))
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_wsgi_module_and_celery_default_to_production_settings() -> None:
    for module in ("geoapp/wsgi.py", "geoapp/asgi.py", "geoapp/celery.py"):
        text = (PROJECT_DIR / module).read_text()
        assert '"DJANGO_SETTINGS_MODULE", "geoapp.settings.production"' in text, module
    assert "geoapp.settings.development" in (PROJECT_DIR / "scripts/serve.sh").read_text()


@pytest.mark.django_db(transaction=True)
def test_check_deploy_reports_no_issue_with_the_documented_environment() -> None:
    finished = run_python(
        "import django, sys; django.setup(); from django.core.management import call_command; "
        "call_command('check', '--deploy', '--fail-level', 'WARNING')",
        database=connection.settings_dict["NAME"],
    )

    assert finished.returncode == 0, finished.stderr
    # gis.W001 is silenced in the settings, with its reason.
    assert finished.stdout.strip() == "System check identified no issues (1 silenced)."


def test_production_refuses_the_published_development_key() -> None:
    finished = run_python(
        "import django; django.setup()",
        database="unused",
        extra={"DJANGO_SECRET_KEY": "insecure-development-key-change-me"},
    )

    assert finished.returncode != 0
    assert "DJANGO_SECRET_KEY must be a secret of at least 50 characters" in finished.stderr


@pytest.mark.django_db(transaction=True)
def test_a_production_start_refuses_to_serve_while_a_demo_password_is_valid() -> None:
    account = DEMO_ACCOUNTS[0]
    # Hashed as production hashes (the test settings use a fast hasher production does not know).
    hashed = PBKDF2PasswordHasher().encode(DEMO_PASSWORD, PBKDF2PasswordHasher().salt())
    user = User.objects.create(username=account.username, password=hashed)

    refused = run_python("import geoapp.wsgi", database=connection.settings_dict["NAME"])

    assert refused.returncode != 0
    assert "Refusing to serve" in refused.stderr
    assert (
        f"incidents.E001: Demo accounts with the published password are active: {account.username}."
        in refused.stderr
    )

    user.password = PBKDF2PasswordHasher().encode("a new password only the officer knows", "s4lt")
    user.save(update_fields=["password"])
    started = run_python(
        "import geoapp.wsgi; print(geoapp.wsgi.application.__class__.__name__)",
        database=connection.settings_dict["NAME"],
    )

    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "WSGIHandler"


@pytest.mark.django_db
def test_every_page_carries_the_security_headers(client: Client) -> None:
    response = client.get("/ban-do-hanh-chinh/")

    policy = response.headers["Content-Security-Policy"]
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in policy.split(";")) if part
    )
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
