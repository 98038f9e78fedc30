"""Who manages the outbox: Region officers (and superusers), nobody else."""

import rules

from connaissance.accounts.roles import Role, has_role


@rules.predicate
def is_officer(user):
    return bool(user and user.is_active
                and (user.is_superuser or has_role(user, Role.REGION_OFFICER)))
