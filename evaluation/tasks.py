"""Background work of the evaluation: producing decision letters (one task per letter)."""

from celery import shared_task

from .services import letters


@shared_task(bind=True, acks_late=True, autoretry_for=letters.TRANSIENT, retry_backoff=True,
             retry_backoff_max=600, retry_jitter=True, max_retries=5)
def produce_letter_task(self, letter_id: int):
    """Render, archive and send one decision letter (idempotent: a sent letter is left
    alone). Storage or network failures are retried with backoff; the last one is recorded
    on the letter as a failure."""
    return letters.produce_letter(letter_id=letter_id,
                                  last_attempt=self.request.retries >= self.max_retries)
