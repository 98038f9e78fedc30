"""Use cases of organisations: registration by SIRET, proof of digitalisation, requests to join,
member invitations. Each refusal changes nothing."""

import re
from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.utils import timezone

from connaissance.audit.models import AuditEvent
from connaissance.mail.models import OutgoingMail
from consortia.errors import ConsortiaError, InvitationError, SiretTaken
from consortia.models import (
    DigitalProof,
    Invitation,
    InvitationStatus,
    JoinRequest,
    MemberRole,
    Membership,
    Organisation,
    OrganisationKind,
    ProofStatus,
    RequestStatus,
)
from consortia.services import invitations, organisations
from consortia.tokens import make_token
from tests.consortia.factories import (
    DigitalProofFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    org_admin,
    valid_siret,
)
from tests.factories import UserFactory, officer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def register(user, siret, **overrides):
    fields = {"legal_name": "Tiers-lieu de la Gare", "kind": OrganisationKind.TIERS_LIEU,
              "address": "1 place de la Gare", "commune": None, "postcode": "80000",
              "town": "Amiens", **overrides}
    return organisations.create_organisation(user=user, siret=siret, **fields)


# --- create_organisation -------------------------------------------------------------------

def test_the_creator_administers_the_new_organisation(user):
    siret = valid_siret(7001)
    spaced = f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
    organisation = register(user, spaced)
    assert organisation.siret == siret
    assert Membership.objects.get(organisation=organisation).user == user
    assert Membership.objects.get(organisation=organisation).role == MemberRole.ADMIN
    assert user.has_perm("consortia.change_organisation", organisation)
    event = AuditEvent.objects.for_object(organisation).get(action="organisation.created")
    assert event.actor == user and event.data["siret"] == siret


def test_a_taken_siret_raises_siret_taken_with_the_organisation(user):
    existing = OrganisationFactory(legal_name="Déjà Inscrit")
    other = UserFactory()
    with pytest.raises(SiretTaken) as caught:
        register(other, existing.siret, legal_name="Usurpateur")
    assert caught.value.organisation == existing
    assert "Déjà Inscrit" in str(caught.value)
    assert Organisation.objects.count() == 1
    assert not Membership.objects.filter(user=other).exists()


def test_a_taken_siret_typed_with_spaces_is_still_taken(user):
    existing = OrganisationFactory()
    with pytest.raises(SiretTaken):
        register(user, " ".join(existing.siret))


@pytest.mark.parametrize("siret", ["73282932000075", "7328293200007", "7328293200007A"])
def test_an_invalid_siret_creates_nothing(user, siret):
    with pytest.raises(ValidationError):
        register(user, siret)
    assert not Organisation.objects.exists()


def test_a_training_body_needs_an_nda_of_eleven_digits(user):
    with pytest.raises(ValidationError):
        register(user, valid_siret(7002), kind=OrganisationKind.TRAINING_BODY, nda="1234")
    organisation = register(user, valid_siret(7003), kind=OrganisationKind.TRAINING_BODY,
                            nda="32 59 12345 67", qualiopi=True)
    assert organisation.nda == "32591234567" and organisation.qualiopi


def test_another_kind_keeps_no_nda(user):
    organisation = register(user, valid_siret(7004), nda="32591234567", qualiopi=True)
    assert organisation.nda == "" and not organisation.qualiopi


def test_an_address_needs_a_commune_or_a_postcode_and_town(user):
    with pytest.raises(ConsortiaError):
        register(user, valid_siret(7005), postcode="", town="")
    assert not Organisation.objects.exists()


# --- proof of digitalisation ---------------------------------------------------------------

def declare(user, organisation, **overrides):
    fields = {"digital_offer": "Classes virtuelles", "since": date(2020, 9, 1),
              "learner_count": 80, **overrides}
    return organisations.declare_digital_proof(user=user, organisation=organisation, **fields)


def test_a_proof_is_declared_then_verified_by_an_officer():
    body = OrganisationFactory(training_body=True)
    admin = org_admin(body)
    proof = declare(admin, body)
    assert proof.status == ProofStatus.DECLARED
    agent = officer(totp=False)
    organisations.verify_digital_proof(officer=agent, proof=proof)
    proof.refresh_from_db()
    assert (proof.status, proof.verified_by) == (ProofStatus.VERIFIED, agent)
    assert proof.verified_at is not None
    event = AuditEvent.objects.for_object(body).get(action="digital_proof.verified")
    assert (event.from_state, event.to_state, event.actor) == ("declared", "verified", agent)


def test_redeclaring_a_verified_proof_makes_it_declared_again():
    proof = DigitalProofFactory(status=ProofStatus.VERIFIED, verified_at=timezone.now())
    admin = org_admin(proof.organisation)
    declare(admin, proof.organisation, learner_count=200)
    proof.refresh_from_db()
    assert (proof.status, proof.verified_by, proof.verified_at) == (ProofStatus.DECLARED, None,
                                                                    None)
    assert proof.learner_count == 200
    assert DigitalProof.objects.count() == 1
    event = AuditEvent.objects.for_object(proof.organisation).get(
        action="digital_proof.declared")
    assert (event.from_state, event.to_state) == ("verified", "declared")


def test_only_a_training_body_declares_a_proof():
    place = OrganisationFactory(kind=OrganisationKind.TIERS_LIEU)
    with pytest.raises(ConsortiaError):
        declare(org_admin(place), place)
    assert not DigitalProof.objects.exists()


# --- requests to join ----------------------------------------------------------------------

def test_a_request_to_join_is_approved_by_an_administrator():
    organisation = OrganisationFactory()
    admin = org_admin(organisation)
    newcomer = UserFactory()
    join = organisations.request_to_join(user=newcomer, organisation=organisation,
                                         message="Je suis la nouvelle directrice.")
    assert join.status == RequestStatus.PENDING
    mail = OutgoingMail.objects.get(cause="consortia:join_request")
    assert mail.to == [admin.email]
    organisations.decide_join_request(admin=admin, join_request=join, approve=True)
    join.refresh_from_db()
    assert (join.status, join.decided_by) == (RequestStatus.APPROVED, admin)
    membership = Membership.objects.get(user=newcomer, organisation=organisation)
    assert membership.role == MemberRole.MEMBER
    assert OutgoingMail.objects.get(cause="consortia:join_request_decided").to == [
        newcomer.email]


def test_a_refused_request_gives_no_membership_and_cannot_be_decided_twice():
    organisation = OrganisationFactory()
    admin = org_admin(organisation)
    newcomer = UserFactory()
    join = organisations.request_to_join(user=newcomer, organisation=organisation)
    organisations.decide_join_request(admin=admin, join_request=join, approve=False)
    assert JoinRequest.objects.get(pk=join.pk).status == RequestStatus.REFUSED
    assert not Membership.objects.filter(user=newcomer, organisation=organisation).exists()
    with pytest.raises(ConsortiaError):
        organisations.decide_join_request(admin=admin, join_request=join, approve=True)
    assert not Membership.objects.filter(user=newcomer, organisation=organisation).exists()


def test_a_double_request_is_refused():
    organisation = OrganisationFactory()
    org_admin(organisation)
    newcomer = UserFactory()
    organisations.request_to_join(user=newcomer, organisation=organisation)
    with pytest.raises(ConsortiaError):
        organisations.request_to_join(user=newcomer, organisation=organisation)
    assert JoinRequest.objects.filter(user=newcomer).count() == 1
    assert OutgoingMail.objects.filter(cause="consortia:join_request").count() == 1


def test_a_member_cannot_ask_to_join_again():
    membership = MembershipFactory()
    with pytest.raises(ConsortiaError):
        organisations.request_to_join(user=membership.user, organisation=membership.organisation)
    assert not JoinRequest.objects.exists()


def test_a_refused_person_may_ask_again():
    organisation = OrganisationFactory()
    admin = org_admin(organisation)
    newcomer = UserFactory()
    join = organisations.request_to_join(user=newcomer, organisation=organisation)
    organisations.decide_join_request(admin=admin, join_request=join, approve=False)
    organisations.request_to_join(user=newcomer, organisation=organisation)
    assert JoinRequest.objects.filter(user=newcomer, status=RequestStatus.PENDING).count() == 1


# --- member invitations --------------------------------------------------------------------

def test_an_administrator_invites_a_colleague_who_accepts():
    organisation = OrganisationFactory()
    admin = org_admin(organisation)
    invitation = organisations.invite_member(admin=admin, organisation=organisation,
                                             email="  Collegue@Example.org ")
    assert (invitation.purpose, invitation.email) == (Invitation.Purpose.MEMBER,
                                                       "collegue@example.org")
    mail = OutgoingMail.objects.get(cause="consortia:member_invitation")
    assert mail.to == ["collegue@example.org"]
    # the signed token carries a timestamp: read the one that was mailed
    token = re.search(r"/invitations/([^/\s]+)/", mail.body_text).group(1)
    assert token.split(":")[0] == make_token(invitation).split(":")[0] == str(invitation.key)
    colleague = verified(UserFactory(email="collegue@example.org"))
    found = invitations.resolve_invitation(token)
    invitations.accept_member_invitation(user=colleague, invitation=found)
    assert Membership.objects.get(user=colleague, organisation=organisation).role == (
        MemberRole.MEMBER)
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.ACCEPTED
    with pytest.raises(InvitationError):  # the link is used
        invitations.resolve_invitation(token)


def test_a_member_invitation_twice_or_to_a_member_is_refused():
    organisation = OrganisationFactory()
    admin = org_admin(organisation)
    organisations.invite_member(admin=admin, organisation=organisation, email="a@example.org")
    with pytest.raises(ConsortiaError):
        organisations.invite_member(admin=admin, organisation=organisation,
                                    email="A@example.org")
    with pytest.raises(ConsortiaError):
        organisations.invite_member(admin=admin, organisation=organisation, email=admin.email)
    assert Invitation.objects.count() == 1


def test_a_member_invitation_answered_with_another_address_changes_nothing():
    invitation = InvitationFactory(member=True, email="prevue@example.org", invited_by=None)
    intruder = verified(UserFactory(email="autre@example.org"))
    with pytest.raises(InvitationError) as caught:
        invitations.accept_member_invitation(user=intruder, invitation=invitation)
    assert "prevue@example.org" in str(caught.value)
    assert not Membership.objects.filter(user=intruder).exists()
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.PENDING


@pytest.mark.parametrize("case", ["forged", "expired", "retracted"])
def test_a_bad_member_invitation_link_is_refused(case):
    invitation = InvitationFactory(member=True, invited_by=None)
    token = make_token(invitation)
    if case == "forged":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif case == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1))
    else:
        invitations.retract_invitation(user=None, invitation=invitation)
    with pytest.raises(InvitationError) as caught:
        invitations.resolve_invitation(token)
    assert str(caught.value).strip()
