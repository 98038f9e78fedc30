"""The one entry point for outgoing e-mail: record it, then send it after the commit."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import OutgoingMail

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def queue_mail(*, to, subject, body_text, body_html="", cause, attachment_ids=(), dedup_key=None):
    """Record a mail and schedule its delivery once the surrounding transaction commits.

    With a `dedup_key`, a second call for the same notice returns the first row and sends nothing.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    try:
        with transaction.atomic():
            mail = OutgoingMail.objects.create(
                to=recipients, subject=subject.strip()[:255], body_text=body_text,
                body_html=body_html, cause=cause,
                # Stored-file UUIDs as strings: a JSONField cannot hold UUID objects.
                attachment_ids=[str(file_id) for file_id in attachment_ids],
                dedup_key=dedup_key,
            )
    except IntegrityError:
        if dedup_key is None:
            raise
        return OutgoingMail.objects.get(dedup_key=dedup_key)
    transaction.on_commit(lambda: _enqueue(mail.pk))
    return mail


def queue_templated_mail(*, to, template_prefix, context, cause, dedup_key=None,
                         attachment_ids=()):
    """Render `<prefix>_subject.txt`, `<prefix>.txt` and, if present, `<prefix>.html`."""
    subject = render_to_string(f"{template_prefix}_subject.txt", context).strip()
    body_text = render_to_string(f"{template_prefix}.txt", context)
    try:
        body_html = render_to_string(f"{template_prefix}.html", context)
    except Exception:  # noqa: BLE001 - the HTML part is optional
        body_html = ""
    return queue_mail(to=to, subject=subject, body_text=body_text, body_html=body_html,
                      cause=cause, dedup_key=dedup_key, attachment_ids=attachment_ids)


def _enqueue(mail_id):
    from .tasks import deliver_mail

    try:
        deliver_mail.delay(mail_id)
    except Exception:  # noqa: BLE001 - broker down: the row waits, flush_outbox sends it later
        logger.warning("Broker unreachable; mail %s stays queued in the outbox.", mail_id)


def deliver(*, mail_id):
    """Send one queued mail. Safe to call twice: a sent mail is never sent again.

    A failed attempt is recorded (attempts, last_error, failed after MAX_ATTEMPTS) and committed
    before the error is raised again for the caller's retry.
    """
    with transaction.atomic():
        mail = OutgoingMail.objects.select_for_update().filter(pk=mail_id).first()
        if mail is None or mail.status == OutgoingMail.Status.SENT:
            return False
        mail.attempts += 1
        message = EmailMultiAlternatives(
            subject=mail.subject, body=mail.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL, to=mail.to,
        )
        if mail.body_html:
            message.attach_alternative(mail.body_html, "text/html")
        for name, content, mimetype in _attachments(mail.attachment_ids):
            message.attach(name, content, mimetype)
        try:
            message.send()
        except Exception as exc:  # noqa: BLE001 - recorded, retried
            mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if mail.attempts >= MAX_ATTEMPTS:
                mail.status = OutgoingMail.Status.FAILED
            mail.save(update_fields=["attempts", "last_error", "status"])
            error = exc
        else:
            mail.status = OutgoingMail.Status.SENT
            mail.sent_at = timezone.now()
            mail.last_error = ""
            mail.save(update_fields=["attempts", "last_error", "status", "sent_at"])
            return True
    # Raised outside the atomic block: raising inside it rolled the record of the attempt back.
    raise error


def pending_ids(limit=200):
    return list(
        OutgoingMail.objects.filter(status=OutgoingMail.Status.QUEUED)
        .order_by("created_at").values_list("pk", flat=True)[:limit]
    )


def _attachments(ids):
    if not ids:
        return []
    from connaissance.files.services import read_stored_files

    return read_stored_files(ids)
