"""Lifecycle of an invitation (to join an organisation or to take part in a collective)."""

from connaissance.workflow import Lifecycle

from .models import InvitationStatus

INVITATION_LIFECYCLE = Lifecycle(
    name="invitation",
    state_field="status",
    table={
        (InvitationStatus.PENDING, InvitationStatus.ACCEPTED): "accept",
        (InvitationStatus.PENDING, InvitationStatus.DECLINED): "decline",
        (InvitationStatus.PENDING, InvitationStatus.RETRACTED): "retract",
    },
    labels=dict(InvitationStatus.choices),
)
