"""Collectives for a call: creation by the lead, membership lock, partner withdrawal."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls import calendar
from calls.models import CallStatus, PhaseKind
from connaissance.audit.services import record

from ..errors import ConsortiaError, MembershipLocked
from ..models import (
    Collective,
    MemberRole,
    Membership,
    MembershipLock,
    Participation,
    ParticipationRole,
    ParticipationStatus,
)


def lock_phase(call) -> str:
    """The phase whose closing locks the collectives of `call` (filing unless officers chose)."""
    try:
        return call.membership_lock.after_phase
    except MembershipLock.DoesNotExist:
        return PhaseKind.FILING


def membership_locked(collective, *, at=None) -> bool:
    """No partner may be added or removed: locked by officers, or the call's locking phase
    (filing by default) has closed."""
    if collective.membership_locked:
        return True
    at = at or timezone.now()
    phase = calendar.phase(collective.call, lock_phase(collective.call))
    return bool(phase and phase.ends_at and at > phase.ends_at)


def require_unlocked(collective, *, at=None):
    if membership_locked(collective, at=at):
        raise MembershipLocked(_("The composition of this collective is locked: no partner can "
                                 "be added or removed any more."))


@transaction.atomic
def create_collective(*, user, call, lead_organisation, name, description, territory,
                      epcis=()):
    if call.status != CallStatus.PUBLISHED:
        raise ConsortiaError(_("This call is not open to collectives."))
    if not Membership.objects.filter(user=user, organisation=lead_organisation,
                                     role=MemberRole.ADMIN).exists():
        raise ConsortiaError(_("Only an administrator of %(org)s can make it the lead of a "
                               "collective.") % {"org": lead_organisation})
    if Collective.objects.filter(call=call, name__iexact=name.strip()).exists():
        raise ConsortiaError(_("A collective with this name already answers this call."))
    collective = Collective(call=call, name=name.strip(), description=description,
                            territory=territory, created_by=user)
    require_unlocked(collective)
    collective.save()
    collective.epcis.set(epcis)
    Participation.objects.create(
        collective=collective, organisation=lead_organisation, role=ParticipationRole.LEAD,
        confirmed_by=user, confirmed_at=timezone.now())
    record(actor=user, obj=collective, action="collective.created",
           data={"call": call.slug, "lead": lead_organisation.pk})
    return collective


@transaction.atomic
def withdraw_partner(*, user, participation, reason=""):
    """The lead removes a partner, or the partner withdraws; kept as *withdrawn*."""
    if participation.role == ParticipationRole.LEAD:
        raise ConsortiaError(_("The lead cannot leave its own collective."))
    require_unlocked(participation.collective)
    if participation.status != ParticipationStatus.CONFIRMED:
        raise ConsortiaError(_("This partner has already left the collective."))
    participation.status = ParticipationStatus.WITHDRAWN
    participation.save(update_fields=["status"])
    record(actor=user, obj=participation.collective, action="participation.withdrawn",
           from_state=ParticipationStatus.CONFIRMED, to_state=ParticipationStatus.WITHDRAWN,
           reason=reason, data={"organisation": participation.organisation_id})
    return participation


def collectives_of(user):
    """The collectives where the user's organisations take part (confirmed)."""
    return Collective.objects.filter(
        participations__organisation__memberships__user=user,
        participations__status=ParticipationStatus.CONFIRMED,
    ).distinct()


def with_composition_data(queryset):
    """Prefetch what the composition rule and the permission rules read."""
    # call__membership_lock: membership_locked() reads it, one query per call otherwise.
    return queryset.select_related("call", "call__membership_lock").prefetch_related(
        "call__phases", "participations__organisation__digital_proof", "invitations")
