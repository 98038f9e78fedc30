"""The officers' admin of the launch event: creating it through the add form (Paris time),
the list at a constant number of queries, sending the invitations from their page (the
counts, the mails with the .ics, nothing sent twice, an update after a change of date), the
attendance refused before the event starts and recorded after, deleting only before sending,
and nobody but officers."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from connaissance.files.models import StoredFile
from connaissance.formatting import PARIS
from connaissance.mail.models import OutgoingMail
from laureates.models import Attendance, LaunchEvent, LaunchInvitation
from laureates.services import open_projects, save_launch_event, send_invitations
from tests.consortia.factories import MembershipFactory, OrganisationFactory, ParticipationFactory
from tests.factories import CallFactory
from tests.formsets import management
from tests.laureates.builders import announce_laureates, outsider, selected

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
LIST = reverse("admin:laureates_launchevent_changelist")
ADD = reverse("admin:laureates_launchevent_add")
CAUSE = "laureates:launch_invitation"


def change_url(event):
    return reverse("admin:laureates_launchevent_change", args=[event.pk])


def send_url(event):
    return reverse("admin:laureates_launchevent_send", args=[event.pk])


def values(starts_at, **changes):
    return {"title": "Lancement des projets lauréats", "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=3), "place": "Hôtel de Région",
            "address": "151 avenue du Président Hoover, Lille", "online_url": "",
            "programme": "Accueil, présentation des projets, ateliers.", **changes}


def event_of(world, *, starts_at=None):
    starts_at = starts_at or timezone.now() + timedelta(days=30)
    return save_launch_event(officer=world.officer, call=world.call, values=values(starts_at))


def split(moment):
    local = moment.astimezone(PARIS)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M")


def change_data(event, attendance=None, **fields):
    """The change form as posted: `attendance` {invitation: (status, people)}."""
    data = {}
    for name, value in values(fields.pop("starts_at", event.starts_at), **fields).items():
        if isinstance(value, datetime):
            data[f"{name}_0"], data[f"{name}_1"] = split(value)
        else:
            data[name] = value
    rows = list(LaunchInvitation.objects.filter(event=event).order_by("pk"))
    data.update(management("invitations", total=len(rows), initial=len(rows)))
    for index, invitation in enumerate(rows):
        status, people = (attendance or {}).get(invitation, (invitation.attendance,
                                                             invitation.attended_count))
        data.update({f"invitations-{index}-id": str(invitation.pk),
                     f"invitations-{index}-event": str(event.pk),
                     f"invitations-{index}-attendance_status": status,
                     f"invitations-{index}-people_present": "" if people is None else people})
    return data


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- creating the event ----------------------------------------------------------------------

def test_an_officer_creates_the_event_in_paris_time(laureate_world, agent, client):
    page = client.get(ADD).content.decode()
    assert laureate_world.call.title in page
    response = client.post(ADD, {
        "call": laureate_world.call.pk, "title": "Lancement 2023",
        "starts_at_0": "2099-06-12", "starts_at_1": "14:00",
        "ends_at_0": "2099-06-12", "ends_at_1": "17:30", "place": "Hôtel de Région",
        "address": "Lille", "online_url": "", "programme": "Accueil puis ateliers.",
        "_save": "Save"})
    assert response.status_code == 302, response.content.decode()[:3000]
    event = LaunchEvent.objects.get(call=laureate_world.call)
    assert event.starts_at == datetime(2099, 6, 12, 14, 0, tzinfo=PARIS)
    assert event.ends_at == datetime(2099, 6, 12, 17, 30, tzinfo=PARIS)
    assert event.created_by == agent and event.sequence == 0
    # The call is no longer offered, and is not changeable on the event's page.
    assert laureate_world.call.title not in client.get(ADD).content.decode()
    assert 'name="call"' not in client.get(change_url(event)).content.decode()


# Times are kept to the minute: 14:00:10 → 14:00:50 would be an event of no length.
@pytest.mark.parametrize("starts, ends", [("14:00", "10:00"), ("14:00:10", "14:00:50")],
                         ids=["ends-before", "ends-within-the-starting-minute"])
def test_an_event_not_ending_after_it_starts_is_refused_on_the_form(
        laureate_world, agent, client, starts, ends):
    response = client.post(ADD, {
        "call": laureate_world.call.pk, "title": "Lancement", "starts_at_0": "2099-06-12",
        "starts_at_1": starts, "ends_at_0": "2099-06-12", "ends_at_1": ends,
        "place": "Lille", "programme": "Ateliers.", "_save": "Save"})
    assert response.status_code == 200
    assert "The event must end after it starts." in response.content.decode()
    assert not LaunchEvent.objects.exists()


def test_a_refusal_met_while_saving_is_shown_not_a_server_error(laureate_world, agent,
                                                                client, monkeypatch):
    # The form found the call free; another officer created its event meanwhile, which
    # only the service, under its lock, can see.
    from laureates import services
    from laureates.errors import LaureateError

    def refused(**_kwargs):
        raise LaureateError("This call already has its launch event.")

    monkeypatch.setattr(services, "save_launch_event", refused)
    response = client.post(ADD, {
        "call": laureate_world.call.pk, "title": "Lancement bis", "starts_at_0": "2099-06-12",
        "starts_at_1": "14:00", "ends_at_0": "2099-06-12", "ends_at_1": "17:00",
        "place": "Lille", "programme": "Ateliers.", "_save": "Save"}, follow=True)
    assert response.status_code == 200
    assert "This call already has its launch event." in messages_of(response)
    assert not LaunchEvent.objects.exists()


def test_the_list_costs_the_same_for_one_or_many_events(laureate_world, agent, client,
                                                        django_assert_num_queries):
    event = event_of(laureate_world)
    send_invitations(officer=laureate_world.officer, event=event)
    client.get(LIST)  # warm the per-session queries
    with CaptureQueriesContext(connection) as one:
        response = client.get(LIST)
    assert response.status_code == 200
    count = len(one.captured_queries)
    assert "Lancement des projets lauréats" in response.content.decode()
    assert "0 attending" in response.content.decode()
    for _ in range(2):
        save_launch_event(officer=laureate_world.officer, call=CallFactory(),
                          values=values(timezone.now() + timedelta(days=40)))
    with django_assert_num_queries(count):
        assert client.get(LIST).status_code == 200


# --- sending the invitations -----------------------------------------------------------------

def test_the_send_page_counts_then_sends_once(laureate_world, agent, client):
    event = event_of(laureate_world)
    change_page = client.get(change_url(event)).content.decode()
    assert send_url(event) in change_page
    page = client.get(send_url(event))
    assert page.status_code == 200
    organisations = laureate_world.collective.participations.filter(
        status="confirmed").count()
    assert organisations >= 1
    assert page.context["new"] == organisations and page.context["updates"] == 0
    assert f"{organisations} new invitation" in page.content.decode()

    response = client.post(send_url(event), follow=True)
    assert response.redirect_chain[-1][0] == change_url(event)
    assert f"Sent: {organisations} new invitation(s), 0 update(s)." in messages_of(response)
    assert LaunchInvitation.objects.filter(event=event).count() == organisations
    mails = OutgoingMail.objects.filter(cause=CAUSE)
    assert mails.count() >= 1
    for mail in mails:
        attached = StoredFile.objects.get(pk=mail.attachment_ids[0])
        assert attached.original_name.endswith(".ics")
        assert attached.content_type == "text/calendar"

    sent = mails.count()
    assert client.get(send_url(event)).context["new"] == 0
    response = client.post(send_url(event), follow=True)
    assert "Nothing to send" in " ".join(messages_of(response))
    assert OutgoingMail.objects.filter(cause=CAUSE).count() == sent


def test_the_officer_is_told_which_organisations_got_no_mail(laureate_world, agent, client):
    silent = OrganisationFactory(legal_name="Tiers-lieu sans administrateur")
    ParticipationFactory(collective=laureate_world.collective, organisation=silent)
    MembershipFactory(organisation=silent)  # a member, no administrator
    event = event_of(laureate_world)
    response = client.post(send_url(event), follow=True)
    [warning] = [m for m in messages_of(response) if "No administrator" in m]
    assert "Tiers-lieu sans administrateur" in warning
    assert "received no e-mail" in warning
    assert LaunchInvitation.objects.filter(event=event, organisation=silent).exists()


def test_a_change_of_date_is_sent_as_an_update(laureate_world, agent, client):
    event = event_of(laureate_world)
    client.post(send_url(event))
    invited = LaunchInvitation.objects.filter(event=event).count()
    sent = OutgoingMail.objects.filter(cause=CAUSE).count()
    later = event.starts_at + timedelta(days=1)
    response = client.post(change_url(event), change_data(event, starts_at=later,
                                                          ends_at=later + timedelta(hours=2)))
    assert response.status_code == 302, response.content.decode()[:3000]
    event.refresh_from_db()
    assert (event.starts_at, event.sequence) == (later, 1)
    page = client.get(send_url(event))
    assert (page.context["new"], page.context["updates"]) == (0, invited)
    response = client.post(send_url(event), follow=True)
    assert f"Sent: 0 new invitation(s), {invited} update(s)." in messages_of(response)
    assert OutgoingMail.objects.filter(cause=CAUSE).count() == 2 * sent
    assert not LaunchInvitation.objects.filter(event=event, sent_sequence__lt=1).exists()


def test_a_new_project_is_invited_without_resending_to_the_others(laureate_world, agent,
                                                                   client):
    event = event_of(laureate_world)
    client.post(send_url(event))
    before = LaunchInvitation.objects.filter(event=event).count()
    selected(laureate_world)
    announce_laureates(laureate_world)
    open_projects(officer=laureate_world.officer, call=laureate_world.call)
    page = client.get(send_url(event))
    assert page.context["new"] >= 1 and page.context["updates"] == 0
    client.post(send_url(event))
    assert LaunchInvitation.objects.filter(event=event).count() == before + page.context["new"]


def test_sending_after_the_start_is_refused_with_the_message(laureate_world, agent, client):
    event = event_of(laureate_world, starts_at=timezone.now() - timedelta(hours=1))
    response = client.post(send_url(event), follow=True)
    assert ("The event has started: invitations can no longer be sent."
            in messages_of(response))
    assert not LaunchInvitation.objects.exists()


# --- attendance ------------------------------------------------------------------------------

def test_attendance_is_refused_before_the_start(laureate_world, agent, client):
    event = event_of(laureate_world)
    send_invitations(officer=laureate_world.officer, event=event)
    invitation = LaunchInvitation.objects.filter(event=event).first()
    data = change_data(event, attendance={invitation: (Attendance.PRESENT, 2)},
                       title="Un autre titre")
    response = client.post(change_url(event), data, follow=True)
    assert response.redirect_chain[-1][0] == change_url(event)
    assert ("The attendance can be recorded once the event has started."
            in messages_of(response))
    invitation.refresh_from_db()
    event.refresh_from_db()
    assert (invitation.attendance, invitation.attended_count) == (Attendance.NOT_RECORDED, None)
    assert event.title == "Lancement des projets lauréats"  # nothing of the submission kept


def test_attendance_is_recorded_once_started(laureate_world, agent, client):
    event = event_of(laureate_world)
    send_invitations(officer=laureate_world.officer, event=event)
    started = timezone.now() - timedelta(hours=1)
    LaunchEvent.objects.filter(pk=event.pk).update(starts_at=started,
                                                   ends_at=started + timedelta(hours=3))
    event.refresh_from_db()
    invitation = LaunchInvitation.objects.filter(event=event).first()
    page = client.get(change_url(event)).content.decode()
    assert invitation.organisation.legal_name in page
    assert laureate_world.collective.name in page
    response = client.post(change_url(event), change_data(
        event, attendance={invitation: (Attendance.PRESENT, 3)}))
    assert response.status_code == 302, response.content.decode()[:3000]
    invitation.refresh_from_db()
    assert (invitation.attendance, invitation.attended_count) == (Attendance.PRESENT, 3)
    assert "1 (3 people)" in client.get(LIST).content.decode()


# --- deleting, and nobody but officers -------------------------------------------------------

def test_an_event_is_deleted_only_before_sending(laureate_world, agent, client):
    event = event_of(laureate_world)
    delete = reverse("admin:laureates_launchevent_delete", args=[event.pk])
    assert client.get(delete).status_code == 200
    send_invitations(officer=laureate_world.officer, event=event)
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert LaunchEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("role", ["member", "evaluator", "tiers_lieux_staff"])
def test_others_are_kept_out(laureate_world, client, role):
    event = event_of(laureate_world)
    client.force_login(outsider(laureate_world, role))
    for url in (LIST, ADD, change_url(event), send_url(event)):
        assert client.get(url).status_code in (302, 403, 404), url
    assert client.post(send_url(event)).status_code in (302, 403, 404)
    assert not LaunchInvitation.objects.exists()
