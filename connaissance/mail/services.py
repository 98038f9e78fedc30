"""The one entry point for outgoing e-mail: record it, then send it after the commit.

Every mail is first a row of the outbox (`OutgoingMail`). A queued row is handed to a worker
(`deliver_mail`) once the transaction that wrote it commits; if the broker is down then, the row
simply waits and `flush_outbox` (on beat) sends it later. A held row (a decision mail of a call
whose officers approve such mails) waits until an officer approves it. Officers may put a failed
mail back in the queue or send a sent one again (as a new row).
"""

import logging
import re
from email.utils import parseaddr
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from connaissance.audit.services import record

from .models import OutgoingMail
from .rules import is_officer

logger = logging.getLogger(__name__)
Status = OutgoingMail.Status
MAX_ATTEMPTS = 5


def queue_mail(*, to, subject, body_text, body_html="", cause, attachment_ids=(), dedup_key=None,
               hold=False):
    """Record a mail and schedule its delivery once the surrounding transaction commits.

    With a `dedup_key`, a second call for the same notice returns the first row and sends nothing.
    With `hold`, the mail waits in the outbox for an officer's approval (`approve_mails`);
    transactional mails (receipts, invitations, account mails) are never held.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    try:
        with transaction.atomic():
            mail = OutgoingMail.objects.create(
                to=recipients, subject=_one_line(subject)[:255], body_text=body_text,
                body_html=body_html, cause=cause,
                # Stored-file UUIDs as strings: a JSONField cannot hold UUID objects.
                attachment_ids=[str(file_id) for file_id in attachment_ids],
                dedup_key=dedup_key, status=Status.HELD if hold else Status.QUEUED,
            )
    except IntegrityError:
        if dedup_key is None:
            raise
        return OutgoingMail.objects.get(dedup_key=dedup_key)
    if not hold:
        transaction.on_commit(partial(_enqueue, mail.pk))
    return mail


def _one_line(subject):
    # A header holds no line break; non-breaking spaces (French typography) stay.
    return re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", subject.strip())


def queue_templated_mail(*, to, template_prefix, context, cause, dedup_key=None,
                         attachment_ids=(), hold=False):
    """Render `<prefix>_subject.txt`, `<prefix>.txt` and, if it exists, `<prefix>.html`.

    Only a missing HTML template is optional: an error inside an existing one is raised.
    The layout (`email/base.html`) links to the portal: SITE_URL is there unless given.
    """
    context = {"SITE_URL": settings.SITE_URL, **context}
    subject = render_to_string(f"{template_prefix}_subject.txt", context).strip()
    body_text = render_to_string(f"{template_prefix}.txt", context)
    try:
        html_template = get_template(f"{template_prefix}.html")
    except TemplateDoesNotExist as exc:
        if exc.args and exc.args[0] != f"{template_prefix}.html":
            raise  # the template exists but something it needs does not
        body_html = ""
    else:
        body_html = html_template.render(context)
    return queue_mail(to=to, subject=subject, body_text=body_text, body_html=body_html,
                      cause=cause, dedup_key=dedup_key, attachment_ids=attachment_ids, hold=hold)


def _enqueue(mail_id):
    from .tasks import deliver_mail

    try:
        deliver_mail.delay(mail_id)
    except Exception:  # noqa: BLE001 - broker down: the row waits, flush_outbox sends it later
        logger.warning("Broker unreachable; mail %s stays queued in the outbox.", mail_id)


# --- delivery ------------------------------------------------------------------------------

def deliver(*, mail_id):
    """Send one queued mail. Safe to call twice, or from two workers at once: the row is locked
    for the whole attempt, and only a queued mail is sent (a sent, held or failed one is not).

    A failed attempt is recorded (attempts, last_error, failed after MAX_ATTEMPTS) and committed
    before the error is raised again for the caller's retry.

    Exactly once, as far as SMTP allows: the row is marked sent *before* the message goes, in
    the same still-uncommitted transaction, so that once the server has accepted the message
    the only step left is the COMMIT. A worker killed before that COMMIT (during the SMTP
    exchange, or in the instant after it) leaves the row queued (PostgreSQL rolls the open
    transaction back when the connection drops) and its unacknowledged task comes back
    (acks_late): the mail is sent again. That remaining window, between the relay's final
    "250 OK" and the COMMIT, cannot be closed without a two-phase commit with the relay; it
    is a few milliseconds, and a mail sent twice through it carries the same Message-ID (see
    `message_id`), by which mail systems recognise the copy. The database must not end idle
    transactions sooner than EMAIL_TIMEOUT (idle_in_transaction_session_timeout).
    """
    with transaction.atomic():
        mail = OutgoingMail.objects.select_for_update().filter(pk=mail_id).first()
        if mail is None or mail.status != Status.QUEUED:
            return False
        attempt = mail.attempts + 1
        rows = OutgoingMail.objects.filter(pk=mail.pk)
        try:
            message = _message(mail)  # an attachment that cannot be read is a failed attempt
            rows.update(status=Status.SENT, sent_at=timezone.now(), attempts=attempt,
                        last_error="")
            message.send()
        except Exception as exc:  # noqa: BLE001 - recorded, retried
            rows.update(status=Status.FAILED if attempt >= MAX_ATTEMPTS else Status.QUEUED,
                        sent_at=None, attempts=attempt,
                        last_error=f"{type(exc).__name__}: {exc}"[:2000])
            error = exc
        else:
            return True  # leaving the block commits: the only step after the send
    # Raised outside the atomic block: raising inside it rolled the record of the attempt back.
    raise error


def message_id(mail):
    """The same Message-ID for every attempt at one row (a new row for a resend by officers)."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "connaissance"
    return f"<outbox.{mail.pk}.{mail.created_at:%Y%m%d%H%M%S%f}@{domain}>"


def _message(mail):
    message = EmailMultiAlternatives(
        subject=mail.subject, body=mail.body_text, from_email=settings.DEFAULT_FROM_EMAIL,
        to=mail.to, headers={"Message-ID": message_id(mail)},
    )
    if mail.body_html:
        message.attach_alternative(mail.body_html, "text/html")
    for name, content, mimetype in _attachments(mail.attachment_ids):
        message.attach(name, content, mimetype)
    return message


def pending_ids(limit=200):
    """Queued mails, oldest first (held and failed ones wait for an officer)."""
    return list(
        OutgoingMail.objects.filter(status=Status.QUEUED)
        .order_by("created_at", "pk").values_list("pk", flat=True)[:limit]
    )


def _attachments(ids):
    if not ids:
        return []
    from connaissance.files.services import read_stored_files

    return read_stored_files(ids)


# --- officers: approval and resending -----------------------------------------------------

def _require_officer(officer):
    if not is_officer(officer):
        raise PermissionDenied


def approve_mails(*, officer, mail_ids):
    """Approve held mails: each is queued and handed to a worker once the transaction commits.

    Mails that are not held (any more) are left as they are. Returns the approved rows.
    """
    _require_officer(officer)
    with transaction.atomic():
        mails = list(OutgoingMail.objects.select_for_update()
                     .filter(pk__in=list(mail_ids), status=Status.HELD).order_by("pk"))
        now = timezone.now()
        for mail in mails:
            mail.status, mail.approved_by, mail.approved_at = Status.QUEUED, officer, now
            mail.save(update_fields=["status", "approved_by", "approved_at"])
            record(actor=officer, obj=mail, action="mail.approve", from_state=Status.HELD,
                   to_state=Status.QUEUED, data={"cause": mail.cause, "to": mail.to})
            transaction.on_commit(partial(_enqueue, mail.pk))
    return mails


def resend_mails(*, officer, mail_ids):
    """Send again what officers selected: a failed mail goes back to the queue (its attempts
    start again from zero); a sent mail is copied to a new row, queued, whose cause says which
    mail it sends again. Held and queued mails are left as they are (approve a held one).

    Returns {"requeued": [rows], "copies": [new rows], "skipped": count}.
    """
    _require_officer(officer)
    ids = list(mail_ids)
    result = {"requeued": [], "copies": [], "skipped": 0}
    with transaction.atomic():
        mails = list(OutgoingMail.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        for mail in mails:
            if mail.status == Status.FAILED:
                _requeue(officer, mail)
                result["requeued"].append(mail)
            elif mail.status == Status.SENT:
                result["copies"].append(_copy(officer, mail))
            else:
                result["skipped"] += 1
    result["skipped"] += len(set(ids)) - len(mails)
    return result


def _requeue(officer, mail):
    previous = {"attempts": mail.attempts, "last_error": mail.last_error}
    mail.status, mail.attempts = Status.QUEUED, 0
    mail.save(update_fields=["status", "attempts"])
    record(actor=officer, obj=mail, action="mail.requeue", from_state=Status.FAILED,
           to_state=Status.QUEUED, data=previous)
    transaction.on_commit(partial(_enqueue, mail.pk))


def _copy(officer, mail):
    copy = OutgoingMail.objects.create(
        to=mail.to, subject=mail.subject, body_text=mail.body_text, body_html=mail.body_html,
        attachment_ids=mail.attachment_ids, resend_of=mail, status=Status.QUEUED,
        cause=f"resend of #{mail.pk} ({mail.cause})"[:120],
    )
    record(actor=officer, obj=mail, action="mail.resend", from_state=Status.SENT,
           to_state=Status.SENT, data={"copy": copy.pk, "to": mail.to})
    record(actor=officer, obj=copy, action="mail.resend", to_state=Status.QUEUED,
           data={"resend_of": mail.pk})
    transaction.on_commit(partial(_enqueue, copy.pk))
    return copy
