"""A deadline moved later after its window closed: at the next run of the closing job the
« non déposé(e) » notes or dossiers become drafts again (audited as the system's doing), each
collective is told once of the new deadline, and the new deadline closes them again."""

from datetime import date, datetime

import pytest
import time_machine
from django.utils import translation

from applications import tasks
from applications.models import Dossier, DossierStatus, NoteStatus, OpportunityNote
from applications.services import deadlines
from calls.calendar import end_of_day
from calls.models import Phase, PhaseKind
from connaissance.audit.models import AuditEvent
from connaissance.mail.models import OutgoingMail
from connaissance.ops.models import JobRun
from tests.applications.deadline_builders import (
    admins_of,
    deadline_call,
    draft_note,
    filed_note,
    officers,
    paris,
    preselected,
)

pytestmark = pytest.mark.django_db


def notices(code="note"):
    return OutgoingMail.objects.filter(cause=f"applications:{code}_reopened").order_by("pk")


def move_end(call, kind, day):
    """What officers do in the call's admin: the window now ends on `day` (Paris)."""
    Phase.objects.filter(call=call, kind=kind).update(ends_at=end_of_day(day))


def statuses(objects):
    return [type(o).objects.get(pk=o.pk).status for o in objects]


@pytest.fixture
def expired_notes():
    call = deadline_call()
    officers()
    drafts = [draft_note(call)[0] for _ in range(2)]
    filed = filed_note(call)[0]
    deadlines.close_windows(now=paris(2030, 3, 16, 0, 0, 0))
    assert statuses(drafts) == [NoteStatus.EXPIRED, NoteStatus.EXPIRED]
    return call, drafts, filed


def test_nothing_is_reopened_while_the_window_stays_closed(expired_notes):
    _call, drafts, _filed = expired_notes
    assert deadlines.reopen_windows(now=paris(2030, 3, 20, 10, 0)) == {"reopened": 0}
    assert statuses(drafts) == [NoteStatus.EXPIRED, NoteStatus.EXPIRED]
    assert not notices().exists()


def test_an_extended_deadline_gives_the_drafts_back_and_tells_each_collective_once(
        expired_notes, eager_celery):
    call, drafts, filed = expired_notes
    move_end(call, PhaseKind.PRESELECTION, date(2030, 3, 31))
    with time_machine.travel(paris(2030, 3, 17, 10, 0), tick=False):
        tasks.reopen_windows.delay()
    assert statuses(drafts) == [NoteStatus.DRAFT, NoteStatus.DRAFT]
    assert statuses([filed]) == [NoteStatus.SUBMITTED]
    event = AuditEvent.objects.for_object(drafts[0]).get(action="note.reopen")
    assert (event.from_state, event.to_state, event.actor_id) == ("expired", "draft", None)
    assert datetime.fromisoformat(event.data["deadline"]) == end_of_day(date(2030, 3, 31))
    run = JobRun.objects.filter(name="applications.tasks.reopen_windows").first()
    assert run.summary == {"reopened": 2}
    sent = list(notices())
    assert [m.to for m in sent] == [admins_of(d.collective) for d in drafts]
    # In French, the portal's language, with the new deadline and the link to the draft.
    assert "31 mars 2030 à 23 h 59, heure de Paris" in sent[0].subject
    assert f"/collectifs/{drafts[0].collective.pk}/note/" in sent[0].body_text
    assert "est de nouveau un brouillon" in sent[0].body_text

    with time_machine.travel(paris(2030, 3, 17, 10, 5), tick=False):
        tasks.reopen_windows.delay()
    assert notices().count() == 2  # nothing twice
    # The new deadline closes them again, with its own summary.
    with translation.override("en"):
        result = deadlines.close_windows(now=paris(2030, 4, 1, 0, 0, 0))
    assert result == {"expired": 2, "summaries": 1}
    assert statuses(drafts) == [NoteStatus.EXPIRED, NoteStatus.EXPIRED]


def test_a_second_extension_tells_the_collectives_again(expired_notes):
    call, drafts, _filed = expired_notes
    move_end(call, PhaseKind.PRESELECTION, date(2030, 3, 31))
    deadlines.reopen_windows(now=paris(2030, 3, 17, 10, 0))
    deadlines.close_windows(now=paris(2030, 4, 1, 0, 0, 0))
    move_end(call, PhaseKind.PRESELECTION, date(2030, 4, 15))
    assert deadlines.reopen_windows(now=paris(2030, 4, 2, 10, 0)) == {"reopened": 2}
    assert notices().count() == 4
    assert AuditEvent.objects.filter(action="note.reopen").count() == 4


def test_expired_dossiers_come_back_when_the_filing_deadline_moves():
    call = deadline_call()
    officers()
    note, admin = preselected(call, dossier_status=DossierStatus.DRAFT)
    deadlines.close_windows(now=paris(2030, 5, 16, 0, 0, 0))
    dossier = Dossier.objects.get(note=note)
    assert dossier.status == DossierStatus.EXPIRED
    move_end(call, PhaseKind.FILING, date(2030, 5, 31))
    assert deadlines.reopen_windows(now=paris(2030, 5, 20, 9, 0)) == {"reopened": 1}
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DRAFT
    assert OpportunityNote.objects.get(pk=note.pk).status == NoteStatus.PRESELECTED
    [notice] = notices("dossier")
    assert notice.to == [admin.email]
    assert f"/collectifs/{note.collective.pk}/dossier/" in notice.body_text


def test_no_reopening_once_the_end_is_moved_back_meanwhile(expired_notes):
    # The job read the calendar (extended) before it held the phase's lock; an officer then
    # moved the end back: under the lock the calendar is read again and nothing reopens.
    from calls.models import Call

    call, drafts, _filed = expired_notes
    move_end(call, PhaseKind.PRESELECTION, date(2030, 3, 31))
    stale = Call.objects.with_calendar().get(pk=call.pk)
    move_end(call, PhaseKind.PRESELECTION, date(2030, 3, 15))
    assert deadlines.reopen_window(call=stale, window=deadlines.NOTES,
                                   now=paris(2030, 3, 17, 10, 0)) == 0
    assert statuses(drafts) == [NoteStatus.EXPIRED, NoteStatus.EXPIRED]
    assert not notices().exists()


def test_notes_are_not_reopened_once_no_dossier_can_follow(expired_notes):
    call, drafts, _filed = expired_notes
    move_end(call, PhaseKind.PRESELECTION, date(2030, 6, 30))  # beyond the filing end
    assert deadlines.reopen_windows(now=paris(2030, 5, 20, 10, 0)) == {"reopened": 0}
    assert statuses(drafts) == [NoteStatus.EXPIRED, NoteStatus.EXPIRED]
