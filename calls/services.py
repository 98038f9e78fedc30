"""Use cases of calls: every officer's change is recorded in the audit trail."""

from django.db import transaction

from connaissance.audit.services import record

from .calendar_checks import check_calendar
from .workflow import CALL_LIFECYCLE


def _jsonable(value):
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


def record_call_change(*, actor, call, created: bool, changes: dict):
    """Record that an officer created or edited a call. `changes` = {field: (before, after)}."""
    data = {name: [_jsonable(before), _jsonable(after)]
            for name, (before, after) in changes.items()}
    return record(actor=actor, obj=call, action="call.created" if created else "call.updated",
                  data={"changes": data})


def record_phase_change(*, actor, phase, action: str, changes: dict | None = None):
    """Record the creation, edit or removal of a phase (audited on the call and the phase)."""
    data = {"phase": phase.kind}
    if changes:
        data["changes"] = {name: [_jsonable(b), _jsonable(a)] for name, (b, a) in changes.items()}
    record(actor=actor, obj=phase.call, action=f"phase.{action}", data=data)


def publish(*, call, actor, reason=""):
    return CALL_LIFECYCLE.apply(call, to_state="published", actor=actor, reason=reason,
                                data={"warnings": [w.code for w in check_calendar(call)]})


def unpublish(*, call, actor, reason):
    return CALL_LIFECYCLE.apply(call, to_state="draft", actor=actor, reason=reason)


def archive(*, call, actor, reason=""):
    return CALL_LIFECYCLE.apply(call, to_state="archived", actor=actor, reason=reason)


@transaction.atomic
def create_call(*, actor, phases=(), axes=(), programmes=(), documents=(), **fields):
    """Create a call with its calendar (used by fixtures and the demo seeding)."""
    from .models import Axis, Call, Phase, Programme, RequiredDocument

    call = Call.objects.create(**fields)
    for phase_fields in phases:
        Phase.objects.create(call=call, **phase_fields)
    for number, (title, description) in enumerate(axes, start=1):
        Axis.objects.create(call=call, number=number, title=title, description=description)
    for name, description in programmes:
        Programme.objects.create(call=call, name=name, description=description)
    for position, (label, description, mandatory) in enumerate(documents):
        RequiredDocument.objects.create(call=call, position=position, label=label,
                                        description=description, mandatory=mandatory)
    record_call_change(actor=actor, call=call, created=True, changes={})
    return call
