"""With the broker unreachable, a real action (filing a note) still succeeds and its mails wait
in the outbox; once the broker is back, flush_outbox, run by a real worker, sends each of them
exactly once."""

import logging

import pytest
from django.core import mail as django_mail

from applications.models import NoteStatus
from applications.services.filing import submit_note
from connaissance.celery import app
from connaissance.mail import tasks
from connaissance.mail.models import OutgoingMail
from tests.applications.factories import filable_note
from tests.core.test_worker import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
Status = OutgoingMail.Status
CLOSED_PORT = "redis://127.0.0.1:1/0"


def use_broker(monkeypatch, url):
    """Point the app's producers at `url` (Celery reads CELERY_BROKER_URL from the environment
    first); pools made for the previous broker must not be reused."""
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    assert app.conf.broker_url == url


def test_a_filing_succeeds_with_the_broker_down_and_its_mails_go_once_it_is_back(
        request, redis_broker, monkeypatch, caplog):
    note, user = filable_note()

    use_broker(monkeypatch, CLOSED_PORT)
    with caplog.at_level(logging.WARNING, logger="connaissance.mail.services"):
        filed = submit_note(user=user, note=note, confirmed=True)
    # The action succeeded, its mails wait in the outbox.
    filed.refresh_from_db()
    assert filed.status == NoteStatus.SUBMITTED and filed.reference and filed.receipt_id
    mails = OutgoingMail.objects.filter(cause__in=["applications:note_receipt",
                                                   "applications:note_filed"])
    assert sorted(mails.values_list("status", "attempts")) == [(Status.QUEUED, 0)] * 2
    assert caplog.text.count("stays queued in the outbox") == 2
    assert django_mail.outbox == []

    use_broker(monkeypatch, redis_broker)  # the broker is back
    worker = request.getfixturevalue("worker")
    tasks.flush_outbox.delay()
    assert wait_until(lambda: worker.finished), "the worker ran nothing"
    [(name, state, sent, _thread)] = worker.finished
    assert (name, state, sent) == ("connaissance.mail.tasks.flush_outbox", "SUCCESS", 2)
    assert sorted(mails.values_list("status", "attempts")) == [(Status.SENT, 1)] * 2

    tasks.flush_outbox.delay()  # a later flush sends nothing again
    assert wait_until(lambda: len(worker.finished) == 2)
    assert worker.finished[1][2] == 0
    assert len(django_mail.outbox) == 2
    receipt = next(m for m in django_mail.outbox if m.attachments)
    assert filed.reference in receipt.subject and user.email in receipt.to
    assert [name for name, *_ in receipt.attachments] == [f"{filed.reference}.pdf"]
