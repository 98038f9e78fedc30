"""docker-compose.yml describes the production shape and is valid for docker-compose 1.29.

No Docker engine is needed: `docker-compose config` validates and resolves the file offline.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
REQUIRED = {
    "SECRET_KEY": "compose-test-secret-0123456789abcdefghijklmnopqrstuvwxyz",
    "POSTGRES_PASSWORD": "compose-test-db-password",
    "ALLOWED_HOSTS": "portal.example.org",
    "SITE_URL": "https://portal.example.org",
    "EMAIL_HOST": "smtp.example.org",
}
APP_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose_bin():
    path = shutil.which("docker-compose")
    assert path, "docker-compose is not installed (make test installs Debian's package)"
    return path


def compose(compose_bin, tmp_path, *args, variables=REQUIRED):
    # An empty --env-file: a developer's own .env must not change what is tested.
    env_file = tmp_path / "empty.env"
    env_file.write_text("")
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(variables)
    return subprocess.run(
        [compose_bin, "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "config", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )


def to_data(compose_bin, yaml_text):
    """Parse the resolved YAML: with PyYAML if this venv has it, else with the interpreter that
    runs docker-compose (which always has PyYAML, docker-compose being built on it)."""
    try:
        import yaml
    except ImportError:
        interpreter = Path(compose_bin).read_text(errors="replace").splitlines()[0][2:].split()
        result = subprocess.run(
            [*interpreter, "-c",
             "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"],
            input=yaml_text, capture_output=True, text=True, timeout=60, check=True,
        )
        return json.loads(result.stdout)
    return yaml.safe_load(yaml_text)


@pytest.fixture(scope="module")
def config(compose_bin, tmp_path_factory):
    result = compose(compose_bin, tmp_path_factory.mktemp("compose"))
    assert result.returncode == 0, result.stderr
    return to_data(compose_bin, result.stdout)


def test_config_is_valid(compose_bin, tmp_path):
    result = compose(compose_bin, tmp_path, "-q")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_secret_key_is_required(compose_bin, tmp_path):
    variables = {k: v for k, v in REQUIRED.items() if k != "SECRET_KEY"}
    result = compose(compose_bin, tmp_path, "-q", variables=variables)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_services_and_volumes_listed(compose_bin, tmp_path):
    services = compose(compose_bin, tmp_path, "--services").stdout.split()
    volumes = compose(compose_bin, tmp_path, "--volumes").stdout.split()
    assert set(services) == {"web", "worker", "beat", "db", "redis", "migrate"}
    assert {"pgdata", "private-media"} <= set(volumes)


def test_commands(config):
    services = config["services"]
    assert services["web"]["command"][:2] == ["gunicorn", "connaissance.wsgi:application"]
    assert "0.0.0.0:8000" in services["web"]["command"]
    assert services["worker"]["command"] == [
        "celery", "-A", "connaissance", "worker", "--loglevel=INFO"]
    beat = services["beat"]["command"]
    assert beat[:4] == ["celery", "-A", "connaissance", "beat"]
    assert beat[beat.index("--schedule") + 1] == "/app/var/celerybeat-schedule"
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"


def test_app_services_share_one_image_and_production_environment(config):
    images = {config["services"][name]["image"] for name in APP_SERVICES}
    assert len(images) == 1
    for name in APP_SERVICES:
        service = config["services"][name]
        env = service["environment"]
        assert str(env["DEBUG"]) == "0"
        assert env["SECRET_KEY"] == REQUIRED["SECRET_KEY"]
        assert env["ALLOWED_HOSTS"] == "portal.example.org"
        assert env["SITE_URL"] == "https://portal.example.org"
        assert env["DATABASE_URL"] == (
            f"postgres://connaissance:{REQUIRED['POSTGRES_PASSWORD']}@db:5432/connaissance")
        assert env["REDIS_URL"].startswith("redis://redis:6379/")
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
        assert env["EMAIL_HOST"] == "smtp.example.org"
        assert env["CONNAISSANCE_VAR_DIR"] == "/app/var"
        assert env["PRIVATE_MEDIA_ROOT"]
        # Nothing relaxes the production security defaults.
        for relaxed in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
                        "EMAIL_BACKEND", "CELERY_TASK_ALWAYS_EAGER"):
            assert relaxed not in env
    assert config["services"]["db"]["environment"]["POSTGRES_PASSWORD"] == (
        REQUIRED["POSTGRES_PASSWORD"])


def mount_targets(service, volume):
    targets = []
    for entry in service.get("volumes", []):
        if isinstance(entry, str):
            source, target = entry.split(":")[:2]
        else:
            source, target = entry.get("source"), entry.get("target")
        if source == volume:
            targets.append(target)
    return targets


def test_private_media_volume_mounted_where_settings_look(config):
    services = config["services"]
    for name in ("web", "worker"):
        root = services[name]["environment"]["PRIVATE_MEDIA_ROOT"]
        assert mount_targets(services[name], "private-media") == [root]
    assert "private-media" in config["volumes"]
    assert mount_targets(services["db"], "pgdata") == ["/var/lib/postgresql/data"]


def test_healthchecks(config):
    services = config["services"]
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]
    web_test = services["web"]["healthcheck"]["test"]
    script = ROOT / web_test[-1]
    assert script.exists()
    assert "/sante/" in script.read_text()


def test_start_order(config):
    services = config["services"]
    for name in ("web", "worker"):
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert services["beat"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully")
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["migrate"].get("restart", "no") == "no"


def test_dockerfile_builds_a_non_root_image_with_translations_and_static_files():
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    text = "\n".join(lines)
    assert lines[[i for i, line in enumerate(lines) if line.startswith("FROM ")][0]] == (
        "FROM python:3.11-slim-bookworm")
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core", "gettext"):
        assert package in text
    assert "pip install -r requirements.lock" in text
    assert "compilemessages" in text and "collectstatic --noinput" in text
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert "connaissance.wsgi:application" in text
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".venv", "var", "staticfiles", ".git"):
        assert entry in ignored
