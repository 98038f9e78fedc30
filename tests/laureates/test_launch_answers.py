"""The answers of the invited organisations until the event starts, and the attendance
recorded by officers once it has started."""

from datetime import timedelta

import pytest
from django.utils import translation

from laureates.errors import LaureateError
from laureates.models import (
    Attendance,
    InvitationAnswer,
    LaunchInvitation,
)
from laureates.services import (
    answer_invitation,
    record_attendance,
)
from tests.laureates.launch_world import (
    END,
    ONE_US,
    START,
    audit,
)

pytestmark = pytest.mark.django_db


# --- the answers -----------------------------------------------------------------------------

def test_a_member_of_the_invited_organisation_answers_then_changes_the_answer(invited):
    w = invited
    now = START - timedelta(days=10)
    answered = answer_invitation(user=w.lead_member, invitation=w.lead_invitation,
                                 answer="attending", attendees="3",
                                 attendee_names=" Ada, Lou, Sam ", remarks=" Arrivée 14 h ",
                                 now=now)
    saved = LaunchInvitation.objects.get(pk=w.lead_invitation.pk)
    assert answered.pk == saved.pk
    assert (saved.answer, saved.attendees, saved.attendee_names, saved.remarks) == (
        InvitationAnswer.ATTENDING, 3, "Ada, Lou, Sam", "Arrivée 14 h")
    assert (saved.answered_by, saved.answered_at) == (w.lead_member, now)

    answer_invitation(user=w.member, invitation=w.lead_invitation, answer="declined",
                      attendees=3, attendee_names="Ada", now=now + timedelta(days=1))
    saved.refresh_from_db()
    assert (saved.answer, saved.attendees, saved.attendee_names) == (
        InvitationAnswer.DECLINED, 0, "")
    assert saved.answered_by == w.member

    rows = list(audit("launch.answer"))
    assert [(r.from_state, r.to_state, r.data["attendees"]) for r in rows] == [
        ("pending", "attending", 3), ("attending", "declined", 0)]
    assert all(r.object_id == str(w.event.pk) and r.data["invitation"] == saved.pk
               and r.data["organisation"] == w.lead.legal_name for r in rows)
    assert [r.actor for r in rows] == [w.lead_member, w.member]


def test_answers_close_when_the_event_starts(invited):
    w = invited
    with translation.override("en"), pytest.raises(LaureateError) as refused:
        answer_invitation(user=w.member, invitation=w.lead_invitation, answer="attending",
                          attendees=2, now=START)
    assert str(refused.value) == "The event has started: the answers are closed."
    with pytest.raises(LaureateError):
        answer_invitation(user=w.member, invitation=w.lead_invitation, answer="declined",
                          now=END)
    assert LaunchInvitation.objects.get(pk=w.lead_invitation.pk).answer == "pending"
    answer_invitation(user=w.member, invitation=w.lead_invitation, answer="attending",
                      attendees=2, now=START - ONE_US)
    assert LaunchInvitation.objects.get(pk=w.lead_invitation.pk).attendees == 2


def test_only_a_member_of_the_invited_organisation_answers(invited, other_collective_member):
    w = invited
    now = START - timedelta(days=1)
    # The lead's administrator cannot answer for a partner, nor a partner for the lead.
    for user, invitation in [(w.member, w.partner_invitation),
                             (w.partner_admin, w.lead_invitation),
                             (w.body_admin, w.partner_invitation),
                             (other_collective_member.user, w.lead_invitation),
                             (w.officer, w.lead_invitation)]:
        with pytest.raises(LaureateError):
            answer_invitation(user=user, invitation=invitation, answer="attending",
                              attendees=1, now=now)
    assert set(LaunchInvitation.objects.values_list("answer", flat=True)) == {"pending"}
    assert not audit("launch.answer").exists()
    answer_invitation(user=w.partner_admin, invitation=w.partner_invitation,
                      answer="attending", attendees=1, now=now)
    assert LaunchInvitation.objects.get(pk=w.partner_invitation.pk).answer == "attending"


@pytest.mark.parametrize("attendees", [0, 21, None, "beaucoup", -1])
def test_attending_needs_1_to_20_people(invited, attendees):
    with translation.override("en"), pytest.raises(LaureateError) as refused:
        answer_invitation(user=invited.member, invitation=invited.lead_invitation,
                          answer="attending", attendees=attendees,
                          now=START - timedelta(days=1))
    assert str(refused.value) == "Say how many people will come (from 1 to 20)."
    assert LaunchInvitation.objects.get(pk=invited.lead_invitation.pk).answer == "pending"


def test_twenty_people_at_most(invited):
    answer_invitation(user=invited.member, invitation=invited.lead_invitation,
                      answer="attending", attendees=20, now=START - timedelta(days=1))
    assert LaunchInvitation.objects.get(pk=invited.lead_invitation.pk).attendees == 20


def test_an_answer_is_attending_or_declined(invited):
    with pytest.raises(LaureateError):
        answer_invitation(user=invited.member, invitation=invited.lead_invitation,
                          answer="pending", now=START - timedelta(days=1))
    assert not audit("launch.answer").exists()


# --- the attendance --------------------------------------------------------------------------

def test_attendance_is_recorded_once_the_event_has_started(invited):
    w = invited
    answer_invitation(user=w.member, invitation=w.lead_invitation, answer="attending",
                      attendees=3, now=START - timedelta(days=2))
    with translation.override("en"), pytest.raises(LaureateError) as refused:
        record_attendance(officer=w.officer, invitation=w.lead_invitation,
                          attendance="present", now=START - ONE_US)
    assert "once the event has started" in str(refused.value)
    assert LaunchInvitation.objects.get(pk=w.lead_invitation.pk).attendance == "not_recorded"

    present = record_attendance(officer=w.officer, invitation=w.lead_invitation,
                                attendance="present", now=START)
    assert (present.attendance, present.attended_count) == (Attendance.PRESENT, 3)
    saved = LaunchInvitation.objects.get(pk=w.lead_invitation.pk)
    assert (saved.attendance, saved.attended_count) == (Attendance.PRESENT, 3)
    # Recording the same again writes nothing.
    record_attendance(officer=w.officer, invitation=w.lead_invitation, attendance="present",
                      now=START + timedelta(hours=1))
    record_attendance(officer=w.officer, invitation=w.lead_invitation, attendance="present",
                      attended_count=5, now=END)
    assert LaunchInvitation.objects.get(pk=w.lead_invitation.pk).attended_count == 5
    record_attendance(officer=w.officer, invitation=w.lead_invitation, attendance="absent",
                      now=END)
    saved.refresh_from_db()
    assert (saved.attendance, saved.attended_count) == (Attendance.ABSENT, None)

    rows = list(audit("launch.attendance"))
    assert [(r.from_state, r.to_state, r.data["people"]) for r in rows] == [
        ("not_recorded", "present", 3), ("present", "present", 5), ("present", "absent", None)]
    assert all(r.actor == w.officer and r.object_id == str(w.event.pk)
               and r.data["organisation"] == w.lead.legal_name for r in rows)


def test_present_without_an_answer_counts_one_person(invited):
    saved = record_attendance(officer=invited.officer, invitation=invited.partner_invitation,
                              attendance="present", now=START)
    assert (saved.attendance, saved.attended_count) == (Attendance.PRESENT, 1)


def test_only_officers_record_the_attendance(invited):
    for user in (invited.member, invited.partner_admin):
        with pytest.raises(LaureateError):
            record_attendance(officer=user, invitation=invited.lead_invitation,
                              attendance="present", now=START)
    assert LaunchInvitation.objects.get(pk=invited.lead_invitation.pk).attendance == (
        Attendance.NOT_RECORDED)
    assert not audit("launch.attendance").exists()
    with pytest.raises(LaureateError):
        record_attendance(officer=invited.officer, invitation=invited.lead_invitation,
                          attendance="peut-être", now=START)
