"""The launch event page of a project: who sees it, who answers for which organisation, until
when; the .ics download."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from applications.models import Incubation, IncubationStatus
from consortia.models import ParticipationRole
from laureates.models import InvitationAnswer, LaunchInvitation
from laureates.services import save_launch_event, send_invitations
from tests.consortia.factories import MembershipFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _event(world, *, starts_in=timedelta(days=20)):
    start = timezone.now() + starts_in
    event = save_launch_event(officer=world.officer, call=world.call, values={
        "title": "Lancement des projets lauréats", "starts_at": start,
        "ends_at": start + timedelta(hours=3), "place": "Hôtel de Région",
        "address": "151 avenue du Président Hoover, Lille",
        "programme": "9 h 30 accueil\n10 h présentation des projets"})
    return event


@pytest.fixture
def invited(laureate_world):
    world = laureate_world
    world.event = _event(world)
    send_invitations(officer=world.officer, event=world.event)
    world.url = reverse("laureates:launch", args=[world.collective.pk])
    world.invitations = list(LaunchInvitation.objects.filter(event=world.event)
                             .order_by("role", "pk"))
    return world


def _mine(world, user):
    return next(i for i in world.invitations
                if i.organisation.memberships.filter(user=user).exists())


def test_a_member_answers_for_their_organisation_only(client, invited):
    assert len(invited.invitations) >= 2  # the lead and at least one partner
    client.force_login(invited.member)
    mine = _mine(invited, invited.member)
    other = next(i for i in invited.invitations if i.pk != mine.pk)
    page = client.get(invited.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hôtel de Région" in html and f'name="inv{mine.pk}-answer"' in html
    assert f'name="inv{other.pk}-answer"' not in html
    response = client.post(invited.url, {
        f"inv{mine.pk}-invitation": mine.pk, f"inv{mine.pk}-answer": "attending",
        f"inv{mine.pk}-attendees": "3", f"inv{mine.pk}-attendee_names": "Léa, Omar, Inès"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.answer, mine.attendees, mine.answered_by) == ("attending", 3, invited.member)
    # Posting for the partner's invitation is not possible: a 404, nothing recorded.
    response = client.post(invited.url, {
        f"inv{other.pk}-invitation": other.pk, f"inv{other.pk}-answer": "declined"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.answer == InvitationAnswer.PENDING


def test_attending_without_a_number_is_refused_and_keeps_what_was_typed(client, invited):
    client.force_login(invited.member)
    mine = _mine(invited, invited.member)
    response = client.post(invited.url, {
        f"inv{mine.pk}-invitation": mine.pk, f"inv{mine.pk}-answer": "attending",
        f"inv{mine.pk}-attendee_names": "Léa Martin"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Say how many people will come" in html or "Indiquez combien" in html
    assert "Léa Martin" in html
    mine.refresh_from_db()
    assert mine.answer == InvitationAnswer.PENDING


def test_answers_close_when_the_event_starts(client, invited):
    client.force_login(invited.member)
    mine = _mine(invited, invited.member)
    type(invited.event).objects.filter(pk=invited.event.pk).update(
        starts_at=timezone.now() - timedelta(minutes=1),
        ends_at=timezone.now() + timedelta(hours=2))
    page = client.get(invited.url)
    assert f'name="inv{mine.pk}-answer"' not in page.content.decode()
    response = client.post(invited.url, {
        f"inv{mine.pk}-invitation": mine.pk, f"inv{mine.pk}-answer": "declined"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.answer == InvitationAnswer.PENDING


def test_the_calendar_file_has_the_event_in_paris_time(client, invited):
    client.force_login(invited.member)
    response = client.get(reverse("laureates:launch_ics", args=[invited.collective.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("dtstart") == invited.event.starts_at
    assert str(event["dtstart"].params["TZID"]) == "Europe/Paris"
    assert str(event["uid"]) == invited.event.uid
    assert str(event["url"]).endswith(invited.url)


def test_who_may_not_see_the_launch_page(client, invited, other_collective_member):
    staff = UserFactory(roles=["tiers_lieux_staff"], is_staff=True)
    Incubation.objects.filter(note__collective=invited.collective).update(
        status=IncubationStatus.NOT_NEEDED)
    ics = reverse("laureates:launch_ics", args=[invited.collective.pk])
    for user in (other_collective_member.user, invited.ev1, UserFactory(), staff):
        client.force_login(user)
        assert client.get(invited.url).status_code == 404
        assert client.get(ics).status_code == 404
    client.logout()
    assert client.get(invited.url).status_code == 302  # to the login page
    assert client.get(ics).status_code == 404


def test_incubating_staff_and_officers_read_the_answers_without_a_form(client, invited):
    staff = UserFactory(roles=["tiers_lieux_staff"], is_staff=True)
    Incubation.objects.filter(note__collective=invited.collective).update(
        status=IncubationStatus.DONE)
    for user in (staff, invited.officer):
        client.force_login(user)
        page = client.get(invited.url)
        assert page.status_code == 200
        assert "-answer" not in page.content.decode()


def test_no_event_page_before_the_invitations(client, laureate_world):
    _event(laureate_world)
    client.force_login(laureate_world.member)
    url = reverse("laureates:launch", args=[laureate_world.collective.pk])
    assert client.get(url).status_code == 404
    page = client.get(reverse("laureates:project", args=[laureate_world.collective.pk]))
    assert 'id="launch-event"' not in page.content.decode()


def test_the_page_costs_the_same_for_few_or_many_organisations(
        client, invited, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(invited.member)
    with CaptureQueriesContext(connection) as few:
        client.get(invited.url)
    project = invited.project
    for _ in range(3):
        membership = MembershipFactory()
        project.collective.participations.create(organisation=membership.organisation,
                                                 role=ParticipationRole.PARTNER,
                                                 status="confirmed")
    send_invitations(officer=invited.officer, event=invited.event)
    assert LaunchInvitation.objects.filter(event=invited.event).count() == \
        len(invited.invitations) + 3
    with CaptureQueriesContext(connection) as many:
        client.get(invited.url)
    assert len(many) == len(few)
