"""Decision letters produced by a real Celery worker (issue 6): the bulk run sends every
letter once; a second run sends nothing."""

import pytest
from django.core import mail as django_mail

from connaissance.mail.models import OutgoingMail
from evaluation.models import DecisionLetter, LetterBatch, LetterStatus
from evaluation.services.letters import queue_letters
from tests.core.test_worker import redis_broker, wait_until, worker  # noqa: F401
from tests.evaluation.test_letters import CAUSE, letters_world  # noqa: F401


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_every_letter_once(worker, letters_world):  # noqa: F811
    letter_mails = OutgoingMail.objects.filter(cause=CAUSE)
    result = queue_letters(officer=letters_world.officer, call=letters_world.call)
    assert result["queued"] == 3

    def all_sent():
        return (DecisionLetter.objects.filter(status=LetterStatus.SENT).count() == 3
                and letter_mails.filter(status=OutgoingMail.Status.SENT).count() == 3)

    assert wait_until(all_sent, timeout=60), list(DecisionLetter.objects.values(
        "status", "error"))
    batch = LetterBatch.objects.get()
    assert (batch.done, batch.failed) == (3, 0) and batch.finished_at is not None
    produced = [name for name, *_ in worker.finished
                if name == "evaluation.tasks.produce_letter_task"]
    assert len(produced) == 3
    sent_letters = [m for m in django_mail.outbox if m.attachments]
    assert len([m for m in sent_letters if m.subject.startswith("Appel à projets")]) == 3

    again = queue_letters(officer=letters_world.officer, call=letters_world.call)
    assert (again["queued"], again["retried"], again["skipped"]) == (0, 0, 3)
    from connaissance.ops import tasks as ops_tasks

    ops_tasks.ping.delay("after")  # once it ran, anything queued before it ran too
    assert wait_until(lambda: any(name == "connaissance.ops.tasks.ping"
                                  for name, *_ in worker.finished))
    assert letter_mails.count() == 3 and DecisionLetter.objects.count() == 3
    assert len([name for name, *_ in worker.finished
                if name == "evaluation.tasks.produce_letter_task"]) == 3
