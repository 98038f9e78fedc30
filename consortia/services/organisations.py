"""Organisations: registration, proof of digitalisation, members and requests to join."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connaissance.audit.services import record
from connaissance.files.services import store_upload

from ..errors import ConsortiaError, SiretTaken
from ..identifiers import clean_nda, clean_siret
from ..models import (
    DigitalProof,
    Invitation,
    JoinRequest,
    MemberRole,
    Membership,
    Organisation,
    OrganisationKind,
    ProofStatus,
    RequestStatus,
)
from ..rules import forget_cached_roles
from . import notify

INVITATION_DAYS = 14
ORG_FIELDS = ("legal_name", "kind", "address", "commune", "postcode", "town", "website", "nda",
              "qualiopi", "in_directory", "directory_pitch")


def find_by_siret(siret):
    return Organisation.objects.filter(siret=clean_siret(siret)).first()


def _check_fields(fields):
    if fields.get("kind") == OrganisationKind.TRAINING_BODY:
        fields["nda"] = clean_nda(fields.get("nda", ""))
    else:
        fields["nda"] = ""
        fields["qualiopi"] = False
    if fields.get("commune") is None and not (fields.get("postcode") and fields.get("town")):
        raise ConsortiaError(_("Choose the commune, or for an organisation outside "
                               "Hauts-de-France give its postcode and town."))


@transaction.atomic
def create_organisation(*, user, siret, **fields):
    """Register an organisation; its creator becomes its administrator."""
    compact = clean_siret(siret)
    existing = Organisation.objects.filter(siret=compact).first()
    if existing:
        raise SiretTaken(_("An organisation with this SIRET is already registered: %(org)s. "
                           "You can ask to join it.") % {"org": existing}, existing)
    _check_fields(fields)
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(siret=compact, created_by=user, **fields)
    except IntegrityError as exc:  # two registrations of the same SIRET at once
        raise SiretTaken(_("An organisation with this SIRET is already registered."),
                         Organisation.objects.get(siret=compact)) from exc
    Membership.objects.create(user=user, organisation=organisation, role=MemberRole.ADMIN)
    forget_cached_roles(user)
    record(actor=user, obj=organisation, action="organisation.created",
           data={"siret": compact, "kind": organisation.kind})
    return organisation


@transaction.atomic
def update_organisation(*, user, organisation, **fields):
    _check_fields(fields)
    changes = {}
    for name, value in fields.items():
        before = getattr(organisation, name)
        if before != value:
            changes[name] = [str(before), str(value)]
            setattr(organisation, name, value)
    if changes:
        organisation.save()
        record(actor=user, obj=organisation, action="organisation.updated",
               data={"changes": changes})
    return organisation


@transaction.atomic
def declare_digital_proof(*, user, organisation, digital_offer, since, learner_count,
                          links="", uploaded=None):
    """A training body describes the digital part of its offer. Any change makes it
    *déclarée* again until an officer verifies it."""
    if organisation.kind != OrganisationKind.TRAINING_BODY:
        raise ConsortiaError(_("Only a training body gives a proof of digitalisation."))
    proof = DigitalProof.objects.filter(organisation=organisation).first() or DigitalProof(
        organisation=organisation)
    proof.digital_offer, proof.since, proof.learner_count = digital_offer, since, learner_count
    proof.links = links
    if uploaded is not None:
        proof.document = store_upload(uploaded=uploaded, owner=organisation, created_by=user)
    previous = proof.status if proof.pk else None
    proof.status, proof.verified_by, proof.verified_at = ProofStatus.DECLARED, None, None
    proof.save()
    record(actor=user, obj=organisation, action="digital_proof.declared",
           from_state=previous or "", to_state=ProofStatus.DECLARED)
    return proof


@transaction.atomic
def verify_digital_proof(*, officer, proof):
    previous = proof.status
    proof.status, proof.verified_by, proof.verified_at = (ProofStatus.VERIFIED, officer,
                                                         timezone.now())
    proof.save(update_fields=["status", "verified_by", "verified_at"])
    record(actor=officer, obj=proof.organisation, action="digital_proof.verified",
           from_state=previous, to_state=ProofStatus.VERIFIED)
    return proof


@transaction.atomic
def request_to_join(*, user, organisation, message=""):
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ConsortiaError(_("You are already a member of %(org)s.") % {"org": organisation})
    if JoinRequest.objects.filter(user=user, organisation=organisation,
                                  status=RequestStatus.PENDING).exists():
        raise ConsortiaError(_("Your request to join %(org)s is already waiting for an "
                               "administrator.") % {"org": organisation})
    try:
        with transaction.atomic():
            join = JoinRequest.objects.create(user=user, organisation=organisation,
                                              message=message)
    except IntegrityError as exc:  # the same request sent twice at once
        raise ConsortiaError(_("Your request to join %(org)s is already waiting for an "
                               "administrator.") % {"org": organisation}) from exc
    record(actor=user, obj=organisation, action="join_request.created", data={"user": user.pk})
    notify.send(to=notify.admin_emails(organisation), template="join_request",
                context={"organisation": organisation, "requester": user, "join": join},
                cause="consortia:join_request")
    return join


@transaction.atomic
def decide_join_request(*, admin, join_request, approve: bool):
    join = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join.status != RequestStatus.PENDING:
        raise ConsortiaError(_("This request has already been answered."))
    join.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    join.decided_by, join.decided_at = admin, timezone.now()
    join.save()
    if approve:
        Membership.objects.get_or_create(user=join.user, organisation=join.organisation)
    record(actor=admin, obj=join.organisation, action=f"join_request.{join.status}",
           from_state=RequestStatus.PENDING, to_state=join.status, data={"user": join.user_id})
    notify.send(to=[join.user.email], template="join_request_decided",
                context={"organisation": join.organisation, "approved": approve},
                cause="consortia:join_request_decided")
    return join


@transaction.atomic
def invite_member(*, admin, organisation, email, message=""):
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ConsortiaError(_("%(email)s is already a member.") % {"email": email})
    if Invitation.objects.filter(purpose=Invitation.Purpose.MEMBER, organisation=organisation,
                                 email__iexact=email, status="pending",
                                 expires_at__gt=timezone.now()).exists():
        raise ConsortiaError(_("An invitation is already waiting for %(email)s.")
                             % {"email": email})
    invitation = Invitation.objects.create(
        purpose=Invitation.Purpose.MEMBER, organisation=organisation, email=email,
        message=message, invited_by=admin, sent_at=timezone.now(), send_count=1,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS))
    record(actor=admin, obj=organisation, action="member_invitation.sent", data={"email": email})
    notify.send(to=[email], template="member_invitation",
                context={"organisation": organisation, "invitation": invitation,
                         "inviter": admin, "link": notify.invitation_link(invitation)},
                cause="consortia:member_invitation")
    return invitation
