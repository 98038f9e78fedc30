"""The one way to write to the audit trail."""

import json

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder

from .models import AuditEvent


def _jsonable(data):
    # Decimals, dates and lazy strings become plain JSON values.
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))


def record(*, actor, obj, action, from_state="", to_state="", reason="", data=None):
    """Append one event about `obj`. `actor` may be None for the system (scheduler)."""
    label = "système"
    if actor is not None and getattr(actor, "is_authenticated", False):
        label = actor.get_username()
    else:
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=label,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        action=action,
        from_state=from_state or "",
        to_state=to_state or "",
        reason=reason or "",
        data=_jsonable(data),
    )


def history(obj):
    return AuditEvent.objects.for_object(obj).select_related("actor")
