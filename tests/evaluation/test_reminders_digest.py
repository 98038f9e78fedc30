"""The officers' daily digest: what was filed since the previous digest and what awaits them;
once a day; not sent when there is nothing to say."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from connaissance.mail.models import OutgoingMail
from connaissance.ops.models import JobOutcome, JobRun
from evaluation import tasks
from evaluation.models import Decision, DecisionLetter, LetterStatus
from evaluation.services.digest import send_digest
from tests.applications.factories import NoteFactory
from tests.consortia.factories import CollectiveFactory
from tests.evaluation.builders import assign, region_officer

pytestmark = pytest.mark.django_db


def digests():
    return OutgoingMail.objects.filter(cause="evaluation:officer_digest").order_by("pk")


def test_the_digest_lists_filings_and_what_awaits_the_officers(world):
    undecided = NoteFactory(submitted=True, collective=CollectiveFactory(call=world.call))
    assign(world.officer, world.dossier, world.ev1)
    OutgoingMail.objects.create(to=["x@example.org"], subject="Perdu", body_text="-",
                                cause="tests", status=OutgoingMail.Status.FAILED)
    for _ in range(2):
        OutgoingMail.objects.create(to=["y@example.org"], subject="Décision", body_text="-",
                                    cause="tests", status=OutgoingMail.Status.HELD)
    decision = Decision.objects.create(dossier=world.dossier, outcome="rejected",
                                       reasons="Budget fragile.", staged_at=timezone.now())
    DecisionLetter.objects.create(decision=decision, outcome="rejected",
                                  status=LetterStatus.FAILED,
                                  decision_announced_at=timezone.now())
    with translation.override("en"):
        result = send_digest(now=timezone.now() + timedelta(minutes=1))
    [mail] = digests()
    assert mail.to == [world.officer.email]
    body = mail.body_text
    assert world.dossier.note.reference in body and world.dossier.reference in body
    assert undecided.reference in body
    assert "filed notes not decided yet: 1" in body
    assert "filed dossiers awaiting the admissibility check: 0" in body
    assert "evaluations not submitted yet: 1" in body
    assert "decision letters that failed: 1" in body
    assert "e-mails the outbox could not send: 1" in body
    assert "decision e-mails awaiting your approval: 2" in body
    assert "/admin/applications/opportunitynote/" in body
    assert mail.body_html.lstrip().lower().startswith("<!doctype html>")
    assert result == {"sent": 1, "filed_notes": 2, "filed_dossiers": 1, "undecided_notes": 1,
                      "awaiting_admissibility": 0, "missing_evaluations": 1,
                      "failed_letters": 1, "failed_mails": 1, "held_mails": 2}


def test_once_a_day_and_only_what_was_filed_since_the_previous_digest(world):
    first_day = timezone.now() + timedelta(minutes=1)
    send_digest(now=first_day)
    assert send_digest(now=first_day + timedelta(hours=2)) == {"sent": 0, "already": 1}
    assert digests().count() == 1
    later = NoteFactory(submitted=True, collective=CollectiveFactory(call=world.call),
                        submitted_at=first_day + timedelta(hours=3))
    with translation.override("en"):
        send_digest(now=first_day + timedelta(days=1))
    second = digests().last()
    assert later.reference in second.body_text
    assert world.dossier.reference not in second.body_text  # in the first digest


def test_an_empty_digest_is_not_sent(eager_celery):
    region_officer()
    with time_machine.travel(timezone.now() + timedelta(days=400), tick=False):
        tasks.send_officers_digest.delay()
    assert not digests().exists()
    run = JobRun.objects.get(name="evaluation.tasks.send_officers_digest")
    assert (run.outcome, run.summary) == (JobOutcome.OK, {"sent": 0, "empty": 1})


def test_the_digest_task_records_its_run(world, eager_celery):
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        tasks.send_officers_digest.delay()
        tasks.send_officers_digest.delay()
    assert digests().count() == 1
    runs = list(JobRun.objects.filter(name="evaluation.tasks.send_officers_digest")
                .order_by("started_at", "pk"))
    assert [r.summary.get("sent") for r in runs] == [1, 0]
    assert all(r.outcome == JobOutcome.OK and r.finished_at for r in runs)
