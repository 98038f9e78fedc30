"""The launch event of a call's laureates: created and changed by officers (one per call, its
version raised by a change once invitations went out), the invitations of every organisation
of every open project (one mail per organisation with its .ics, once per version), the answers
of the invited organisations until the event starts, the attendance recorded by officers."""

from datetime import datetime, timedelta

import pytest
from django.utils import translation

from consortia.models import ParticipationRole
from consortia.services.notify import admin_emails
from laureates.errors import LaureateError
from laureates.models import (
    InvitationAnswer,
    LaunchEvent,
    LaunchInvitation,
    Project,
    ProjectStatus,
)
from laureates.services import (
    answer_invitation,
    open_projects,
    save_launch_event,
    send_invitations,
)
from laureates.services.launch import answer_link, pending_sends
from tests.consortia.factories import MembershipFactory, OrganisationFactory, ParticipationFactory
from tests.laureates.builders import announce_laureates, selected
from tests.laureates.launch_world import (
    END,
    ONE_US,
    START,
    VALUES,
    audit,
    ics_of,
    invitation_mails,
    vevent,
)

pytestmark = pytest.mark.django_db


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
