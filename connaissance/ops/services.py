"""Liveness of the portal's parts: database, broker, scheduler."""

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

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
    """Whether the scheduler ticks. When it does not, `message` says so in words: without it,
    no window closes on its own, no reminder and no digest goes out."""
    now = now or timezone.now()
    beat = Heartbeat.objects.filter(name=BEAT).first()
    limit = settings.BEAT_STALE_AFTER_SECONDS
    if beat is None:
        return {"ok": False, "last_tick": None, "age_seconds": None, "stale": True,
                "message": _("STALE: the scheduler (Celery beat) has never ticked. Phase "
                             "closings, reminders and digests are not running.")}
    age = (now - beat.at).total_seconds()
    stale = age > limit
    if stale:
        message = _("STALE: the scheduler (Celery beat) last ticked %(age)d seconds ago "
                    "(limit: %(limit)d seconds). Phase closings, reminders and digests are "
                    "not running.") % {"age": round(age), "limit": limit}
    else:
        message = _("The scheduler (Celery beat) ticked %(age)d seconds ago.") % {
            "age": round(age)}
    return {"ok": not stale, "last_tick": beat.at.isoformat(), "age_seconds": round(age),
            "stale": stale, "message": message}


def health() -> dict:
    report = {"database": database_status(), "broker": broker_status(), "beat": beat_status()}
    report["ok"] = all(part["ok"] for part in report.values())
    return report
