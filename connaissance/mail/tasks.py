"""The outbox's background work. Both tasks are acknowledged late (a worker that dies in the
middle leaves its task to another one, see CELERY_VISIBILITY_TIMEOUT) and safe to run twice:
`services.deliver` sends only a queued row, under a row lock."""

from celery import shared_task

from . import services


@shared_task(bind=True, acks_late=True, max_retries=4, default_retry_delay=30)
def deliver_mail(self, mail_id: int):
    try:
        return services.deliver(mail_id=mail_id)
    except Exception as exc:  # noqa: BLE001
        raise self.retry(exc=exc, countdown=30 * (2 ** self.request.retries)) from exc


@shared_task(acks_late=True)
def flush_outbox():
    """Send what waits in the outbox (e.g. mails queued while the broker was down)."""
    sent = 0
    for mail_id in services.pending_ids():
        try:
            sent += bool(services.deliver(mail_id=mail_id))
        except Exception:  # noqa: BLE001 - attempt recorded on the row; next flush retries
            continue
    return sent
