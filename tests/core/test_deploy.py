"""Production settings pass Django's deployment checklist, and responses carry strict headers."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Only what production would set: the test script's relaxations for the browser tests
# (SECURE_SSL_REDIRECT=0, SESSION_COOKIE_SECURE=0, CSRF_COOKIE_SECURE=0,
# DJANGO_ALLOW_ASYNC_UNSAFE...) are left out, so the settings' own defaults are checked.
KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL",
        "CONNAISSANCE_VAR_DIR", "STATIC_ROOT")


def production_env(**overrides):
    env = {k: v for k, v in os.environ.items() if k in KEPT}
    env.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(64),
               ALLOWED_HOSTS="portal.example.org", SITE_URL="https://portal.example.org")
    env.update(overrides)
    for relaxed in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        assert relaxed in overrides or relaxed not in env
    return env


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_reports_no_issue():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output


def test_check_deploy_would_catch_a_relaxed_setting():
    """The check above is not vacuous: turning the HTTPS redirect off is reported."""
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    env=production_env(SECURE_SSL_REDIRECT="0"))
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


def test_settings_refuse_to_start_without_secret_key():
    env = production_env()
    env.pop("SECRET_KEY")
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.mark.django_db
def test_home_page_security_headers(client):
    response = client.get("/", secure=True)
    assert response.status_code == 200

    csp = directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_home_page_has_no_inline_script(client):
    """A strict CSP only holds if the pages need nothing it forbids."""
    import re

    html = client.get("/", secure=True).content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S | re.I)
    assert all("src=" in attrs and not body.strip() for attrs, body in scripts), scripts
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
