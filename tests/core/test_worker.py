"""A real Celery worker (in a thread of this process) against Redis does the background work.

The app has no result backend: the tests watch real side effects (rows, sent mail) and the
worker's own task signals. The worker consumes a queue of its own, so that nothing else using
the same Redis (another test run, a demo worker) takes these tasks or gives it theirs.
"""

import threading
import time
import uuid

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.core import mail as django_mail
from django.db import transaction

from connaissance.celery import app
from connaissance.mail.models import OutgoingMail
from connaissance.mail.services import queue_mail
from connaissance.ops import tasks as ops_tasks
from connaissance.ops.models import Heartbeat
from connaissance.ops.services import BEAT, beat_status

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_until(predicate, timeout=15.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@pytest.fixture
def redis_broker(monkeypatch, settings):
    """Celery reads CELERY_BROKER_URL from the environment first (the test script sets it)."""
    if not (app.conf.broker_url or "").startswith("redis://"):
        monkeypatch.setenv("CELERY_BROKER_URL", settings.REDIS_URL or "redis://127.0.0.1:6379/0")
        # Connection pools made for another broker must not be reused.
        monkeypatch.setattr(app, "_pool", None)
        monkeypatch.setattr(app.amqp, "_producer_pool", None)
    assert app.conf.broker_url.startswith("redis://")
    assert not app.conf.task_always_eager
    return app.conf.broker_url


@pytest.fixture
def worker(redis_broker, monkeypatch):
    queue = f"tests-core-worker-{uuid.uuid4().hex[:12]}"
    queues = app.amqp.queues
    previous_selection = queues._consume_from
    monkeypatch.setitem(app.conf, "task_default_queue", queue)
    # Keep pytest's and Django's log handlers on the root logger.
    monkeypatch.setitem(app.conf, "worker_hijack_root_logger", False)

    finished = []
    done = threading.Event()

    def on_postrun(sender=None, task_id=None, retval=None, state=None, **kwargs):
        finished.append((sender.name, state, retval, threading.current_thread().name))
        done.set()

    signals.task_postrun.connect(on_postrun, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue],
                          shutdown_timeout=30) as controller:
            controller.finished = finished
            yield controller
    finally:
        signals.task_postrun.disconnect(on_postrun)
        queues._consume_from = previous_selection
        declared = queues.pop(queue, None)
        if declared is not None:
            # Remove the queue and its binding from Redis (delete only knows the bindings
            # this channel declared).
            with app.connection_for_write() as conn:
                bound = declared(conn.default_channel)
                bound.declare()
                bound.delete()


def test_ping_round_trip(worker):
    ops_tasks.ping.delay("x")
    assert wait_until(lambda: worker.finished)
    [(name, state, retval, thread)] = worker.finished
    assert (name, state, retval) == ("connaissance.ops.tasks.ping", "SUCCESS", "pong:x")
    assert thread != threading.current_thread().name  # it ran in the worker, not here


def test_worker_delivers_a_mail_queued_in_a_transaction(worker):
    with transaction.atomic():
        row = queue_mail(to="porteur@example.org", subject="Dossier déposé",
                         body_text="Votre dossier complet est déposé.", cause="tests.worker")
        time.sleep(0.5)
        # Not even handed to the broker before the commit.
        assert worker.finished == []
        assert django_mail.outbox == []

    def sent():
        return OutgoingMail.objects.get(pk=row.pk).status == OutgoingMail.Status.SENT

    assert wait_until(sent), OutgoingMail.objects.filter(pk=row.pk).values().first()
    row.refresh_from_db()
    assert row.attempts == 1
    assert row.sent_at is not None
    # The worker is a thread of this process: the locmem outbox is shared.
    assert wait_until(lambda: len(django_mail.outbox) == 1)
    [message] = django_mail.outbox
    assert message.to == ["porteur@example.org"]
    assert message.subject == "Dossier déposé"
    assert [name for name, *_ in worker.finished] == ["connaissance.mail.tasks.deliver_mail"]


def test_mail_of_a_rolled_back_transaction_never_reaches_the_worker(worker):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            queue_mail(to="porteur@example.org", subject="Jamais", body_text="-",
                       cause="tests.worker")
            raise RuntimeError("use case failed")
    ops_tasks.ping.delay("after")  # a marker: once it ran, anything queued before it ran too
    assert wait_until(lambda: worker.finished)
    assert [name for name, *_ in worker.finished] == ["connaissance.ops.tasks.ping"]
    assert not OutgoingMail.objects.exists()
    assert django_mail.outbox == []


def test_beat_tick_task_records_the_heartbeat(worker):
    assert not Heartbeat.objects.exists()
    assert beat_status()["stale"] is True
    ops_tasks.record_beat_tick.delay()
    assert wait_until(lambda: Heartbeat.objects.filter(name=BEAT).exists())
    status = beat_status()
    assert status["ok"] is True
    assert status["age_seconds"] <= 15
