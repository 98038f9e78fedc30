"""Periodic work on the filing windows (started by beat, see CELERY_BEAT_SCHEDULE). Each task
takes no argument, reads the clock once and calls one service; its run is recorded."""

from celery import shared_task
from django.utils import timezone

from connaissance.ops.jobs import JOB_OPTIONS, periodic_job

from .services import deadlines


@shared_task(bind=True, **JOB_OPTIONS)
@periodic_job
def close_windows(self):
    """Expire the drafts of closed windows and tell the officers (every few minutes)."""
    return deadlines.close_windows(now=timezone.now())


@shared_task(bind=True, **JOB_OPTIONS)
@periodic_job
def reopen_windows(self):
    """Give back as drafts what a window's closing expired once officers extend the window."""
    return deadlines.reopen_windows(now=timezone.now())


@shared_task(bind=True, **JOB_OPTIONS)
@periodic_job
def announce_openings(self):
    """Tell the pre-selected collectives that their full dossier is open."""
    return deadlines.announce_openings(now=timezone.now())


@shared_task(bind=True, **JOB_OPTIONS)
@periodic_job
def remind_drafts(self):
    """Remind collectives that have not filed, at the call's reminder days (hourly)."""
    return deadlines.remind_drafts(now=timezone.now())
