"""Periodic work on the laureates' follow-up (started by beat, see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.utils import timezone

from connaissance.ops.jobs import JOB_OPTIONS, periodic_job

from .services import reminders


@shared_task(bind=True, **JOB_OPTIONS)
@periodic_job
def remind_reports(self):
    """Remind the laureates of their reports before the due date, and once when late."""
    return reminders.remind_reports(now=timezone.now())
