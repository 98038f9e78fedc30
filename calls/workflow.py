"""Lifecycle of a call: drafted by officers, published to the public, archived."""

from connaissance.workflow import Lifecycle

from .models import CallStatus

CALL_LIFECYCLE = Lifecycle(
    name="call",
    state_field="status",
    table={
        (CallStatus.DRAFT, CallStatus.PUBLISHED): "publish",
        (CallStatus.PUBLISHED, CallStatus.DRAFT): "unpublish",
        (CallStatus.PUBLISHED, CallStatus.ARCHIVED): "archive",
        (CallStatus.ARCHIVED, CallStatus.PUBLISHED): "restore",
    },
    labels=dict(CallStatus.choices),
)
