"""A worker killed (SIGKILL) in the middle of a batch of mails loses none and duplicates none.

A real `celery -A connaissance worker` runs in a subprocess against Redis, on a queue of its
own, with a slow file-based e-mail backend; it is killed while a message is being sent, and a
new worker is started. Why nothing is lost: tasks are acknowledged late, so the task of the
mail in flight stays in Redis's unacknowledged set and is handed out again once the broker's
visibility timeout (shortened here through CELERY_VISIBILITY_TIMEOUT) has passed; the killed
worker's transaction is rolled back by PostgreSQL, so the row is still queued. Why nothing is
sent twice: `deliver` locks the row and sends only a queued one, and it marks the row sent in
the same transaction as the send (see its docstring for the few milliseconds that remain).
"""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction

from connaissance.celery import app
from connaissance.mail.models import OutgoingMail
from connaissance.mail.services import message_id, queue_mail
from connaissance.mail.tasks import flush_outbox
from tests.core.test_worker import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
Status = OutgoingMail.Status
N = 8
SEND_SECONDS = 0.6
VISIBILITY_SECONDS = 3


def database_url():
    db = connection.settings_dict  # the test database, which the tests' rows are in
    return (f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}")


class Worker:
    """`celery -A connaissance worker` in a process of its own, consuming one queue."""

    def __init__(self, *, queue, env, log):
        self.node = f"killtest-{uuid.uuid4().hex[:8]}@%h"
        self.log = log
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "connaissance", "worker",
                 "--pool=solo", "-Q", queue, "-n", self.node, "--loglevel=INFO",
                 "--without-gossip", "--without-mingle", "--without-heartbeat"],
                cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)

    def wait_ready(self, seen_before=0):
        ready = wait_until(lambda: self.log.read_text().count("ready.") > seen_before,
                           timeout=30)
        assert ready, self.log.read_text()[-3000:]

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def messages_written(folder):
    """The Message-ID of every message the backend wrote, repeated ones included."""
    return [found for path in sorted(folder.glob("*.log"))
            for found in re.findall(r"^Message-ID: (.+)$", path.read_text(), re.MULTILINE)]


@pytest.fixture
def private_queue(redis_broker, monkeypatch):
    queue = f"tests-mail-killed-{uuid.uuid4().hex[:12]}"
    monkeypatch.setitem(app.conf, "task_default_queue", queue)  # where this process publishes
    yield queue
    client = redis.Redis.from_url(redis_broker)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    for member in client.smembers("_kombu.binding.celery.pidbox"):
        if b"killtest-" in member:
            client.srem("_kombu.binding.celery.pidbox", member)


def queue_batch(how):
    """N mails, each handed to the broker at the commit (`deliver_mail` tasks), or written
    while the broker was away and sent by one `flush_outbox` task."""
    if how == "one task per mail":
        with transaction.atomic():
            return [queue_mail(to=f"porteur{i}@example.org", subject=f"Accusé n° {i}",
                               body_text=f"Bonjour, voici l'accusé n° {i}.",
                               cause="tests.killed_worker") for i in range(N)]
    rows = [OutgoingMail.objects.create(to=[f"porteur{i}@example.org"],
                                        subject=f"Accusé n° {i}", body_text="Bonjour.",
                                        cause="tests.killed_worker") for i in range(N)]
    flush_outbox.delay()
    return rows


@pytest.mark.parametrize("how", ["one task per mail", "one flush_outbox task"])
def test_a_worker_killed_mid_batch_leaves_no_mail_lost_and_none_twice(
        how, private_queue, redis_broker, tmp_path):
    sent_dir, started_dir = tmp_path / "sent", tmp_path / "started"
    sent_dir.mkdir()
    started_dir.mkdir()
    log = tmp_path / "worker.log"
    log.touch()
    env = {**os.environ, "DATABASE_URL": database_url(), "CELERY_BROKER_URL": redis_broker,
           "EMAIL_BACKEND": "tests.mail.slow_backend.EmailBackend",
           "SLOW_MAIL_DIR": str(sent_dir), "SLOW_MAIL_STARTED": str(started_dir),
           "SLOW_MAIL_SECONDS": str(SEND_SECONDS),
           "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS)}
    workers = [Worker(queue=private_queue, env=env, log=log)]
    try:
        workers[0].wait_ready()
        rows = queue_batch(how)
        mails = OutgoingMail.objects.filter(pk__in=[row.pk for row in rows])

        # Kill the worker while it is sending the fourth mail: three are written and sent.
        assert wait_until(lambda: len(list(started_dir.iterdir())) == 4, timeout=30), \
            log.read_text()[-3000:]
        workers[0].kill()
        assert len(messages_written(sent_dir)) == 3
        time.sleep(0.5)  # PostgreSQL notices the lost connection and rolls its work back
        assert mails.filter(status=Status.SENT).count() == 3
        assert mails.filter(status=Status.QUEUED).count() == N - 3

        workers.append(Worker(queue=private_queue, env=env, log=log))
        workers[1].wait_ready(seen_before=1)
        # Waiting tasks go at once; the one in flight once the visibility timeout has passed.
        assert wait_until(lambda: mails.filter(status=Status.SENT).count() == N, timeout=40), (
            list(mails.values_list("pk", "status", "attempts")), log.read_text()[-3000:])
        time.sleep(SEND_SECONDS + 0.5)  # anything sent twice would be written by now
    finally:
        for worker in workers:
            worker.stop()

    written = messages_written(sent_dir)
    assert len(written) == N
    assert Counter(written) == Counter(message_id(row) for row in rows)  # each exactly once
    assert sorted(mails.values_list("attempts", flat=True)) == [1] * N
    assert len(list(started_dir.iterdir())) == N + 1  # the killed send, and the N that went
