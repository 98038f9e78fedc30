"""Filing an opportunity note: the deadline checked by the server at the second (Europe/Paris,
daylight-saving days included), the frozen snapshot, gap-free references, the receipt PDF and
the mails, and every refusal leaving the draft as it was."""

import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.utils import translation
from pypdf import PdfReader

from applications.models import (
    Canvas,
    CanvasKind,
    NoteStatus,
    OpportunityNote,
    ReferenceCounter,
)
from applications.services import filing
from applications.services.drafts import fill_canvas_online, save_draft, upload_canvas
from applications.services.errors import ApplicationError, NotFileable, StaleDraft
from applications.services.filing import submit_note
from calls.calendar import end_of_day, start_of_day
from calls.models import PhaseKind
from connaissance.audit.models import AuditEvent
from connaissance.files.services import open_stored
from connaissance.formatting import PARIS, long_date
from connaissance.mail.models import OutgoingMail
from consortia.models import OrganisationKind, ParticipationStatus
from tests.applications.factories import filable_note, filled_blocks
from tests.factories import CallFactory, PhaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def call_closing_on(day: date, **fields):
    """A call whose pre-selection runs from a month before `day` to the whole of `day`."""
    call = CallFactory(calendar=False, **fields)
    PhaseFactory(call=call, kind=PhaseKind.PRESELECTION,
                 starts_at=start_of_day(day - timedelta(days=30)), ends_at=end_of_day(day))
    return call


def paris(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=PARIS)


def assert_still_a_draft(note):
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT
    assert note.reference == ""
    assert note.submitted_at is None and note.submitted_by is None
    assert note.snapshot is None
    assert note.receipt_id is None
    assert not OutgoingMail.objects.filter(cause__startswith="applications:").exists()
    assert not AuditEvent.objects.for_object(note).filter(action="note.submit").exists()


# --- The deadline, at the second -------------------------------------------------------------

CLOSING_DAYS = {
    "ordinary day": date(2023, 3, 15),
    "spring forward (23 h day)": date(2023, 3, 26),
    "fall back (25 h day)": date(2023, 10, 29),
}


@pytest.mark.parametrize("day", CLOSING_DAYS.values(), ids=CLOSING_DAYS.keys())
def test_filing_one_second_before_the_end_is_accepted(day):
    note, user = filable_note(call=call_closing_on(day))
    with time_machine.travel(paris(day, 23, 59, 58), tick=False):
        filed = submit_note(user=user, note=note, confirmed=True)
    assert filed.status == NoteStatus.SUBMITTED
    assert filed.submitted_at == paris(day, 23, 59, 58)
    assert filed.reference.endswith("-N-0001")


@pytest.mark.parametrize("day", CLOSING_DAYS.values(), ids=CLOSING_DAYS.keys())
def test_filing_during_the_last_second_is_accepted(day):
    note, user = filable_note(call=call_closing_on(day))
    with time_machine.travel(paris(day, 23, 59, 59) + timedelta(microseconds=999_000),
                             tick=False):
        assert submit_note(user=user, note=note, confirmed=True).status == "submitted"


@pytest.mark.parametrize("day", CLOSING_DAYS.values(), ids=CLOSING_DAYS.keys())
def test_filing_one_second_after_the_end_is_refused_in_french(day):
    call = call_closing_on(day)
    note, user = filable_note(call=call)
    next_midnight = paris(day + timedelta(days=1), 0, 0, 0)
    with time_machine.travel(next_midnight, tick=False), translation.override("fr"), \
            pytest.raises(NotFileable) as refused:
        submit_note(user=user, note=note, confirmed=True)

    # The only problem of an otherwise complete note is the deadline, said in French.
    assert len(refused.value.problems) == 1
    message = str(refused.value)
    assert "La date limite pour déposer une note d’opportunité est dépassée" in message
    with translation.override("fr"):
        assert long_date(end_of_day(day)) in message  # « 26 mars 2023 »
    assert_still_a_draft(note)
    assert not ReferenceCounter.objects.filter(call=call, last__gt=0).exists()


def test_the_whole_day_ends_at_the_paris_second_whatever_the_utc_offset():
    """23:59:59 Paris is 22:59:59 UTC in winter, 21:59:59 UTC in summer; the day of each
    change takes the offset in force at its end."""
    as_utc = {day: end_of_day(day).astimezone(UTC).time().replace(microsecond=0)
              for day in CLOSING_DAYS.values()}
    assert as_utc == {date(2023, 3, 15): time(22, 59, 59), date(2023, 3, 26): time(21, 59, 59),
                      date(2023, 10, 29): time(22, 59, 59)}
    # Next midnight is exactly one second after the last whole second of the closing day.
    for day in CLOSING_DAYS.values():
        gap = paris(day + timedelta(days=1), 0) - paris(day, 23, 59, 59)
        assert gap == timedelta(seconds=1)


def test_filing_before_the_window_opens_is_refused():
    day = date(2023, 3, 15)
    note, user = filable_note(call=call_closing_on(day))
    with time_machine.travel(paris(day - timedelta(days=31), 23, 59, 59), tick=False), \
            pytest.raises(NotFileable):
        submit_note(user=user, note=note, confirmed=True)
    assert_still_a_draft(note)


# --- What filing produces ---------------------------------------------------------------------

@pytest.fixture
def filed():
    """A note filed on 10 March 2023 at 14:07:05 Paris time, on the 2023-like call."""
    day = date(2023, 3, 15)
    call = call_closing_on(day, reference_prefix="CHDF-2023", contact_email="aap@region.test")
    note, user = filable_note(call=call, title="Tiers-lieu de la vallée de l’Oise : « Été »")
    with time_machine.travel(paris(date(2023, 3, 10), 14, 7, 5), tick=False), \
            translation.override("fr"):
        note = submit_note(user=user, note=note, confirmed=True)
    return note, user


def test_filing_moves_the_note_and_records_who_and_when(filed):
    note, user = filed
    note.refresh_from_db()
    assert note.status == NoteStatus.SUBMITTED
    assert note.reference == "CHDF-2023-N-0001"
    assert note.submitted_by == user
    assert note.submitted_at == paris(date(2023, 3, 10), 14, 7, 5)
    event = AuditEvent.objects.for_object(note).get(action="note.submit")
    assert (event.from_state, event.to_state, event.actor) == ("draft", "submitted", user)
    assert event.data == {"reference": "CHDF-2023-N-0001"}


def test_the_snapshot_is_frozen(filed):
    note, _user = filed
    note.refresh_from_db()
    frozen = note.snapshot
    assert frozen["title"] == "Tiers-lieu de la vallée de l’Oise : « Été »"
    assert {c["kind"] for c in frozen["canvases"]} == {"team", "business_model"}
    assert all(len(c["sha256"]) == 64 for c in frozen["canvases"])
    partner_names = {p["name"] for p in frozen["partners"]}
    assert len(partner_names) == 2

    # Later edits to the collective, its organisations and the note's objects...
    collective = note.collective
    for participation in collective.participations.select_related("organisation"):
        organisation = participation.organisation
        organisation.legal_name = f"{organisation.legal_name} (renommée)"
        organisation.save()
    collective.name = "Collectif renommé"
    collective.save()
    for axis in note.axes.all():
        axis.title = "Axe renommé"
        axis.save()
    Canvas.objects.filter(note=note).update(blocks={"purpose": "réécrit"})
    OpportunityNote.objects.filter(pk=note.pk).update(summary="Résumé réécrit")
    note.partners.clear()

    # ...do not change what was filed.
    note.refresh_from_db()
    assert note.snapshot == frozen
    assert "Axe renommé" not in str(note.snapshot)
    assert partner_names == {p["name"] for p in note.snapshot["partners"]}


def test_a_filed_note_can_no_longer_be_edited(filed):
    note, user = filed
    with pytest.raises(ApplicationError):
        save_draft(user=user, note=note, version=note.version, data={"title": "Autre"})
    with pytest.raises(ApplicationError):
        fill_canvas_online(user=user, note=note, kind=CanvasKind.TEAM,
                           blocks=filled_blocks(CanvasKind.TEAM, "Autre"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.applications.factories import TINY_PDF
    with pytest.raises(ApplicationError):
        upload_canvas(user=user, note=note, kind=CanvasKind.TEAM,
                      uploaded=SimpleUploadedFile("c.pdf", TINY_PDF))
    note.refresh_from_db()
    assert note.title == "Tiers-lieu de la vallée de l’Oise : « Été »"


def test_the_receipt_pdf_is_private_and_says_reference_date_and_time(filed):
    note, _user = filed
    note.refresh_from_db()
    receipt = note.receipt
    assert receipt.content_type == "application/pdf"
    assert receipt.owner == note.collective
    assert receipt.original_name == "CHDF-2023-N-0001.pdf"
    with open_stored(receipt) as handle:
        content = handle.read()
    assert content.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    flat = " ".join(text.split())
    assert "CHDF-2023-N-0001" in flat
    assert "10 mars 2023" in flat
    assert "14 h 07" in flat or "14:07" in flat
    assert "é" in flat  # accents survive (embedded fonts, not mojibake)
    assert "vallée de l’Oise" in flat or "vallée de l'Oise" in flat


def test_mails_are_queued_with_the_receipt_and_to_the_contact_address(filed):
    note, user = filed
    note.refresh_from_db()
    receipt_mail = OutgoingMail.objects.get(cause="applications:note_receipt")
    assert receipt_mail.attachment_ids == [str(note.receipt_id)]
    assert user.email in receipt_mail.to
    assert "CHDF-2023-N-0001" in receipt_mail.subject + receipt_mail.body_text
    contact_mail = OutgoingMail.objects.get(cause="applications:note_filed")
    assert contact_mail.to == ["aap@region.test"]
    assert "CHDF-2023-N-0001" in contact_mail.subject + contact_mail.body_text
    assert receipt_mail.status == contact_mail.status == OutgoingMail.Status.QUEUED


def test_filing_twice_is_refused_and_changes_nothing(filed):
    note, user = filed
    note.refresh_from_db()
    before = (note.reference, note.submitted_at, note.receipt_id, OutgoingMail.objects.count())
    with time_machine.travel(paris(date(2023, 3, 11), 9), tick=False), \
            pytest.raises(ApplicationError) as refused:
        submit_note(user=user, note=note, confirmed=True)
    assert not isinstance(refused.value, NotFileable)
    assert str(refused.value)
    note.refresh_from_db()
    assert (note.reference, note.submitted_at, note.receipt_id,
            OutgoingMail.objects.count()) == before
    assert ReferenceCounter.objects.get(call=note.call, kind="N").last == 1


def test_filing_needs_the_confirmation_step():
    note, user = filable_note()
    with pytest.raises(ApplicationError):
        submit_note(user=user, note=note, confirmed=False)
    assert_still_a_draft(note)


# --- References -------------------------------------------------------------------------------

def test_references_follow_each_other_without_gaps(monkeypatch):
    day = date(2023, 3, 15)
    call = call_closing_on(day, reference_prefix="CHDF-2023")
    other_call = call_closing_on(day, reference_prefix="AUTRE-2023")
    notes = [filable_note(call=call) for _ in range(4)]
    elsewhere = filable_note(call=other_call)
    incomplete, incomplete_user = filable_note(call=call)
    Canvas.objects.filter(note=incomplete, kind=CanvasKind.BUSINESS_MODEL).delete()

    with time_machine.travel(paris(date(2023, 3, 1), 10), tick=False):
        first = submit_note(user=notes[0][1], note=notes[0][0], confirmed=True)
        # A refused filing takes no number...
        with pytest.raises(NotFileable):
            submit_note(user=incomplete_user, note=incomplete, confirmed=True)
        # ...nor does a filing that fails after taking one (the transaction rolls back).
        def broken_pdf(*args, **kwargs):
            raise RuntimeError("WeasyPrint fell over")
        with monkeypatch.context() as patch:
            patch.setattr(filing, "render_pdf", broken_pdf)
            with pytest.raises(RuntimeError):
                submit_note(user=notes[1][1], note=notes[1][0], confirmed=True)
        notes[1][0].refresh_from_db()
        assert (notes[1][0].status, notes[1][0].reference) == (NoteStatus.DRAFT, "")
        assert ReferenceCounter.objects.get(call=call, kind="N").last == 1
        second = submit_note(user=notes[1][1], note=notes[1][0], confirmed=True)
        other = submit_note(user=elsewhere[1], note=elsewhere[0], confirmed=True)
        third = submit_note(user=notes[2][1], note=notes[2][0], confirmed=True)
        fourth = submit_note(user=notes[3][1], note=notes[3][0], confirmed=True)

    assert [n.reference for n in (first, second, third, fourth)] == [
        "CHDF-2023-N-0001", "CHDF-2023-N-0002", "CHDF-2023-N-0003", "CHDF-2023-N-0004"]
    assert other.reference == "AUTRE-2023-N-0001"
    incomplete.refresh_from_db()
    assert incomplete.reference == ""


# --- Refusals that keep the draft --------------------------------------------------------------

def test_filing_without_a_canvas_is_refused():
    note, user = filable_note()
    Canvas.objects.filter(note=note, kind=CanvasKind.BUSINESS_MODEL).delete()
    with pytest.raises(NotFileable) as refused:
        submit_note(user=user, note=note, confirmed=True)
    assert len(refused.value.problems) == 1
    assert "Business Model Canvas" in str(refused.value)
    assert_still_a_draft(note)


def test_filing_with_an_incomplete_online_canvas_is_refused():
    note, user = filable_note()
    blocks = filled_blocks(CanvasKind.TEAM)
    blocks["values"] = "   "
    fill_canvas_online(user=user, note=note, kind=CanvasKind.TEAM, blocks=blocks)
    with pytest.raises(NotFileable) as refused:
        submit_note(user=user, note=note, confirmed=True)
    assert "Team Canvas" in str(refused.value)
    assert_still_a_draft(note)


def test_filing_when_the_composition_does_not_hold_is_refused():
    """The training body withdrew: the collective no longer meets the consortium rule."""
    note, user = filable_note()
    note.collective.participations.filter(
        organisation__kind=OrganisationKind.TRAINING_BODY,
    ).update(status=ParticipationStatus.WITHDRAWN)
    with translation.override("en"), pytest.raises(NotFileable) as refused:
        submit_note(user=user, note=note, confirmed=True)
    assert refused.value.problems == [
        "Invite a training body that has already made all or part of its offer digital, and "
        "ask it to confirm its participation."]
    assert_still_a_draft(note)


def test_every_problem_is_listed_at_once():
    note, user = filable_note()
    OpportunityNote.objects.filter(pk=note.pk).update(title="", requested_subsidy=None)
    note.axes.clear()
    Canvas.objects.filter(note=note).delete()
    with translation.override("en"), pytest.raises(NotFileable) as refused:
        submit_note(user=user, note=note, confirmed=True)
    problems = refused.value.problems
    assert "Fill in the project title." in problems
    assert "Fill in the requested subsidy." in problems
    assert "Choose at least one intervention axis." in problems
    assert len([p for p in problems if p.startswith("Add the ")]) == 2
    assert_still_a_draft(note)


# --- Drafts saved by two people at once ------------------------------------------------------

def test_a_stale_draft_is_refused_and_the_saved_values_are_kept():
    note, alice = filable_note()
    bob = UserFactory()
    opened_version = note.version

    saved = save_draft(user=alice, note=note, version=opened_version,
                       data={"title": "Titre d’Alice", "summary": "Résumé d’Alice"})
    assert saved.version == opened_version + 1

    with pytest.raises(StaleDraft) as refused:
        save_draft(user=bob, note=note, version=opened_version,
                   data={"title": "Titre de Bob", "summary": ""})
    assert str(refused.value)

    note.refresh_from_db()
    assert (note.title, note.summary) == ("Titre d’Alice", "Résumé d’Alice")
    assert note.version == opened_version + 1
    assert AuditEvent.objects.for_object(note).filter(action="note.draft_saved").count() == 1

    # Bob, having reloaded, saves on top of Alice's version.
    again = save_draft(user=bob, note=note, version=note.version, data={"title": "Titre de Bob"})
    assert again.title == "Titre de Bob" and again.summary == "Résumé d’Alice"
