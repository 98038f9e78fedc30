"""The Compagnie des tiers-lieux staff in their restricted admin: only the incubations of
pre-selected collectives, sessions and milestones; never a score, a decision or the notes."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from applications.models import (
    Incubation,
    IncubationMilestone,
    IncubationSession,
    IncubationStatus,
    NoteStatus,
)
from consortia.models import MemberRole
from tests.applications.factories import (
    IncubationFactory,
    IncubationMilestoneFactory,
    IncubationSessionFactory,
    NoteFactory,
)
from tests.consortia.factories import MembershipFactory
from tests.factories import UserFactory, officer

pytestmark = pytest.mark.django_db
INCUBATIONS = "/admin/applications/incubation/"
NOTES = "/admin/applications/opportunitynote/"
SECRET = "Message confidentiel de la Région sur la décision."


def tiers_lieux_staff(**kwargs):
    user = UserFactory(roles=["tiers_lieux_staff"], is_staff=True, **kwargs)
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def staff(client):
    user = tiers_lieux_staff()
    client.force_login(user)
    return user


@pytest.fixture
def incubation():
    incubation = IncubationFactory(note__decision_message=SECRET)
    MembershipFactory(organisation=incubation.note.collective.participations.get(
        role="lead").organisation, role=MemberRole.ADMIN, user__email="cheffe@example.org")
    return incubation


def test_staff_see_only_the_incubations_of_pre_selected_notes(client, staff, incubation):
    hidden = IncubationFactory(note__status=NoteStatus.SUBMITTED)
    response = client.get(INCUBATIONS)
    assert response.status_code == 200
    assert [i.pk for i in response.context["cl"].result_list] == [incubation.pk]
    assert incubation.note.collective.name in response.content.decode()
    not_shown = client.get(f"{INCUBATIONS}{hidden.pk}/change/")
    assert not_shown.status_code in (302, 404)


def test_staff_never_reach_the_notes_admin(client, staff, incubation):
    assert client.get(NOTES).status_code == 403
    assert client.get(f"{NOTES}{incubation.note.pk}/change/").status_code == 403
    assert client.post(NOTES, {"action": "preselect", "apply": "yes", "message": "x",
                               "_selected_action": [incubation.note.pk]}).status_code == 403
    index = client.get("/admin/").content.decode()
    assert "/admin/applications/incubation/" in index
    assert NOTES not in index


def test_the_incubation_page_shows_the_collective_but_no_decision(client, staff, incubation):
    note = incubation.note
    response = client.get(f"{INCUBATIONS}{incubation.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    lead = note.collective.participations.get(role="lead").organisation
    assert note.collective.name in html and lead.legal_name in html
    assert note.collective.territory in html
    assert "cheffe@example.org" in html
    assert SECRET not in html
    assert NOTES not in html
    assert 'name="_save"' in html  # staff keep the record up to date


def test_staff_record_sessions_milestones_and_the_coach(client, staff, incubation):
    coach = tiers_lieux_staff(first_name="Camille")
    outsider = UserFactory(roles=["region_officer"], is_staff=True)
    response = client.get(f"{INCUBATIONS}{incubation.pk}/change/")
    choices = set(response.context["adminform"].form.fields["coach"].queryset)
    assert {staff, coach} <= choices and outsider not in choices

    data = {
        "needs": "Gouvernance, modèle économique.", "status": IncubationStatus.DONE,
        "coach": coach.pk,
        "sessions-TOTAL_FORMS": 1, "sessions-INITIAL_FORMS": 0,
        "sessions-0-date": "2023-03-02", "sessions-0-format": "remote",
        "sessions-0-notes": "Point interne", "sessions-0-shared": "",
        "milestones-TOTAL_FORMS": 1, "milestones-INITIAL_FORMS": 0,
        "milestones-0-title": "Business Model Canvas revu", "milestones-0-due": "2023-04-01",
    }
    response = client.post(f"{INCUBATIONS}{incubation.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    incubation.refresh_from_db()
    assert incubation.status == IncubationStatus.DONE and incubation.coach == coach
    session = IncubationSession.objects.get(incubation=incubation)
    assert session.shared is False and session.format == "remote"
    assert IncubationMilestone.objects.filter(incubation=incubation).count() == 1

    outsider_pick = client.post(f"{INCUBATIONS}{incubation.pk}/change/",
                                {**data, "coach": outsider.pk, "sessions-TOTAL_FORMS": 0,
                                 "milestones-TOTAL_FORMS": 0})
    assert outsider_pick.status_code == 200
    assert "coach" in outsider_pick.context["adminform"].form.errors


def test_staff_cannot_add_or_delete_incubations(client, staff, incubation):
    assert client.get(f"{INCUBATIONS}add/").status_code == 403
    assert client.get(f"{INCUBATIONS}{incubation.pk}/delete/").status_code == 403
    assert Incubation.objects.count() == 1


def test_officers_read_the_incubations_without_changing_them(client, incubation):
    IncubationSessionFactory(incubation=incubation, notes="Atelier partagé")
    IncubationMilestoneFactory(incubation=incubation)
    client.force_login(officer())
    response = client.get(f"{INCUBATIONS}{incubation.pk}/change/")
    assert response.status_code == 200
    assert "Atelier partagé" in response.content.decode()
    assert 'name="_save"' not in response.content.decode()


def test_other_users_do_not_reach_the_incubations(client, incubation):
    evaluator = UserFactory(roles=["evaluator"], is_staff=True)
    TOTP.activate(evaluator, generate_totp_secret())
    client.force_login(evaluator)
    assert client.get(INCUBATIONS).status_code == 403
    client.force_login(NoteFactory().collective.participations.first().organisation
                       .memberships.create(user=UserFactory(), role=MemberRole.ADMIN).user)
    assert client.get(INCUBATIONS).status_code == 302  # not staff: the admin's login page
