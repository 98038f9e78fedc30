"""Held mails wait for an officer's approval; officers send failed or sent mails again; each
of these is audited; only a queued mail is ever sent, once, with a stable Message-ID."""

import smtplib
import threading

import pytest
from django.core import mail as django_mail
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives

from connaissance.audit.models import AuditEvent
from connaissance.mail import services
from connaissance.mail.models import OutgoingMail
from tests.core.factories_core import OutgoingMailFactory, minimal_pdf, stored_file
from tests.factories import UserFactory, officer

pytestmark = pytest.mark.django_db
Status = OutgoingMail.Status


def queue(**overrides):
    fields = dict(to="porteur@example.org", subject="Votre note d’opportunité : décision",
                  body_text="Bonjour,\nLa décision de la Région est prise.\n",
                  cause="tests.decision")
    fields.update(overrides)
    return services.queue_mail(**fields)


def events(row, action):
    return list(AuditEvent.objects.for_object(row).filter(action=action))


# --- held mails -----------------------------------------------------------------------------

def test_a_held_mail_is_recorded_but_never_handed_to_a_worker(
        eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        row = queue(hold=True)
    assert callbacks == []
    row.refresh_from_db()
    assert (row.status, row.attempts, row.approved_by, row.approved_at) == (
        Status.HELD, 0, None, None)
    assert services.pending_ids() == []  # flush_outbox does not send it either
    assert services.deliver(mail_id=row.pk) is False  # nor does a stray task
    assert django_mail.outbox == []


def test_an_officer_approves_and_the_mail_goes_after_the_commit(
        eager_celery, django_capture_on_commit_callbacks):
    agent = officer(totp=False)
    held = queue(hold=True)
    other = queue(hold=True, to="autre@example.org")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        approved = services.approve_mails(officer=agent, mail_ids=[held.pk])
        assert django_mail.outbox == []  # not before the commit
    assert [m.pk for m in approved] == [held.pk] and len(callbacks) == 1
    held.refresh_from_db()
    assert held.status == Status.SENT and held.approved_by == agent
    assert held.approved_at is not None and held.sent_at >= held.approved_at
    [message] = django_mail.outbox
    assert message.to == ["porteur@example.org"]
    other.refresh_from_db()
    assert other.status == Status.HELD  # only what was approved
    [event] = events(held, "mail.approve")
    assert (event.actor, event.from_state, event.to_state) == (agent, "held", "queued")


def test_approving_twice_sends_once(eager_celery, django_capture_on_commit_callbacks):
    agent = officer(totp=False)
    held = queue(hold=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_mails(officer=agent, mail_ids=[held.pk])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.approve_mails(officer=agent, mail_ids=[held.pk]) == []
    assert callbacks == []
    assert len(django_mail.outbox) == 1 and len(events(held, "mail.approve")) == 1


def test_approval_leaves_mails_that_are_not_held_alone(django_capture_on_commit_callbacks):
    queued, sent = OutgoingMailFactory(), OutgoingMailFactory(status=Status.SENT)
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.approve_mails(officer=officer(totp=False),
                                      mail_ids=[queued.pk, sent.pk]) == []
    assert callbacks == [] and not AuditEvent.objects.filter(action="mail.approve").exists()


@pytest.mark.parametrize("who", ["collective member", "tiers-lieux staff", "evaluator"])
def test_only_officers_approve(who):
    roles = {"collective member": [], "tiers-lieux staff": ["tiers_lieux_staff"],
             "evaluator": ["evaluator"]}[who]
    someone = UserFactory(roles=roles, is_staff=bool(roles))
    held = queue(hold=True)
    with pytest.raises(PermissionDenied):
        services.approve_mails(officer=someone, mail_ids=[held.pk])
    with pytest.raises(PermissionDenied):
        services.resend_mails(officer=someone, mail_ids=[held.pk])
    held.refresh_from_db()
    assert held.status == Status.HELD and held.approved_by is None


# --- sending again --------------------------------------------------------------------------

def test_a_failed_mail_goes_back_to_the_queue_with_its_attempts_reset(
        eager_celery, django_capture_on_commit_callbacks):
    agent = officer(totp=False)
    failed = OutgoingMailFactory(status=Status.FAILED, attempts=services.MAX_ATTEMPTS,
                                 last_error="SMTPRecipientsRefused: 550 no such user")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.resend_mails(officer=agent, mail_ids=[failed.pk])
    assert [m.pk for m in result["requeued"]] == [failed.pk]
    assert result["copies"] == [] and result["skipped"] == 0
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (Status.SENT, 1, "")
    assert len(django_mail.outbox) == 1
    [event] = events(failed, "mail.requeue")
    assert (event.actor, event.from_state, event.to_state) == (agent, "failed", "queued")
    assert event.data == {"attempts": services.MAX_ATTEMPTS,
                          "last_error": "SMTPRecipientsRefused: 550 no such user"}


def test_a_sent_mail_is_sent_again_as_a_new_row(eager_celery,
                                                django_capture_on_commit_callbacks):
    agent = officer(totp=False)
    receipt = stored_file(content=minimal_pdf("Accusé de réception"), name="accuse.pdf")
    sent = OutgoingMailFactory(status=Status.SENT, attempts=1, cause="applications:note_receipt",
                               body_html="<p>Bonjour</p>", attachment_ids=[str(receipt.pk)],
                               dedup_key="note-receipt-7")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.resend_mails(officer=agent, mail_ids=[sent.pk])
    [copy] = result["copies"]
    copy.refresh_from_db()
    assert copy.pk != sent.pk and copy.resend_of == sent
    assert copy.cause == f"resend of #{sent.pk} (applications:note_receipt)"
    assert (copy.to, copy.subject, copy.body_text, copy.body_html, copy.attachment_ids) == (
        sent.to, sent.subject, sent.body_text, sent.body_html, [str(receipt.pk)])
    assert copy.dedup_key is None  # the notice itself stays written once
    assert (copy.status, copy.attempts) == (Status.SENT, 1)
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == (Status.SENT, 1)  # the original is untouched
    [message] = django_mail.outbox
    assert [name for name, *_ in message.attachments] == ["accuse.pdf"]
    assert message.extra_headers["Message-ID"] == services.message_id(copy)
    assert services.message_id(copy) != services.message_id(sent)
    assert events(sent, "mail.resend")[0].data == {"copy": copy.pk, "to": sent.to}
    assert events(copy, "mail.resend")[0].data == {"resend_of": sent.pk}


def test_sending_again_leaves_queued_and_held_mails_alone(django_capture_on_commit_callbacks):
    queued, held = OutgoingMailFactory(), OutgoingMailFactory(status=Status.HELD)
    with django_capture_on_commit_callbacks() as callbacks:
        result = services.resend_mails(officer=officer(totp=False),
                                       mail_ids=[queued.pk, held.pk, 999999])
    assert result == {"requeued": [], "copies": [], "skipped": 3}
    assert callbacks == [] and OutgoingMail.objects.count() == 2


# --- delivery -------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [Status.HELD, Status.FAILED, Status.SENT])
def test_only_a_queued_mail_is_delivered(status):
    row = OutgoingMailFactory(status=status)
    assert services.deliver(mail_id=row.pk) is False
    assert django_mail.outbox == []


def test_every_attempt_at_a_row_carries_the_same_message_id(monkeypatch):
    row = OutgoingMailFactory()
    seen = []
    original = EmailMultiAlternatives.send

    def flaky(self, fail_silently=False):
        seen.append(self.extra_headers["Message-ID"])
        if len(seen) == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return original(self, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        services.deliver(mail_id=row.pk)
    assert services.deliver(mail_id=row.pk) is True
    assert seen == [services.message_id(row)] * 2
    assert seen[0].startswith(f"<outbox.{row.pk}.") and seen[0].endswith("@connaissance.example>")
    [message] = django_mail.outbox
    assert message.message()["Message-ID"] == seen[0]


@pytest.mark.django_db(transaction=True)
def test_once_the_relay_accepted_the_message_only_the_commit_is_left(monkeypatch):
    """Inside the SMTP exchange the row already says « sent », in the still-open transaction
    of the worker; everybody else still sees it queued until the commit."""
    row = OutgoingMailFactory()
    during = {}

    def send(self, fail_silently=False):
        during["own"] = OutgoingMail.objects.get(pk=row.pk).status

        def look():
            from django.db import connection

            during["others"] = OutgoingMail.objects.get(pk=row.pk).status
            connection.close()

        reader = threading.Thread(target=look)
        reader.start()
        reader.join()
        return 1

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    assert services.deliver(mail_id=row.pk) is True
    assert during == {"own": Status.SENT, "others": Status.QUEUED}
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 1) and row.sent_at is not None


def test_a_failed_attempt_leaves_no_trace_of_the_early_sent_mark(monkeypatch):
    row = OutgoingMailFactory()

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPDataError(451, b"try again later")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    with pytest.raises(smtplib.SMTPDataError):
        services.deliver(mail_id=row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == (Status.QUEUED, 1, None)
    assert row.last_error.startswith("SMTPDataError")


def test_a_subject_stays_on_one_line_and_keeps_its_non_breaking_spaces():
    row = queue(subject="  Appel à projets «\u00a0Connaissance\u00a0» :\n  décision \r\n")
    assert row.subject == "Appel à projets «\u00a0Connaissance\u00a0» : décision"


def test_an_attachment_that_cannot_be_read_is_a_failed_attempt():
    from connaissance.files.services import private_storage

    receipt = stored_file(content=minimal_pdf("Accusé"), name="accuse.pdf")
    private_storage().delete(receipt.storage_name)
    row = OutgoingMailFactory(attachment_ids=[str(receipt.pk)])
    with pytest.raises(FileNotFoundError):
        services.deliver(mail_id=row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == (Status.QUEUED, 1, None)
    assert row.last_error.startswith("FileNotFoundError")
    assert django_mail.outbox == []
