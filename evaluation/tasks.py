"""Background work of the evaluation: producing decision letters (one task per letter), the
evaluators' reminders and the officers' daily digest."""

from celery import shared_task
from django.utils import timezone

from connaissance.ops.jobs import JOB_OPTIONS, periodic_job

from .services import digest, letters, reminders


@shared_task(bind=True, acks_late=True, autoretry_for=letters.TRANSIENT, retry_backoff=True,
             retry_backoff_max=600, retry_jitter=True, max_retries=5)
def produce_letter_task(self, letter_id: int):
    """Render, archive and send one decision letter (idempotent: a sent letter is left
    alone). Storage or network failures are retried with backoff; the last one is recorded
    on the letter as a failure."""
    return letters.produce_letter(letter_id=letter_id,
                                  last_attempt=self.request.retries >= self.max_retries)


# --- Periodic work (started by beat, see CELERY_BEAT_SCHEDULE; each run is recorded) --------

@shared_task(bind=True, **JOB_OPTIONS)
@periodic_job
def remind_evaluators(self):
    """Remind evaluators of their unsubmitted evaluations before the call's due date."""
    return reminders.remind_evaluators(now=timezone.now())


@shared_task(bind=True, **JOB_OPTIONS)
@periodic_job
def send_officers_digest(self):
    """The officers' daily digest (skipped when empty)."""
    return digest.send_digest(now=timezone.now())
