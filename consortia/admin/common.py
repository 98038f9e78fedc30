"""Shared pieces of the consortia admin."""

from django.contrib import admin
from django.db.models import Count, Exists, OuterRef

from connaissance.ui.admin_readonly import ReadOnlyMixin

from ..models import (
    Participation,
    ParticipationStatus,
)

CONFIRMED = ParticipationStatus.CONFIRMED


def in_several_collectives_of_a_call():
    """True when the organisation takes part (confirmed) in two collectives or more of the same
    call: one correlated subquery for the whole list."""
    return Exists(
        Participation.objects.filter(organisation=OuterRef("pk"), status=CONFIRMED)
        .values("collective__call").annotate(taking_part=Count("pk"))
        .filter(taking_part__gt=1))


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """A list officers consult; nothing is added, changed or deleted here."""


# --- Organisations -------------------------------------------------------------------------
