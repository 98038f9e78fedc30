"""Receipt references such as CHDF-2023-N-0007: per call and kind, without gaps."""

from django.db import transaction

from ..models import ReferenceCounter


def next_reference(*, call, kind: str) -> str:
    """Take the next number under a row lock (call inside the filing transaction)."""
    with transaction.atomic():
        ReferenceCounter.objects.get_or_create(call=call, kind=kind)
        counter = ReferenceCounter.objects.select_for_update().get(call=call, kind=kind)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"{call.reference_prefix}-{kind}-{counter.last:04d}"
