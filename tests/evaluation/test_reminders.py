"""Evaluators are reminded before the call's evaluation due date (the call's reminder days,
from 09:00 Paris time) of the evaluations they have not submitted; once per reminder day."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from connaissance.formatting import PARIS, to_paris
from connaissance.mail.models import OutgoingMail
from evaluation import tasks
from evaluation.services.reminders import remind_evaluators
from tests.evaluation.builders import admissible_dossier, assign, score

pytestmark = pytest.mark.django_db


def at(day, hour=9, minute=10):
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def sent():
    return OutgoingMail.objects.filter(cause="evaluation:reminder").order_by("pk")


@pytest.fixture
def due(world):
    """Evaluations due in 10 days; ev1 and ev2 on the dossier, ev2 has submitted; ev3 on a
    second dossier has not declared its conflicts yet."""
    today = to_paris(timezone.now()).date()
    world.call.evaluation_due = today + timedelta(days=10)
    world.call.save()
    first, second = assign(world.officer, world.dossier, world.ev1, world.ev2)
    score(second, [4, 15, "n/a"])
    other, _member = admissible_dossier(call=world.call, agent=world.officer)
    from evaluation import services

    services.assign_evaluators(officer=world.officer, dossier=other, evaluators=[world.ev3])
    world.other = other
    return world.call.evaluation_due


def test_reminders_at_j7_and_j1_to_evaluators_with_unsubmitted_evaluations(world, due,
                                                                            eager_celery):
    for moment in [at(due - timedelta(days=7), 8, 59), at(due - timedelta(days=7)),
                   at(due - timedelta(days=7), 10), at(due - timedelta(days=3)),
                   at(due - timedelta(days=1)), at(due + timedelta(days=1))]:
        with time_machine.travel(moment, tick=False):
            tasks.remind_evaluators.delay()
    assert sorted((m.to[0], m.dedup_key.rsplit(":", 1)[1]) for m in sent()) == sorted([
        (world.ev1.email, "J-7"), (world.ev3.email, "J-7"),
        (world.ev1.email, "J-1"), (world.ev3.email, "J-1")])
    assert world.ev2.email not in [m.to[0] for m in sent()]  # submitted
    mail = sent().filter(to=[world.ev1.email]).first()
    when = f"{due.day} "
    assert when in mail.subject and "à 23 h 59, heure de Paris" in mail.subject
    assert f"/evaluation/dossiers/{world.ev1.evaluation_assignments.get().pk}/" in mail.body_text
    assert mail.body_html.lstrip().lower().startswith("<!doctype html>")


def test_the_reminder_lists_the_dossiers_in_english(world, due):
    with translation.override("en"):
        remind_evaluators(now=at(due - timedelta(days=1)))
    ev3 = sent().get(to=[world.ev3.email])
    assert "One evaluation assigned to you" in ev3.body_text
    assert world.other.reference in ev3.body_text
    assert "declare first whether you have a conflict of interest" in ev3.body_text
    ev1 = sent().get(to=[world.ev1.email])
    assert world.dossier.reference in ev1.body_text
    assert "declare first" not in ev1.body_text


def test_no_reminder_without_a_due_date_or_once_submitted(world, due):
    world.call.evaluation_due = None
    world.call.save()
    assert remind_evaluators(now=at(due - timedelta(days=1))) == {"evaluator_reminders": 0}
    world.call.evaluation_due = due
    world.call.save()
    score(world.ev1.evaluation_assignments.get().evaluation, [3, 12, 2])
    remind_evaluators(now=at(due - timedelta(days=1)))
    assert [m.to[0] for m in sent()] == [world.ev3.email]


def test_run_twice_sends_nothing_twice(world, due):
    for _ in range(2):
        remind_evaluators(now=at(due - timedelta(days=1)))
    assert sent().count() == 2
    assert len(set(sent().values_list("dedup_key", flat=True))) == 2
