"""The launch event of a call's laureates: created and changed by officers (one per call, its
version raised by a change once invitations went out), the invitations of every organisation
of every open project (one mail per organisation with its .ics, once per version), the answers
of the invited organisations until the event starts, the attendance recorded by officers."""

from datetime import datetime, timedelta

import pytest
from django.utils import translation
from icalendar import Calendar

from connaissance.audit.models import AuditEvent
from connaissance.files.models import StoredFile
from connaissance.files.services import open_stored
from connaissance.formatting import PARIS
from connaissance.mail.models import OutgoingMail
from consortia.models import ParticipationRole, ParticipationStatus
from consortia.services.notify import admin_emails
from laureates.errors import LaureateError
from laureates.models import (
    Attendance,
    InvitationAnswer,
    LaunchEvent,
    LaunchInvitation,
    Project,
    ProjectStatus,
)
from laureates.services import (
    answer_invitation,
    open_projects,
    record_attendance,
    save_launch_event,
    send_invitations,
)
from laureates.services.launch import answer_link, pending_sends
from tests.consortia.factories import MembershipFactory, OrganisationFactory, ParticipationFactory
from tests.laureates.builders import announce_laureates, selected

pytestmark = pytest.mark.django_db

START = datetime(2031, 6, 12, 14, 0, tzinfo=PARIS)
END = datetime(2031, 6, 12, 17, 30, tzinfo=PARIS)
ONE_US = timedelta(microseconds=1)
VALUES = {
    "title": "Lancement des projets lauréats",
    "starts_at": START,
    "ends_at": END,
    "place": "Hôtel de Région",
    "address": "151 avenue du Président Hoover, Lille",
    "online_url": "https://visio.example.org/lancement",
    "programme": "Accueil des collectifs.\nPrésentation des projets.",
}


def invitation_mails():
    return OutgoingMail.objects.filter(cause="laureates:launch_invitation").order_by("pk")


def ics_of(mail):
    """(stored file, parsed calendar) of the one attachment of `mail`."""
    [file_id] = mail.attachment_ids
    stored = StoredFile.objects.get(pk=file_id)
    with open_stored(stored) as handle:
        return stored, Calendar.from_ical(handle.read())


def vevent(calendar):
    [entry] = calendar.walk("VEVENT")
    return entry


def audit(action):
    return AuditEvent.objects.filter(action=action).order_by("pk")


@pytest.fixture
def launch(laureate_world):
    """The laureate world with: the lead (whose administrator is world.member, plus a plain
    member), the training body of the collective given an administrator, a second confirmed
    partner with its administrator, a withdrawn partner (with an administrator: never
    invited), and the launch event created."""
    w = laureate_world
    participations = {p.role: p for p in w.collective.participations.all()}
    w.lead = participations[ParticipationRole.LEAD].organisation
    w.lead_member = MembershipFactory(organisation=w.lead).user
    w.body = participations[ParticipationRole.PARTNER].organisation
    w.body_admin = MembershipFactory(organisation=w.body, admin=True).user
    w.partner = OrganisationFactory(legal_name="Atelier des savoirs")
    ParticipationFactory(collective=w.collective, organisation=w.partner)
    w.partner_admin = MembershipFactory(organisation=w.partner, admin=True).user
    w.withdrawn = OrganisationFactory(legal_name="Partenaire parti")
    ParticipationFactory(collective=w.collective, organisation=w.withdrawn,
                         status=ParticipationStatus.WITHDRAWN)
    MembershipFactory(organisation=w.withdrawn, admin=True)
    w.event = save_launch_event(officer=w.officer, call=w.call, values=VALUES)
    return w


@pytest.fixture
def invited(launch):
    """The invitations sent (the event is years ahead)."""
    send_invitations(officer=launch.officer, event=launch.event)
    launch.event.refresh_from_db()
    launch.lead_invitation = LaunchInvitation.objects.get(event=launch.event,
                                                          organisation=launch.lead)
    launch.partner_invitation = LaunchInvitation.objects.get(event=launch.event,
                                                             organisation=launch.partner)
    return launch


# --- the event -------------------------------------------------------------------------------

def test_an_officer_creates_the_event(launch):
    event = LaunchEvent.objects.get(call=launch.call)
    assert event == launch.event
    assert (event.title, event.place, event.address) == (
        VALUES["title"], "Hôtel de Région", VALUES["address"])
    assert (event.starts_at, event.ends_at) == (START, END)
    assert (event.sequence, event.invitations_sent_at, event.created_by) == (
        0, None, launch.officer)
    assert event.uid.startswith(f"launch-event-{event.pk}@")
    [created] = audit("launch.created")
    assert created.actor == launch.officer and created.object_id == str(event.pk)
    assert created.data["call"] == launch.call.pk
    assert created.data["starts_at"] == START.isoformat()


def test_a_member_cannot_create_the_event(laureate_world):
    with pytest.raises(LaureateError):
        save_launch_event(officer=laureate_world.member, call=laureate_world.call,
                          values=VALUES)
    assert not LaunchEvent.objects.exists()


@pytest.mark.parametrize("ends_at", [START, START - timedelta(minutes=30)])
def test_an_event_must_end_after_it_starts(laureate_world, ends_at):
    with translation.override("en"), pytest.raises(LaureateError) as refused:
        save_launch_event(officer=laureate_world.officer, call=laureate_world.call,
                          values={**VALUES, "ends_at": ends_at})
    assert str(refused.value) == "The event must end after it starts."
    assert not LaunchEvent.objects.exists()


def test_an_event_needs_its_essentials(laureate_world):
    with pytest.raises(LaureateError):
        save_launch_event(officer=laureate_world.officer, call=laureate_world.call,
                          values={**VALUES, "place": "   "})
    assert not LaunchEvent.objects.exists()


def test_one_event_per_call(launch):
    with translation.override("en"), pytest.raises(LaureateError) as refused:
        save_launch_event(officer=launch.officer, call=launch.call,
                          values={**VALUES, "title": "Un second lancement"})
    assert str(refused.value) == "This call already has its launch event."
    assert LaunchEvent.objects.filter(call=launch.call).count() == 1


def test_a_change_before_the_invitations_keeps_the_version(launch):
    later = START + timedelta(days=1)
    event = save_launch_event(officer=launch.officer, call=launch.call, event=launch.event,
                              values={**VALUES, "starts_at": later,
                                      "ends_at": END + timedelta(days=1)})
    event.refresh_from_db()
    assert (event.starts_at, event.sequence) == (later, 0)
    [changed] = audit("launch.changed")
    assert changed.data["changed"] == ["starts_at", "ends_at"]
    assert changed.data["sequence"] == 0


def test_a_change_after_the_invitations_raises_the_version(invited):
    event = save_launch_event(officer=invited.officer, call=invited.call, event=invited.event,
                              values={**VALUES, "place": "Lycée Baggio"})
    event.refresh_from_db()
    assert (event.place, event.sequence) == ("Lycée Baggio", 1)
    [changed] = audit("launch.changed")
    assert changed.data == {"changed": ["place"], "sequence": 1, "place": "Lycée Baggio"}
    assert pending_sends(event) == (0, 3)  # every invited organisation is told again


def test_an_unchanged_save_records_nothing(invited):
    before = LaunchEvent.objects.get(pk=invited.event.pk)
    # The same values (the title padded with spaces, trimmed), and only some of them given.
    event = save_launch_event(officer=invited.officer, call=invited.call, event=invited.event,
                              values={"title": f"  {VALUES['title']}  ",
                                      "place": "Hôtel de Région"})
    after = LaunchEvent.objects.get(pk=event.pk)
    assert (after.sequence, after.updated_at) == (0, before.updated_at)
    assert not audit("launch.changed").exists()


def test_a_member_cannot_change_the_event(invited):
    with pytest.raises(LaureateError):
        save_launch_event(officer=invited.member, call=invited.call, event=invited.event,
                          values={**VALUES, "place": "Ailleurs"})
    assert LaunchEvent.objects.get(pk=invited.event.pk).place == "Hôtel de Région"


# --- the invitations -------------------------------------------------------------------------

def test_the_lead_and_each_confirmed_partner_of_each_open_project_are_invited(launch):
    w = launch
    # A second laureate, announced and opened later (its training body has no administrator).
    selected(w)
    announce_laureates(w)
    [second] = open_projects(officer=w.officer, call=w.call)
    second_lead = second.collective.participations.get(role=ParticipationRole.LEAD).organisation
    second_body = second.collective.participations.get(
        role=ParticipationRole.PARTNER).organisation
    assert pending_sends(w.event) == (5, 0)

    with translation.override("en"):
        counts = send_invitations(officer=w.officer, event=w.event)
    # second_body has no administrator: invited on the portal, named as not mailed.
    assert counts == {"invited": 5, "updated": 0, "unmailed": [second_body.legal_name]}
    invitations = {(i.project_id, i.organisation_id): i
                   for i in LaunchInvitation.objects.filter(event=w.event)}
    assert set(invitations) == {(w.project.pk, w.lead.pk), (w.project.pk, w.body.pk),
                                (w.project.pk, w.partner.pk), (second.pk, second_lead.pk),
                                (second.pk, second_body.pk)}
    assert (w.project.pk, w.withdrawn.pk) not in invitations
    assert invitations[(w.project.pk, w.lead.pk)].role == ParticipationRole.LEAD
    assert invitations[(w.project.pk, w.partner.pk)].role == ParticipationRole.PARTNER
    assert all(i.sent_sequence == 0 and i.answer == InvitationAnswer.PENDING
               for i in invitations.values())

    # One mail per organisation that has administrators, to them only.
    mails = {m.dedup_key: m for m in invitation_mails()}
    expected = {(w.project, w.lead), (w.project, w.body), (w.project, w.partner),
                (second, second_lead)}
    assert set(mails) == {f"launch:{w.event.pk}:{invitations[(p.pk, o.pk)].pk}:v0"
                          for p, o in expected}
    files = {}
    for project, organisation in expected:
        mail = mails[f"launch:{w.event.pk}:{invitations[(project.pk, organisation.pk)].pk}:v0"]
        assert mail.to == admin_emails(organisation)
        assert mail.subject == f"Invitation: {VALUES['title']}"
        assert organisation.legal_name in mail.body_text
        assert answer_link(project) in mail.body_text and answer_link(project) in mail.body_html
        stored, calendar = ics_of(mail)
        assert (stored.original_name, stored.content_type) == ("lancement.ics", "text/calendar")
        assert str(vevent(calendar)["URL"]) == answer_link(project)
        files.setdefault(project.pk, set()).add(stored.pk)
    assert w.lead_member.email not in [r for m in mails.values() for r in m.to]  # not an admin
    # One .ics per project, shared by its organisations; each project has its own link.
    assert [len(ids) for ids in files.values()] == [1, 1]
    assert answer_link(w.project) != answer_link(second)
    assert answer_link(w.project).endswith(f"/collectifs/{w.collective.pk}/projet/lancement/")

    event = LaunchEvent.objects.get(pk=w.event.pk)
    assert event.invitations_sent_at is not None
    [sent] = audit("launch.invitations_sent")
    assert sent.data == {"invited": 5, "updated": 0, "unmailed": [second_body.legal_name],
                         "sequence": 0}


def test_the_ics_file_of_the_invitation(invited):
    w = invited
    mail = invitation_mails().get(to=[w.member.email])
    _stored, calendar = ics_of(mail)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["VERSION"]) == "2.0"
    entry = vevent(calendar)
    assert str(entry["UID"]) == w.event.uid
    assert str(entry["UID"]).startswith(f"launch-event-{w.event.pk}@")
    assert entry.decoded("SEQUENCE") == 0
    start = entry.decoded("DTSTART")
    assert entry["DTSTART"].params["TZID"] == "Europe/Paris"
    assert start.replace(tzinfo=None) == datetime(2031, 6, 12, 14, 0)  # Paris wall clock
    assert start == START and entry.decoded("DTEND") == END
    assert str(entry["SUMMARY"]) == VALUES["title"]
    assert str(entry["LOCATION"]) == "Hôtel de Région, 151 avenue du Président Hoover, Lille"
    assert str(entry["URL"]) == answer_link(w.project)
    description = str(entry["DESCRIPTION"])
    assert "Présentation des projets." in description
    assert VALUES["online_url"] in description and answer_link(w.project) in description
    assert str(entry["ORGANIZER"]) == f"mailto:{w.call.contact_email}"
    # The zone's definition is included for calendars that do not know it.
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]


def test_sending_twice_sends_nothing(invited):
    mails = invitation_mails().count()
    assert mails == 3  # the lead, the training body, the partner
    assert send_invitations(officer=invited.officer, event=invited.event) == {
        "invited": 0, "updated": 0, "unmailed": []}
    assert invitation_mails().count() == mails
    assert audit("launch.invitations_sent").count() == 1
    assert pending_sends(invited.event) == (0, 0)


def test_a_partner_confirmed_after_the_sending_is_invited_on_the_next_run(invited):
    w = invited
    late = OrganisationFactory()
    ParticipationFactory(collective=w.collective, organisation=late)
    admin = MembershipFactory(organisation=late, admin=True).user
    assert send_invitations(officer=w.officer, event=w.event) == {"invited": 1, "updated": 0,
                                                                "unmailed": []}
    assert invitation_mails().filter(to=[admin.email]).count() == 1
    assert invitation_mails().count() == 4


def test_an_organisation_without_administrator_is_invited_but_named_as_not_mailed(invited):
    w = invited
    silent = OrganisationFactory(legal_name="Tiers-lieu sans administrateur")
    ParticipationFactory(collective=w.collective, organisation=silent)
    MembershipFactory(organisation=silent)  # a member, no administrator
    mails = invitation_mails().count()
    assert send_invitations(officer=w.officer, event=w.event) == {
        "invited": 1, "updated": 0, "unmailed": ["Tiers-lieu sans administrateur"]}
    assert invitation_mails().count() == mails
    assert LaunchInvitation.objects.filter(event=w.event, organisation=silent).exists()
    assert audit("launch.invitations_sent").last().data["unmailed"] == [
        "Tiers-lieu sans administrateur"]


def test_a_change_of_date_is_sent_to_every_invited_organisation(invited):
    w = invited
    answer_invitation(user=w.member, invitation=w.lead_invitation, answer="attending",
                      attendees=2)
    first = {m.to[0]: ics_of(m)[1] for m in invitation_mails()}
    moved = START + timedelta(days=7)
    event = save_launch_event(officer=w.officer, call=w.call, event=w.event,
                              values={**VALUES, "starts_at": moved,
                                      "ends_at": END + timedelta(days=7)})
    with translation.override("en"):
        counts = send_invitations(officer=w.officer, event=event)
    assert counts == {"invited": 0, "updated": 3, "unmailed": []}
    updates = invitation_mails().filter(dedup_key__endswith=":v1")
    assert updates.count() == 3
    assert {m.to[0] for m in updates} == {w.member.email, w.body_admin.email,
                                          w.partner_admin.email}
    for mail in updates:
        assert mail.subject == f"Changed: {VALUES['title']}"
        assert "has changed" in mail.body_text
        entry = vevent(ics_of(mail)[1])
        old = vevent(first[mail.to[0]])
        assert str(entry["UID"]) == str(old["UID"]) == w.event.uid
        assert (old.decoded("SEQUENCE"), entry.decoded("SEQUENCE")) == (0, 1)
        assert entry.decoded("DTSTART") == moved
        assert entry.decoded("DTSTART").replace(tzinfo=None) == datetime(2031, 6, 19, 14, 0)
    assert all(i.sent_sequence == 1 for i in LaunchInvitation.objects.filter(event=event))
    # The answers are kept.
    lead = LaunchInvitation.objects.get(pk=w.lead_invitation.pk)
    assert (lead.answer, lead.attendees) == (InvitationAnswer.ATTENDING, 2)
    assert send_invitations(officer=w.officer, event=event) == {"invited": 0, "updated": 0,
                                                                 "unmailed": []}
    assert invitation_mails().count() == 6


def test_no_invitation_for_a_closed_project(launch):
    Project.objects.filter(pk=launch.project.pk).update(status=ProjectStatus.CLOSED)
    assert send_invitations(officer=launch.officer, event=launch.event) == {
        "invited": 0, "updated": 0, "unmailed": []}
    assert not LaunchInvitation.objects.exists()
    assert not invitation_mails().exists()


def test_no_invitation_once_the_event_has_started(launch):
    for now in (START, START + timedelta(hours=1)):
        with pytest.raises(LaureateError):
            send_invitations(officer=launch.officer, event=launch.event, now=now)
    assert not LaunchInvitation.objects.exists()
    assert not invitation_mails().exists()
    assert send_invitations(officer=launch.officer, event=launch.event,
                            now=START - ONE_US)["invited"] == 3
    assert LaunchEvent.objects.get(pk=launch.event.pk).invitations_sent_at == START - ONE_US


def test_only_officers_send_the_invitations(launch):
    with pytest.raises(LaureateError):
        send_invitations(officer=launch.member, event=launch.event)
    assert not LaunchInvitation.objects.exists()


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
