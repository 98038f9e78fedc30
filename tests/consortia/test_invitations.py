"""The life of a partner invitation through the pages and the services: sent, resent,
retracted, accepted after a confirmation step, declined; and every bad link or bad hand
(forged, expired, reused, another address, double submission, locked composition) gets its
message and changes nothing."""

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from calls.models import PhaseKind
from connaissance.audit.models import AuditEvent
from connaissance.mail.models import OutgoingMail
from consortia.errors import ConsortiaError, InvitationError
from consortia.models import (
    Invitation,
    InvitationStatus,
    MemberRole,
    Membership,
    OrganisationKind,
    Participation,
    ParticipationStatus,
)
from consortia.services import invitations as services
from consortia.tokens import make_token
from tests.consortia.factories import (
    CollectiveFactory,
    DigitalProofFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def verified(user, email=None):
    EmailAddress.objects.create(user=user, email=email or user.email, verified=True,
                                primary=True)
    return user


def admin_of(organisation):
    return verified(MembershipFactory(organisation=organisation, role=MemberRole.ADMIN).user)


@pytest.fixture
def lead_admin():
    return admin_of(DigitalProofFactory().organisation)


@pytest.fixture
def collective(lead_admin):
    lead = lead_admin.org_memberships.get().organisation
    return CollectiveFactory(lead=lead, name="Les Tiers-Lieux Apprenants")


@pytest.fixture
def tiers_lieu():
    return OrganisationFactory(kind=OrganisationKind.TIERS_LIEU, legal_name="La Fabrique du Coin")


@pytest.fixture
def partner_admin(tiers_lieu):
    return admin_of(tiers_lieu)


def invite(client, collective, email, **extra):
    data = {"email": email, "declared_name": "La Fabrique du Coin",
            "declared_kind": OrganisationKind.TIERS_LIEU,
            "message": "Rejoignez-nous !", **extra}
    return client.post(reverse("consortia:partner_invite", args=[collective.pk]), data)


def link_in(mail):
    return re.search(r"https?://\S+/invitations/\S+/", mail.body_text).group(0)


def path_of(link):
    return "/" + link.split("/", 3)[3]


def fr(fn, *args, **kwargs):
    """The French message of a refusal, as the pages show it (escaped)."""
    with translation.override("fr"):
        try:
            fn(*args, **kwargs)
        except ConsortiaError as exc:
            return escape(str(exc))
    raise AssertionError("the service did not refuse")


# --- sending ------------------------------------------------------------------------------

def test_the_lead_invites_a_partner_by_email(client, lead_admin, collective):
    client.force_login(lead_admin)
    assert 'id="invite-form"' in client.get(
        reverse("consortia:partner_invite", args=[collective.pk])).content.decode()
    response = invite(client, collective, "Contact@Fabrique.example.org")
    assert response.status_code == 302
    invitation = collective.invitations.get()
    assert invitation.email == "contact@fabrique.example.org"
    assert (invitation.status, invitation.send_count, invitation.invited_by) == (
        InvitationStatus.PENDING, 1, lead_admin)
    assert invitation.expires_at > timezone.now() + timedelta(days=13)
    mail = OutgoingMail.objects.get(cause="consortia:partner_invitation")
    assert mail.to == ["contact@fabrique.example.org"]
    assert collective.name in mail.subject and collective.name in mail.body_text
    assert "Rejoignez-nous !" in mail.body_text and "&" not in mail.subject
    assert services.resolve_invitation(path_of(link_in(mail)).split("/")[2]) == invitation
    event = AuditEvent.objects.for_object(collective).get(action="partner_invitation.sent")
    assert event.actor == lead_admin and event.data["email"] == invitation.email
    # the page lists it for the lead
    html = client.get(reverse("consortia:collective", args=[collective.pk])).content.decode()
    assert f'data-invitation="{invitation.pk}" data-status="pending"' in html


def test_double_submission_of_the_invite_form(client, lead_admin, collective):
    client.force_login(lead_admin)
    invite(client, collective, "contact@fabrique.example.org")
    response = invite(client, collective, "contact@fabrique.example.org")
    html = response.content.decode()
    assert response.status_code == 200
    assert fr(services.invite_partner, user=lead_admin, collective=collective,
              email="contact@fabrique.example.org", declared_name="x",
              declared_kind=OrganisationKind.TIERS_LIEU) in html
    assert 'value="contact@fabrique.example.org"' in html  # what was typed is kept
    assert collective.invitations.count() == 1
    assert OutgoingMail.objects.filter(cause="consortia:partner_invitation").count() == 1


def test_invalid_input_is_refused_with_the_fields_kept(client, lead_admin, collective):
    client.force_login(lead_admin)
    response = invite(client, collective, "pas-une-adresse", declared_kind="")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="erreurs"' in html
    assert 'value="pas-une-adresse"' in html
    assert not Invitation.objects.exists()


def test_resend_extends_the_expiry_and_counts(client, lead_admin, collective):
    client.force_login(lead_admin)
    invite(client, collective, "contact@fabrique.example.org")
    invitation = collective.invitations.get()
    first_expiry = invitation.expires_at
    with time_machine.travel(timezone.now() + timedelta(days=10), tick=False):
        response = client.post(reverse("consortia:invitation_resend", args=[invitation.pk]))
        assert response.status_code == 302
        assert response["Location"] == reverse("consortia:collective", args=[collective.pk])
        invitation.refresh_from_db()
        assert invitation.expires_at >= first_expiry + timedelta(days=10)
        assert invitation.send_count == 2
    mails = OutgoingMail.objects.filter(cause="consortia:partner_invitation")
    assert mails.count() == 2
    assert AuditEvent.objects.for_object(collective).filter(action="invitation.resent",
                                                            data__count=2).exists()


def test_retract(client, lead_admin, collective, partner_admin):
    client.force_login(lead_admin)
    invite(client, collective, partner_admin.email)
    invitation = collective.invitations.get()
    response = client.post(reverse("consortia:invitation_retract", args=[invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.RETRACTED
    event = AuditEvent.objects.for_object(invitation).get(action="invitation.retract")
    assert (event.actor, event.from_state, event.to_state) == (lead_admin, "pending",
                                                               "retracted")
    # retracting twice says so and changes nothing
    response = client.post(reverse("consortia:invitation_retract", args=[invitation.pk]),
                           follow=True)
    assert response.status_code == 200 and 'class="alert alert-danger"' in \
        response.content.decode()
    # the link no longer works
    client.force_login(partner_admin)
    token = make_token(invitation)
    response = client.get(reverse("consortia:invitation", args=[token]))
    assert response.status_code == 400
    with translation.override("fr"):
        with pytest.raises(InvitationError) as refusal:
            services.resolve_invitation(token)
    assert escape(str(refusal.value)) in response.content.decode()


# --- answering ----------------------------------------------------------------------------

def test_an_anonymous_visitor_is_sent_to_sign_in_and_back(client, collective):
    invitation = InvitationFactory(collective=collective)
    url = reverse("consortia:invitation", args=[make_token(invitation)])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/?next=")
    page = client.get(response["Location"]).content.decode()
    assert invitation.email in page  # the message naming the address, with sign-up mentioned
    assert reverse("account_signup") in page


def test_accept_with_a_confirmation_step(client, lead_admin, collective, tiers_lieu,
                                         partner_admin):
    client.force_login(lead_admin)
    invite(client, collective, partner_admin.email)
    link = link_in(OutgoingMail.objects.get(cause="consortia:partner_invitation"))
    client.force_login(partner_admin)
    url = path_of(link)
    html = client.get(url).content.decode()
    assert collective.name in html and escape(tiers_lieu.legal_name) in html
    assert f'{reverse("consortia:organisation_create")}?next=' in html

    # first step: the answer is shown back, nothing is committed yet
    data = {"organisation": tiers_lieu.pk, "role_in_project": "Accueil des ateliers"}
    html = client.post(url, {**data, "action": "review"}).content.decode()
    assert 'id="confirm-participation"' in html and "Accueil des ateliers" in html
    assert not Participation.objects.filter(organisation=tiers_lieu).exists()
    assert collective.invitations.get().status == InvitationStatus.PENDING

    response = client.post(url, {**data, "action": "confirm"})
    assert response.status_code == 302
    assert response["Location"] == reverse("consortia:collective", args=[collective.pk])
    participation = Participation.objects.get(collective=collective, organisation=tiers_lieu)
    assert participation.status == ParticipationStatus.CONFIRMED
    assert participation.role_in_project == "Accueil des ateliers"
    invitation = collective.invitations.get()
    assert (invitation.status, invitation.answered_by) == (InvitationStatus.ACCEPTED,
                                                           partner_admin)
    assert AuditEvent.objects.for_object(collective).filter(
        action="participation.confirmed", actor=partner_admin).exists()
    assert AuditEvent.objects.for_object(invitation).filter(action="invitation.accept").exists()
    answered = OutgoingMail.objects.get(cause="consortia:partner_answered")
    assert answered.to == [lead_admin.email] and tiers_lieu.legal_name in answered.body_text
    # the partner now sees the collective; its checklist for the full dossier is complete
    html = client.get(response["Location"]).content.decode()
    section = html.split('data-checklist="full"')[1].split("</section>")[0]
    assert 'data-ok="false"' not in section

    # the same link again: already answered, nothing changes
    response = client.post(url, {**data, "action": "confirm"})
    assert response.status_code == 400
    assert Participation.objects.filter(organisation=tiers_lieu).count() == 1


def test_decline_with_a_reason(client, collective, partner_admin):
    invitation = InvitationFactory(collective=collective, email=partner_admin.email,
                                   declared_name="La Fabrique du Coin")
    client.force_login(partner_admin)
    url = reverse("consortia:invitation", args=[make_token(invitation)])
    response = client.post(url, {"action": "decline", "reason": "Pas disponibles en 2024"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    assert invitation.answered_by == partner_admin
    assert AuditEvent.objects.for_object(invitation).get(
        action="invitation.decline").reason == "Pas disponibles en 2024"
    mail = OutgoingMail.objects.get(cause="consortia:partner_answered")
    assert "Pas disponibles en 2024" in mail.body_text and "La Fabrique du Coin" in mail.subject
    assert not Participation.objects.exclude(role="lead").exists()


@pytest.mark.parametrize("token", ["pas-un-jeton", "abc:def:ghi"])
def test_a_forged_token(client, partner_admin, token):
    client.force_login(partner_admin)
    response = client.get(reverse("consortia:invitation", args=[token]))
    assert response.status_code == 400
    assert fr(services.resolve_invitation, token) in response.content.decode()


def test_an_altered_token(client, collective, partner_admin):
    invitation = InvitationFactory(collective=collective, email=partner_admin.email)
    token = make_token(invitation)
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    client.force_login(partner_admin)
    response = client.post(reverse("consortia:invitation", args=[altered]),
                           {"action": "decline"})
    assert response.status_code == 400
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_an_expired_invitation(client, collective, partner_admin, tiers_lieu):
    invitation = InvitationFactory(collective=collective, email=partner_admin.email)
    url = reverse("consortia:invitation", args=[make_token(invitation)])
    client.force_login(partner_admin)
    with time_machine.travel(timezone.now() + timedelta(days=15), tick=False):
        response = client.post(url, {"organisation": tiers_lieu.pk, "role_in_project": "x",
                                     "action": "confirm"})
        assert response.status_code == 400
        assert fr(services.resolve_invitation, make_token(invitation)) in \
            response.content.decode()
        # the service itself refuses too, should a page have stayed open
        assert fr(services.accept_partner_invitation, user=partner_admin,
                  invitation=invitation, organisation=tiers_lieu, role_in_project="x")
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    assert not Participation.objects.filter(organisation=tiers_lieu).exists()


def test_another_email_address_cannot_answer(client, collective, tiers_lieu):
    invitation = InvitationFactory(collective=collective, email="destinataire@example.org")
    intruder = admin_of(tiers_lieu)
    client.force_login(intruder)
    url = reverse("consortia:invitation", args=[make_token(invitation)])
    response = client.get(url)
    assert response.status_code == 403
    with translation.override("fr"):
        with pytest.raises(InvitationError) as refusal:
            services.check_addressee(intruder, invitation)
    assert escape(str(refusal.value)) in response.content.decode()
    response = client.post(url, {"organisation": tiers_lieu.pk, "role_in_project": "x",
                                 "action": "confirm"})
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    assert not Participation.objects.filter(organisation=tiers_lieu).exists()


def test_an_unverified_address_is_not_enough(client, collective, tiers_lieu):
    user = MembershipFactory(organisation=tiers_lieu, role=MemberRole.ADMIN).user
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    invitation = InvitationFactory(collective=collective, email=user.email)
    client.force_login(user)
    response = client.get(reverse("consortia:invitation", args=[make_token(invitation)]))
    assert response.status_code == 403


def test_only_an_organisation_the_user_administers_can_be_committed(client, collective,
                                                                     partner_admin):
    someone_elses = OrganisationFactory()
    invitation = InvitationFactory(collective=collective, email=partner_admin.email)
    client.force_login(partner_admin)
    url = reverse("consortia:invitation", args=[make_token(invitation)])
    response = client.post(url, {"organisation": someone_elses.pk, "role_in_project": "x",
                                 "action": "confirm"})
    assert response.status_code == 200 and 'id="erreurs"' in response.content.decode()
    assert not Participation.objects.filter(organisation=someone_elses).exists()
    assert collective.invitations.get().status == InvitationStatus.PENDING


def test_without_an_organisation_the_page_offers_to_register_one(client, collective):
    user = verified(UserFactory())
    invitation = InvitationFactory(collective=collective, email=user.email)
    client.force_login(user)
    url = reverse("consortia:invitation", args=[make_token(invitation)])
    html = client.get(url).content.decode()
    assert 'id="no-organisation"' in html and 'id="decline-form"' in html
    assert f'{reverse("consortia:organisation_create")}?next=%2Finvitations%2F' in html


def test_when_filing_has_closed_accepting_and_inviting_are_refused(
        client, lead_admin, collective, partner_admin, tiers_lieu):
    invitation = InvitationFactory(collective=collective, email=partner_admin.email)
    collective.call.phases.filter(kind=PhaseKind.FILING).update(
        ends_at=timezone.now() - timedelta(minutes=1))
    client.force_login(partner_admin)
    url = reverse("consortia:invitation", args=[make_token(invitation)])
    html = client.get(url).content.decode()
    assert 'id="locked-banner"' in html
    response = client.post(url, {"organisation": tiers_lieu.pk, "role_in_project": "x",
                                 "action": "confirm"})
    assert fr(services.accept_partner_invitation, user=partner_admin, invitation=invitation,
              organisation=tiers_lieu, role_in_project="x") in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    assert not Participation.objects.filter(organisation=tiers_lieu).exists()

    client.force_login(lead_admin)
    response = invite(client, collective, "autre@example.org")
    assert fr(services.invite_partner, user=lead_admin, collective=collective,
              email="autre@example.org", declared_name="x",
              declared_kind=OrganisationKind.TIERS_LIEU) in response.content.decode()
    assert collective.invitations.count() == 1


# --- invitations to join an organisation ----------------------------------------------------

def test_a_member_invitation_makes_a_member(client, tiers_lieu):
    user = verified(UserFactory())
    invitation = InvitationFactory(member=True, organisation=tiers_lieu, email=user.email)
    client.force_login(user)
    url = reverse("consortia:invitation", args=[make_token(invitation)])
    assert 'id="accept-membership"' in client.get(url).content.decode()
    response = client.post(url, {"action": "accept"})
    assert response.status_code == 302
    assert Membership.objects.get(user=user, organisation=tiers_lieu).role == MemberRole.MEMBER
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
