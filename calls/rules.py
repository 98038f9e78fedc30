"""Who may see and manage calls."""

import rules

from connaissance.accounts.roles import is_officer

from .models import CallStatus

__all__ = ["is_officer", "is_published", "is_archived"]


@rules.predicate
def is_published(user, call):
    return call is not None and call.status == CallStatus.PUBLISHED


@rules.predicate
def is_archived(user, call):
    return call is not None and call.status == CallStatus.ARCHIVED


# The public sees published and archived calls; drafts only officers (others get a 404).
rules.add_perm("calls.view_call", is_published | is_archived | is_officer)
rules.add_perm("calls.change_call", is_officer)
rules.add_perm("calls.publish_call", is_officer)
