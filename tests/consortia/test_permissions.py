"""Object permissions, from the side of the user who must NOT see: another collective's member,
an invited but not yet confirmed person, a partner that withdrew, an anonymous visitor, a plain
member who tries to manage. Through the rules (user.has_perm) and through the URLs, where a
denied object is a 404 (anonymous visitors of signed-in pages are sent to the login page)."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from consortia.models import JoinRequest, MemberRole, OrganisationKind, ParticipationStatus
from tests.consortia.factories import (
    CollectiveFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipationFactory,
    org_admin,
)
from tests.factories import UserFactory, officer

pytestmark = pytest.mark.django_db
PERMS = ["view_organisation", "change_organisation", "manage_members", "view_collective",
         "manage_collective"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    """Collective A: lead organisation (an admin, a plain member), a confirmed partner, a
    partner that withdrew, a pending invitation. Collective B of another lead."""
    lead = OrganisationFactory(kind=OrganisationKind.TIERS_LIEU, legal_name="Tiers-lieu A")
    collective = CollectiveFactory(lead=lead, name="Collectif A")
    partner = OrganisationFactory(training_body=True, legal_name="Partenaire A")
    participation = ParticipationFactory(collective=collective, organisation=partner)
    gone = OrganisationFactory(legal_name="Parti A")
    ParticipationFactory(collective=collective, organisation=gone,
                         status=ParticipationStatus.WITHDRAWN)
    invited_org = OrganisationFactory(legal_name="Invitée A")
    invitee = org_admin(invited_org)
    invitation = InvitationFactory(collective=collective, email=invitee.email, invited_by=None)
    other_lead = OrganisationFactory(legal_name="Tiers-lieu B")
    other = CollectiveFactory(lead=other_lead, call=collective.call, name="Collectif B")
    return SimpleNamespace(
        lead=lead, collective=collective, partner=partner, participation=participation,
        invitation=invitation, other=other, other_lead=other_lead,
        lead_admin=org_admin(lead),
        lead_member=MembershipFactory(organisation=lead, role=MemberRole.MEMBER).user,
        partner_admin=org_admin(partner),
        withdrawn_admin=org_admin(gone),
        invitee=invitee,
        other_admin=org_admin(other_lead),
    )


def perms(user, organisation, collective):
    objects = {"view_organisation": organisation, "change_organisation": organisation,
               "manage_members": organisation, "view_collective": collective,
               "manage_collective": collective}
    return {name: user.has_perm(f"consortia.{name}", obj) for name, obj in objects.items()}


NOTHING = dict.fromkeys(PERMS, False)


@pytest.mark.parametrize("who", ["other_admin", "invitee", "withdrawn_admin", "anonymous"])
def test_outsiders_have_no_permission_on_the_lead_or_the_collective(world, who):
    user = AnonymousUser() if who == "anonymous" else getattr(world, who)
    assert perms(user, world.lead, world.collective) == NOTHING


def test_a_plain_member_sees_but_does_not_manage(world):
    assert perms(world.lead_member, world.lead, world.collective) == {
        "view_organisation": True, "change_organisation": False, "manage_members": False,
        "view_collective": True, "manage_collective": False}


def test_a_partner_sees_the_collective_but_only_the_lead_manages_it(world):
    got = perms(world.partner_admin, world.lead, world.collective)
    assert got == {**NOTHING, "view_collective": True}
    assert world.partner_admin.has_perm("consortia.change_organisation", world.partner)


def test_the_lead_administrator_has_every_permission(world):
    assert perms(world.lead_admin, world.lead, world.collective) == dict.fromkeys(PERMS, True)
    assert not world.lead_admin.has_perm("consortia.view_collective", world.other)


def test_an_officer_sees_all_but_manages_nothing_on_the_portal(world):
    agent = officer(totp=False)
    assert perms(agent, world.lead, world.collective) == {
        **NOTHING, "view_organisation": True, "view_collective": True}


def test_nothing_is_granted_on_no_object(world):
    for name in PERMS:
        assert not world.lead_admin.has_perm(f"consortia.{name}", None)


# --- through the URLs ----------------------------------------------------------------------

def organisation_urls(w):
    join = JoinRequest.objects.create(user=UserFactory(), organisation=w.lead)
    return [("get", f"/organisations/{w.lead.pk}/", "view"),
            ("get", f"/organisations/{w.lead.pk}/modifier/", "change"),
            ("get", f"/organisations/{w.lead.pk}/inviter/", "change"),
            ("post", f"/organisations/demandes/{join.pk}/", "change")]


def collective_urls(w):
    return [("get", f"/collectifs/{w.collective.pk}/", "view"),
            ("get", f"/collectifs/{w.collective.pk}/inviter/", "change"),
            ("post", f"/collectifs/{w.collective.pk}/partenaires/{w.participation.pk}/retirer/",
             "change"),
            ("post", f"/invitations/{w.invitation.pk}/renvoyer/", "change"),
            ("post", f"/invitations/{w.invitation.pk}/retirer/", "change")]


def fetch(client, method, url):
    data = {"decision": "approve", "reason": "test"} if method == "post" else None
    return getattr(client, method)(url, data)


@pytest.mark.parametrize("who", ["other_admin", "invitee", "withdrawn_admin"])
def test_outsiders_get_a_404_everywhere(client, world, who):
    client.force_login(getattr(world, who))
    for method, url, _need in organisation_urls(world) + collective_urls(world):
        response = fetch(client, method, url)
        assert response.status_code == 404, (who, method, url)
    assert_nothing_changed(world)


def test_a_plain_member_gets_a_404_on_every_management_page(client, world):
    client.force_login(world.lead_member)
    for method, url, need in organisation_urls(world) + collective_urls(world):
        response = fetch(client, method, url)
        assert response.status_code == (200 if need == "view" else 404), (method, url)
    assert_nothing_changed(world)


def test_a_partner_cannot_manage_the_collective(client, world):
    client.force_login(world.partner_admin)
    for method, url, need in collective_urls(world):
        response = fetch(client, method, url)
        assert response.status_code == (200 if need == "view" else 404), (method, url)
    assert_nothing_changed(world)


def test_an_anonymous_visitor_sees_nothing(client, world):
    for method, url, _need in organisation_urls(world) + collective_urls(world):
        response = fetch(client, method, url)
        assert response.status_code in (302, 404), (method, url)
        if response.status_code == 302:
            assert response["Location"].startswith("/compte/login/"), url
    assert_nothing_changed(world)


def test_the_lead_administrator_reaches_the_same_pages(client, world):
    """The control: the pages above exist and open for the one who may."""
    client.force_login(world.lead_admin)
    for method, url, _need in organisation_urls(world)[:3] + collective_urls(world)[:2]:
        assert fetch(client, method, url).status_code == 200, url


def assert_nothing_changed(w):
    w.participation.refresh_from_db()
    w.invitation.refresh_from_db()
    assert w.participation.status == ParticipationStatus.CONFIRMED
    assert (w.invitation.status, w.invitation.send_count) == ("pending", 1)
    assert not JoinRequest.objects.exclude(status="pending").exists()
