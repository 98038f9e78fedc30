"""/sante/: database, broker (Redis) and beat, as a load balancer and an operator read them."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from connaissance.celery import app
from connaissance.ops import services
from connaissance.ops.models import Heartbeat

pytestmark = pytest.mark.django_db


def get_health(client):
    response = client.get("/sante/", secure=True)
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    return response, response.json()


def test_database_and_broker_ok_beat_stale_without_heartbeat(client):
    assert not Heartbeat.objects.exists()
    response, report = get_health(client)
    assert response.status_code == 200
    assert report["database"] == {"ok": True, "vendor": "postgresql"}
    assert report["broker"] == {"ok": True, "transport": "redis"}
    message = report["beat"].pop("message")
    assert report["beat"] == {"ok": False, "last_tick": None, "age_seconds": None,
                              "stale": True}
    assert message  # in words: see tests/core/test_jobs.py
    assert report["ok"] is False


def test_beat_ok_after_a_tick(client):
    services.record_tick()
    response, report = get_health(client)
    assert response.status_code == 200
    assert report["beat"]["ok"] is True
    assert report["beat"]["stale"] is False
    assert 0 <= report["beat"]["age_seconds"] <= 5
    assert report["ok"] is True


def test_record_tick_keeps_one_row_per_process():
    services.record_tick()
    services.record_tick()
    services.record_tick(name="autre")
    assert Heartbeat.objects.filter(name=services.BEAT).count() == 1
    assert Heartbeat.objects.count() == 2


def test_beat_stale_when_the_tick_is_older_than_the_limit(client, settings):
    limit = settings.BEAT_STALE_AFTER_SECONDS
    services.record_tick(at=timezone.now() - timedelta(seconds=limit + 30))
    response, report = get_health(client)
    assert response.status_code == 200  # a stale scheduler alone does not take the node out
    assert report["beat"]["stale"] is True
    assert report["beat"]["ok"] is False
    assert report["beat"]["age_seconds"] >= limit + 30
    assert report["ok"] is False


def test_beat_goes_stale_as_time_passes(client, settings):
    settings.BEAT_STALE_AFTER_SECONDS = 120
    services.record_tick()
    with time_machine.travel(timezone.now() + timedelta(seconds=100), tick=False):
        assert services.beat_status()["ok"] is True
    with time_machine.travel(timezone.now() + timedelta(seconds=121), tick=False):
        _, report = get_health(client)
        assert report["beat"]["stale"] is True


def test_broker_down_is_reported_but_not_fatal(client, monkeypatch):
    # Port 9 (discard) on loopback: nothing answers, the connection is refused. Celery reads
    # CELERY_BROKER_URL from the environment before its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:9/0")
    assert app.conf.broker_url == "redis://127.0.0.1:9/0"
    services.record_tick()
    response, report = get_health(client)
    assert response.status_code == 200
    assert report["broker"]["ok"] is False
    assert report["broker"]["transport"] == "redis"
    assert report["broker"]["error"]
    assert report["database"]["ok"] is True
    assert report["ok"] is False


def test_503_when_the_database_is_down(client, monkeypatch):
    monkeypatch.setattr(services, "database_status",
                        lambda: {"ok": False, "error": "OperationalError"})
    response, report = get_health(client)
    assert response.status_code == 503
    assert report["database"] == {"ok": False, "error": "OperationalError"}
    assert report["ok"] is False


def test_database_status_reports_a_failing_connection(monkeypatch):
    from django.db import OperationalError, connection

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    assert services.database_status() == {"ok": False, "error": "OperationalError"}
