"""Who must NOT see an opportunity note or its files: another collective's member, an invited
but not yet confirmed person, a partner that withdrew, the tiers-lieux staff (no decisions, no
canvases), an anonymous visitor. Through the rules (user.has_perm with the object) and through
/fichiers/<uuid>/, where anything denied is a 404."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from applications.models import CanvasKind, NoteStatus
from consortia.models import ParticipationStatus
from tests.applications.factories import IncubationFactory, filed_note
from tests.consortia.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipationFactory,
    org_admin,
)
from tests.factories import UserFactory, officer

pytestmark = pytest.mark.django_db
NOTE_PERMS = ["applications.view_opportunitynote", "applications.change_opportunitynote",
              "applications.decide_opportunitynote"]


@pytest.fixture
def world():
    """A filed note of collective A (lead admin, a plain member of the training body, a
    withdrawn partner, a pending invitation); collective B on the same call."""
    note = filed_note()
    note.refresh_from_db()
    collective = note.collective
    body = next(p.organisation for p in collective.participations.all()
                if p.role == "partner")
    gone = OrganisationFactory(legal_name="Partenaire parti")
    ParticipationFactory(collective=collective, organisation=gone,
                         status=ParticipationStatus.WITHDRAWN)
    invitee = org_admin(OrganisationFactory(legal_name="Organisation invitée"))
    InvitationFactory(collective=collective, email=invitee.email, invited_by=None)
    other = filed_note(call=collective.call)
    canvases = {c.kind: c.file for c in note.canvases.select_related("file")}
    return SimpleNamespace(
        note=note, other=other,
        files={"team canvas": canvases[CanvasKind.TEAM],
               "business model canvas": canvases[CanvasKind.BUSINESS_MODEL],
               "receipt": note.receipt},
        lead_admin=note.submitted_by,
        body_member=MembershipFactory(organisation=body).user,
        withdrawn_admin=org_admin(gone),
        invitee=invitee,
        other_member=other.submitted_by,
        staff=UserFactory(roles=["tiers_lieux_staff"], is_staff=True),
        officer=officer(),
    )


def perms(user, note):
    return {perm.split(".")[1] for perm in NOTE_PERMS if user.has_perm(perm, note)}


def download(client, user, stored):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("files:download", args=[stored.pk]))


def test_the_collectives_members_see_and_edit_their_note(world, client):
    assert perms(world.lead_admin, world.note) == {"view_opportunitynote",
                                                   "change_opportunitynote"}
    assert perms(world.body_member, world.note) == {"view_opportunitynote",
                                                    "change_opportunitynote"}
    for stored in world.files.values():
        response = download(client, world.body_member, stored)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize("who", ["other_member", "invitee", "withdrawn_admin"])
def test_outsiders_neither_see_nor_change_the_note(world, who):
    user = getattr(world, who)
    assert perms(user, world.note) == set()


@pytest.mark.parametrize("who", ["other_member", "invitee", "withdrawn_admin", "staff"])
def test_outsiders_get_a_404_on_the_notes_files(world, client, who):
    user = getattr(world, who)
    for what, stored in world.files.items():
        assert not user.has_perm("files.download_storedfile", stored), what
        assert download(client, user, stored).status_code == 404, what


def test_another_collectives_member_keeps_their_own_files(world, client):
    """The same user who gets 404 on collective A's receipt downloads collective B's."""
    assert perms(world.other_member, world.other) >= {"view_opportunitynote"}
    assert download(client, world.other_member, world.other.receipt).status_code == 200
    assert download(client, world.other_member, world.note.receipt).status_code == 404


def test_an_anonymous_visitor_gets_a_404_on_the_file_url(world, client):
    for what, stored in world.files.items():
        assert download(client, None, stored).status_code == 404, what
        assert AnonymousUser().has_perm("files.download_storedfile", stored) is False
    assert perms(AnonymousUser(), world.note) == set()


def test_an_unknown_file_is_a_404_like_a_forbidden_one(world, client):
    import uuid

    response = download(client, world.lead_admin, SimpleNamespace(pk=uuid.uuid4()))
    assert response.status_code == 404


def test_tiers_lieux_staff_follow_incubation_but_never_decide(world):
    staff = world.staff
    assert not staff.has_perm("applications.decide_opportunitynote", world.note)
    assert not staff.has_perm("applications.decide_opportunitynote")
    assert not staff.has_perm("applications.change_opportunitynote", world.note)
    incubation = IncubationFactory(note__status=NoteStatus.PRESELECTED)
    assert staff.has_perm("applications.view_incubation", incubation)
    assert staff.has_perm("applications.change_incubation", incubation)


def test_members_cannot_decide_on_their_own_note(world):
    for user in (world.lead_admin, world.body_member):
        assert not user.has_perm("applications.decide_opportunitynote", world.note)
        assert not user.has_perm("applications.change_incubation")


def test_officers_decide_and_read_every_file(world, client):
    assert world.officer.has_perm("applications.decide_opportunitynote", world.note)
    assert world.officer.has_perm("applications.view_opportunitynote", world.note)
    assert not world.officer.has_perm("applications.change_opportunitynote", world.note)
    for stored in world.files.values():
        assert download(client, world.officer, stored).status_code == 200


def test_an_invitee_who_confirms_then_sees_the_note(world):
    """The refusal above is about not having confirmed yet, not about this user."""
    organisation = world.invitee.org_memberships.get().organisation
    ParticipationFactory(collective=world.note.collective, organisation=organisation)
    invitee = type(world.invitee).objects.get(pk=world.invitee.pk)  # fresh role cache
    assert "view_opportunitynote" in perms(invitee, world.note)
