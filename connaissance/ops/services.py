"""Liveness of the portal's parts: database, broker, scheduler."""

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import Heartbeat

BEAT = "celery-beat"


def record_tick(*, name=BEAT, at=None):
    Heartbeat.objects.update_or_create(name=name, defaults={"at": at or timezone.now()})


def database_status() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return {"ok": False, "error": type(exc).__name__}


def broker_status() -> dict:
    from connaissance.celery import app

    url = app.conf.broker_url or ""
    transport = url.split("://", 1)[0]
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "transport": transport}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "transport": transport, "error": type(exc).__name__}


def beat_status(now=None) -> dict:
    now = now or timezone.now()
    beat = Heartbeat.objects.filter(name=BEAT).first()
    if beat is None:
        return {"ok": False, "last_tick": None, "age_seconds": None, "stale": True}
    age = (now - beat.at).total_seconds()
    stale = age > settings.BEAT_STALE_AFTER_SECONDS
    return {"ok": not stale, "last_tick": beat.at.isoformat(), "age_seconds": round(age),
            "stale": stale}


def health() -> dict:
    report = {"database": database_status(), "broker": broker_status(), "beat": beat_status()}
    report["ok"] = all(part["ok"] for part in report.values())
    return report
