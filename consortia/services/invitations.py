"""E-mail invitations: partners into a collective, people into an organisation."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connaissance.audit.services import record

from ..errors import ConsortiaError, InvitationError
from ..models import (
    Collective,
    Invitation,
    InvitationStatus,
    MemberRole,
    Membership,
    Participation,
    ParticipationRole,
    ParticipationStatus,
)
from ..rules import forget_cached_roles
from ..tokens import BadToken, ExpiredToken, read_token
from ..workflow import INVITATION_LIFECYCLE
from . import notify
from .collectives import require_unlocked

INVITATION_DAYS = 14


def _expiry():
    return timezone.now() + timedelta(days=INVITATION_DAYS)


@transaction.atomic
def invite_partner(*, user, collective, email, declared_name, declared_kind, message=""):
    # One invitation at a time per collective: a double submission waits, then sees the first.
    Collective.objects.select_for_update().filter(pk=collective.pk).first()
    require_unlocked(collective)
    email = email.strip().lower()
    if Invitation.objects.filter(collective=collective, email__iexact=email,
                                 status=InvitationStatus.PENDING,
                                 expires_at__gt=timezone.now()).exists():
        raise ConsortiaError(_("An invitation is already waiting for %(email)s; you can send "
                               "it again from the list.") % {"email": email})
    invitation = Invitation.objects.create(
        purpose=Invitation.Purpose.PARTNER, collective=collective, email=email,
        declared_name=declared_name, declared_kind=declared_kind, message=message,
        invited_by=user, sent_at=timezone.now(), send_count=1, expires_at=_expiry())
    record(actor=user, obj=collective, action="partner_invitation.sent",
           data={"email": email, "kind": declared_kind, "invitation": invitation.pk})
    _mail_partner_invitation(invitation, user)
    return invitation


def _mail_partner_invitation(invitation, inviter):
    collective = invitation.collective
    notify.send(to=[invitation.email], template="partner_invitation",
                context={"collective": collective, "call": collective.call,
                         "invitation": invitation, "inviter": inviter,
                         "link": notify.invitation_link(invitation)},
                cause="consortia:partner_invitation")


@transaction.atomic
def resend_invitation(*, user, invitation):
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != InvitationStatus.PENDING:
        raise ConsortiaError(_("This invitation has already been answered or retracted."))
    if invitation.purpose == Invitation.Purpose.PARTNER:
        require_unlocked(invitation.collective)
    invitation.expires_at, invitation.sent_at = _expiry(), timezone.now()
    invitation.send_count += 1
    invitation.save(update_fields=["expires_at", "sent_at", "send_count"])
    target = invitation.collective or invitation.organisation
    record(actor=user, obj=target, action="invitation.resent",
           data={"email": invitation.email, "invitation": invitation.pk,
                 "count": invitation.send_count})
    if invitation.purpose == Invitation.Purpose.PARTNER:
        _mail_partner_invitation(invitation, user)
    else:
        notify.send(to=[invitation.email], template="member_invitation",
                    context={"organisation": invitation.organisation, "invitation": invitation,
                             "inviter": user, "link": notify.invitation_link(invitation)},
                    cause="consortia:member_invitation")
    return invitation


def retract_invitation(*, user, invitation, reason=""):
    return INVITATION_LIFECYCLE.apply(invitation, to_state=InvitationStatus.RETRACTED,
                                      actor=user, reason=reason,
                                      data={"email": invitation.email})


def resolve_invitation(token: str) -> Invitation:
    """The pending invitation behind a token, or an InvitationError saying why not."""
    try:
        key = read_token(token, max_age_seconds=INVITATION_DAYS * 86400 * 4)
    except ExpiredToken as exc:
        raise InvitationError(_("This invitation has expired. Ask the sender to send it "
                                "again.")) from exc
    except BadToken as exc:
        raise InvitationError(_("This invitation link is not valid. Check that you copied "
                                "the whole link from the e-mail.")) from exc
    invitation = (Invitation.objects.select_related("collective__call", "organisation")
                  .filter(key=key).first())
    if invitation is None:
        raise InvitationError(_("This invitation link is not valid."))
    if invitation.status == InvitationStatus.RETRACTED:
        raise InvitationError(_("This invitation was withdrawn by its sender."))
    if invitation.status != InvitationStatus.PENDING:
        raise InvitationError(_("This invitation has already been answered."))
    if invitation.expires_at <= timezone.now():
        raise InvitationError(_("This invitation has expired. Ask the sender to send it "
                                "again."))
    return invitation


def _require_unexpired(invitation):
    """Checked again at the moment of the answer (the page may have stayed open)."""
    if invitation.expires_at <= timezone.now():
        raise InvitationError(_("This invitation has expired. Ask the sender to send it "
                                "again."))


def check_addressee(user, invitation):
    from allauth.account.models import EmailAddress

    verified = {e.lower() for e in EmailAddress.objects.filter(
        user=user, verified=True).values_list("email", flat=True)}
    if invitation.email.lower() not in verified:
        raise InvitationError(_("This invitation was sent to %(email)s; you are signed in with "
                                "another address. Sign in with %(email)s (or add and verify "
                                "it in your account) to answer it.")
                              % {"email": invitation.email})


@transaction.atomic
def accept_partner_invitation(*, user, invitation, organisation, role_in_project):
    check_addressee(user, invitation)
    _require_unexpired(invitation)
    collective = invitation.collective
    require_unlocked(collective)
    if not Membership.objects.filter(user=user, organisation=organisation,
                                     role=MemberRole.ADMIN).exists():
        raise ConsortiaError(_("Only an administrator of %(org)s can commit it to a "
                               "collective.") % {"org": organisation})
    existing = Participation.objects.filter(collective=collective,
                                            organisation=organisation).first()
    if existing and existing.status == ParticipationStatus.CONFIRMED:
        raise ConsortiaError(_("%(org)s already takes part in this collective.")
                             % {"org": organisation})
    INVITATION_LIFECYCLE.apply(invitation, to_state=InvitationStatus.ACCEPTED, actor=user,
                               data={"organisation": organisation.pk})
    Invitation.objects.filter(pk=invitation.pk).update(answered_by=user,
                                                      answered_at=timezone.now())
    participation, _created = Participation.objects.update_or_create(
        collective=collective, organisation=organisation,
        defaults={"role": ParticipationRole.PARTNER, "role_in_project": role_in_project,
                  "status": ParticipationStatus.CONFIRMED, "confirmed_by": user,
                  "confirmed_at": timezone.now()})
    record(actor=user, obj=collective, action="participation.confirmed",
           data={"organisation": organisation.pk, "invitation": invitation.pk})
    lead = collective.participations.get(role=ParticipationRole.LEAD).organisation
    notify.send(to=notify.admin_emails(lead), template="partner_answered",
                context={"collective": collective, "organisation": organisation,
                         "accepted": True}, cause="consortia:partner_answered")
    return participation


@transaction.atomic
def decline_invitation(*, user, invitation, reason=""):
    check_addressee(user, invitation)
    INVITATION_LIFECYCLE.apply(invitation, to_state=InvitationStatus.DECLINED, actor=user,
                               reason=reason)
    Invitation.objects.filter(pk=invitation.pk).update(answered_by=user,
                                                      answered_at=timezone.now())
    if invitation.purpose == Invitation.Purpose.PARTNER:
        collective = invitation.collective
        lead = collective.participations.get(role=ParticipationRole.LEAD).organisation
        notify.send(to=notify.admin_emails(lead), template="partner_answered",
                    context={"collective": collective, "organisation": None,
                             "declared_name": invitation.declared_name or invitation.email,
                             "accepted": False, "reason": reason},
                    cause="consortia:partner_answered")
    return invitation


@transaction.atomic
def accept_member_invitation(*, user, invitation):
    check_addressee(user, invitation)
    _require_unexpired(invitation)
    INVITATION_LIFECYCLE.apply(invitation, to_state=InvitationStatus.ACCEPTED, actor=user)
    Invitation.objects.filter(pk=invitation.pk).update(answered_by=user,
                                                      answered_at=timezone.now())
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation)
    forget_cached_roles(user)
    return membership
