"""The outbox: every mail is a row first, sent after the commit, once, retried, flushed."""

import smtplib

import pytest
from django.core import mail as django_mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from connaissance.mail import services, tasks
from connaissance.mail.models import OutgoingMail
from tests.core.factories_core import OutgoingMailFactory, minimal_pdf, stored_file

pytestmark = pytest.mark.django_db
Status = OutgoingMail.Status


def queue(**overrides):
    fields = dict(to="porteur@example.org", subject="  Votre note d’opportunité est déposée ",
                  body_text="Bonjour,\nNous avons bien reçu votre note.\n",
                  body_html="<p>Bonjour,</p><p>Nous avons bien reçu votre note.</p>",
                  cause="tests.note_deposee")
    fields.update(overrides)
    return services.queue_mail(**fields)


@pytest.fixture
def failing_smtp(monkeypatch):
    calls = []

    def refuse(self, fail_silently=False):
        calls.append(self)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    return calls


def test_queue_mail_records_then_sends_after_commit(eager_celery,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        row = queue()
        # Inside the transaction: recorded, not sent.
        assert OutgoingMail.objects.get(pk=row.pk).status == Status.QUEUED
        assert django_mail.outbox == []
    assert len(callbacks) == 1

    row.refresh_from_db()
    assert row.to == ["porteur@example.org"]
    assert row.subject == "Votre note d’opportunité est déposée"
    assert row.cause == "tests.note_deposee"
    assert row.status == Status.SENT
    assert row.attempts == 1
    assert row.sent_at is not None

    [message] = django_mail.outbox
    assert message.to == ["porteur@example.org"]
    assert message.subject == "Votre note d’opportunité est déposée"
    assert "bien reçu votre note" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert "<p>Bonjour,</p>" in message.alternatives[0][0]


def test_nothing_is_sent_when_the_transaction_rolls_back(eager_celery,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                queue()
                raise RuntimeError("the use case failed")
    assert callbacks == []
    assert not OutgoingMail.objects.exists()
    assert django_mail.outbox == []


def test_dedup_key_writes_and_sends_once(eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(dedup_key="note-42-deposee")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = queue(dedup_key="note-42-deposee", subject="Un autre texte")
    assert callbacks == []
    assert second.pk == first.pk
    assert second.subject == "Votre note d’opportunité est déposée"
    assert OutgoingMail.objects.count() == 1
    assert len(django_mail.outbox) == 1


def test_dedup_key_within_one_transaction(eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = queue(dedup_key="avis-1")
        second = queue(dedup_key="avis-1")
    assert first.pk == second.pk
    assert len(callbacks) == 1
    assert len(django_mail.outbox) == 1


def test_deliver_twice_sends_once():
    row = OutgoingMailFactory()
    assert services.deliver(mail_id=row.pk) is True
    assert services.deliver(mail_id=row.pk) is False
    assert len(django_mail.outbox) == 1
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert row.attempts == 1


def test_deliver_of_an_unknown_row_does_nothing():
    assert services.deliver(mail_id=987654) is False
    assert django_mail.outbox == []


def test_smtp_failure_is_recorded_and_retried_until_failed(failing_smtp):
    row = OutgoingMailFactory()
    for attempt in range(1, services.MAX_ATTEMPTS + 1):
        with pytest.raises(smtplib.SMTPServerDisconnected):
            services.deliver(mail_id=row.pk)
        row.refresh_from_db()
        assert row.attempts == attempt
        assert row.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
        expected = Status.FAILED if attempt == services.MAX_ATTEMPTS else Status.QUEUED
        assert row.status == expected
    assert len(failing_smtp) == services.MAX_ATTEMPTS
    assert row.sent_at is None
    assert services.pending_ids() == []  # a failed mail waits for an officer, not for a flush


def test_a_later_success_clears_the_error(failing_smtp, monkeypatch):
    row = OutgoingMailFactory()
    with pytest.raises(smtplib.SMTPServerDisconnected):
        services.deliver(mail_id=row.pk)
    monkeypatch.undo()  # the SMTP relay is back
    assert services.deliver(mail_id=row.pk) is True
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 2, "")
    assert len(django_mail.outbox) == 1


def test_broker_down_mail_stays_queued_then_flush_outbox_sends_it(
        monkeypatch, caplog, django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver_mail, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        row = queue()  # the use case does not fail because the broker is down
    row.refresh_from_db()
    assert row.status == Status.QUEUED
    assert row.attempts == 0
    assert django_mail.outbox == []
    assert "stays queued" in caplog.text

    assert services.pending_ids() == [row.pk]
    assert tasks.flush_outbox.apply().get() == 1
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert len(django_mail.outbox) == 1
    assert tasks.flush_outbox.apply().get() == 0
    assert len(django_mail.outbox) == 1


def test_flush_outbox_goes_on_after_a_failing_mail(monkeypatch):
    bad = OutgoingMailFactory(to=["refuse@example.org"])
    good = OutgoingMailFactory()
    original = EmailMultiAlternatives.send

    def send(self, fail_silently=False):
        if self.to == ["refuse@example.org"]:
            raise smtplib.SMTPRecipientsRefused({"refuse@example.org": (550, b"no such user")})
        return original(self, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    assert tasks.flush_outbox.apply().get() == 1
    bad.refresh_from_db()
    good.refresh_from_db()
    assert (bad.status, bad.attempts) == (Status.QUEUED, 1)
    assert "SMTPRecipientsRefused" in bad.last_error
    assert good.status == Status.SENT
    assert [m.to for m in django_mail.outbox] == [good.to]


def test_stored_files_are_attached(eager_celery, django_capture_on_commit_callbacks, user):
    pdf = stored_file(content=minimal_pdf("Accusé de réception"), name="accuse-reception.pdf",
                      created_by=user)
    with django_capture_on_commit_callbacks(execute=True):
        row = queue(attachment_ids=[pdf.pk])  # UUIDs, as callers naturally pass them
    row.refresh_from_db()
    assert row.attachment_ids == [str(pdf.pk)]
    assert row.status == Status.SENT

    [message] = django_mail.outbox
    [(name, content, mimetype)] = message.attachments
    assert name == "accuse-reception.pdf"
    assert mimetype == "application/pdf"
    assert content == minimal_pdf("Accusé de réception")
    # And it survives MIME encoding.
    raw = message.message().as_bytes()
    assert b'filename="accuse-reception.pdf"' in raw
