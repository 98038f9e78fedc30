"""Closing of the filing windows by the scheduled job: at 23:59:59 Paris time the drafts are
still drafts, at 00:00:00 the next day they are « non déposé(e) » (kept, readable, audited as
the system's doing), also on the days the clocks change; officers get one summary per closing;
the membership lock follows from the calendar; running twice, or twice at once, does nothing
twice."""

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import translation

from applications import tasks
from applications.models import DossierStatus, NoteStatus, OpportunityNote
from applications.services import deadlines
from calls import calendar
from connaissance.audit.models import AuditEvent
from connaissance.formatting import PARIS
from connaissance.mail.models import OutgoingMail
from connaissance.ops.models import JobOutcome, JobRun
from consortia.services.collectives import membership_locked
from tests.applications.deadline_builders import (
    deadline_call,
    draft_note,
    filed_note,
    officers,
    paris,
    preselected,
)

pytestmark = pytest.mark.django_db


def closings(call):
    return OutgoingMail.objects.filter(cause="applications:closing",
                                       dedup_key__startswith=f"window-closed:{call.pk}:")


@pytest.fixture
def world():
    call = deadline_call()
    agents = officers(2)
    drafts = [draft_note(call)[0] for _ in range(2)]
    filed = filed_note(call)[0]
    return call, agents, drafts, filed


def statuses(notes):
    return [OpportunityNote.objects.get(pk=n.pk).status for n in notes]


def test_drafts_are_still_drafts_at_23_59_59_paris_time(world, eager_celery):
    call, _agents, drafts, filed = world
    with time_machine.travel(paris(2030, 3, 15, 23, 59, 59), tick=False):
        tasks.close_windows.delay()
    assert statuses(drafts) == [NoteStatus.DRAFT, NoteStatus.DRAFT]
    assert not closings(call).exists()


def test_at_midnight_paris_time_drafts_expire_and_officers_get_one_summary(world, eager_celery):
    call, agents, drafts, filed = world
    with time_machine.travel(paris(2030, 3, 16, 0, 0, 0), tick=False):
        tasks.close_windows.delay()
    assert statuses(drafts) == [NoteStatus.EXPIRED, NoteStatus.EXPIRED]
    assert statuses([filed]) == [NoteStatus.SUBMITTED]
    assert OpportunityNote.objects.filter(pk__in=[d.pk for d in drafts]).count() == 2  # kept
    event = AuditEvent.objects.for_object(drafts[0]).get(action="note.expire")
    assert (event.from_state, event.to_state, event.actor_id, event.actor_label) == (
        "draft", "expired", None, "système")
    [summary] = closings(call)
    assert sorted(summary.to) == sorted(a.email for a in agents)
    # The deadline in words (French: the job writes in the portal's language).
    assert "15 mars 2030 à 23 h 59, heure de Paris" in summary.body_text
    assert summary.body_html.lstrip().lower().startswith("<!doctype html>")
    run = JobRun.objects.get(name="applications.tasks.close_windows")
    assert run.outcome == JobOutcome.OK
    assert run.summary == {"expired": 2, "summaries": 1}


def test_the_summary_counts_filed_expired_and_never_started(world):
    call, _agents, _drafts, _filed = world
    from tests.applications.deadline_builders import collective_with_admin

    collective_with_admin(call)  # formed, never opened its note
    with translation.override("en"):
        deadlines.close_windows(now=paris(2030, 3, 16, 0, 5))
    [summary] = closings(call)
    assert "(1 filed, 2 not filed)" in summary.subject
    assert "Filed: 1" in summary.body_text
    assert "kept and readable): 2" in summary.body_text
    assert "Never started: 1" in summary.body_text
    assert "locked" not in summary.body_text  # the notes' closing does not lock collectives


@pytest.mark.parametrize("day, last_second_utc", [
    # Spring forward (31 March 2030, 02:00 → 03:00): the day ends at 21:59:59 UTC (UTC+2).
    (date(2030, 3, 31), datetime(2030, 3, 31, 21, 59, 59, tzinfo=UTC)),
    # Fall back (27 October 2030, 03:00 → 02:00): the day ends at 22:59:59 UTC (UTC+1).
    (date(2030, 10, 27), datetime(2030, 10, 27, 22, 59, 59, tzinfo=UTC)),
])
def test_closing_on_a_daylight_saving_change_day(eager_celery, day, last_second_utc):
    call = deadline_call(preselection_end=day, dossier_opens=date(2030, 11, 1),
                         filing_end=date(2030, 12, 15))
    officers()
    note, _admin = draft_note(call)
    with time_machine.travel(last_second_utc, tick=False):
        tasks.close_windows.delay()
        assert calendar.is_allowed(call, "submit_note", last_second_utc)
    assert statuses([note]) == [NoteStatus.DRAFT]
    next_day = last_second_utc + timedelta(seconds=1)
    assert next_day.astimezone(PARIS).time() == time(0, 0, 0)
    with time_machine.travel(next_day, tick=False):
        tasks.close_windows.delay()
        assert not calendar.is_allowed(call, "submit_note", next_day)
    assert statuses([note]) == [NoteStatus.EXPIRED]
    assert closings(call).count() == 1


def test_dossier_closing_expires_draft_dossiers_and_the_lock_follows_the_calendar():
    call = deadline_call()
    officers()
    draft, _ = preselected(call, dossier_status=DossierStatus.DRAFT)
    filed, _ = preselected(call, dossier_status=DossierStatus.SUBMITTED)
    not_started, _ = preselected(call)
    collective = draft.collective
    last_second, midnight = paris(2030, 5, 15, 23, 59, 59), paris(2030, 5, 16, 0, 0, 0)

    deadlines.close_windows(now=last_second)
    draft.dossier.refresh_from_db()
    assert draft.dossier.status == DossierStatus.DRAFT
    assert not membership_locked(collective, at=last_second)

    with translation.override("en"):
        result = deadlines.close_windows(now=midnight)
    assert result["expired"] == 1
    draft.dossier.refresh_from_db()
    filed.dossier.refresh_from_db()
    assert (draft.dossier.status, filed.dossier.status) == (DossierStatus.EXPIRED,
                                                           DossierStatus.SUBMITTED)
    # Nothing is stored for the lock: it is the calendar's filing end, read at each change.
    assert membership_locked(collective, at=midnight)
    assert not collective.membership_locked
    summary = closings(call).get(dedup_key__contains=":dossier:")
    assert "Filed: 1" in summary.body_text and "Never started: 1" in summary.body_text
    assert "locked from now on" in summary.body_text
    assert not_started.status == "preselected"


def test_running_the_closing_twice_does_nothing_twice(world, eager_celery):
    call, _agents, drafts, _filed = world
    with time_machine.travel(paris(2030, 3, 16, 0, 0, 0), tick=False):
        tasks.close_windows.delay()
    with time_machine.travel(paris(2030, 3, 16, 0, 5, 0), tick=False):
        tasks.close_windows.delay()
    assert AuditEvent.objects.filter(action="note.expire",
                                     object_id__in=[str(d.pk) for d in drafts]).count() == 2
    assert closings(call).count() == 1
    last = JobRun.objects.filter(name="applications.tasks.close_windows").first()
    assert last.summary == {"expired": 0, "summaries": 0}


def test_a_closing_found_late_still_expires_but_sends_no_stale_summary(world):
    call, _agents, drafts, _filed = world
    deadlines.close_windows(now=paris(2030, 3, 30, 12, 0))
    assert statuses(drafts) == [NoteStatus.EXPIRED, NoteStatus.EXPIRED]
    assert not closings(call).exists()


def test_an_expired_note_stays_readable_on_the_collective_pages(client, world):
    call, _agents, drafts, _filed = world
    deadlines.close_windows(now=paris(2030, 3, 16, 0, 0))
    note = drafts[0]
    member = note.collective.participations.get(role="lead").organisation.memberships.first()
    client.force_login(member.user)
    page = client.get(f"/collectifs/{note.collective.pk}/note/").content.decode()
    assert 'id="expired"' in page and note.title in page
    detail = client.get(f"/collectifs/{note.collective.pk}/").content.decode()
    assert 'data-status="expired"' in detail


@pytest.mark.django_db(transaction=True)
def test_two_closings_at_once_expire_each_draft_once_and_send_one_summary():
    call = deadline_call()
    officers()
    drafts = [draft_note(call)[0] for _ in range(6)]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(deadlines.close_windows(now=paris(2030, 3, 16, 0, 0, 1)))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(r["expired"] for r in results) == 6
    assert sum(r["summaries"] for r in results) == 1
    assert statuses(drafts) == [NoteStatus.EXPIRED] * 6
    assert AuditEvent.objects.filter(action="note.expire").count() == 6
    assert closings(call).count() == 1
