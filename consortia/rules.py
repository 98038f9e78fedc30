"""Object permissions of organisations and collectives. Anything denied is shown as a 404."""

import rules

from calls.rules import is_officer

from .models import MemberRole, ParticipationRole, ParticipationStatus


def _org_roles(user):
    """{organisation_id: role} of the user, computed once per request-bound user object."""
    if not user.is_authenticated:
        return {}
    cached = getattr(user, "_org_roles", None)
    if cached is None:
        cached = dict(user.org_memberships.values_list("organisation_id", "role"))
        user._org_roles = cached
    return cached


def forget_cached_roles(user):
    user.__dict__.pop("_org_roles", None)


@rules.predicate
def is_org_member(user, organisation):
    return organisation is not None and organisation.pk in _org_roles(user)


@rules.predicate
def is_org_admin(user, organisation):
    return organisation is not None and _org_roles(user).get(organisation.pk) == MemberRole.ADMIN


@rules.predicate
def is_collective_member(user, collective):
    """Member of an organisation that has confirmed its participation (or leads)."""
    if collective is None:
        return False
    mine = _org_roles(user)
    return any(p.organisation_id in mine and p.status == ParticipationStatus.CONFIRMED
               for p in collective.participations.all())


@rules.predicate
def is_lead_admin(user, collective):
    if collective is None:
        return False
    mine = _org_roles(user)
    return any(p.role == ParticipationRole.LEAD and mine.get(p.organisation_id) == MemberRole.ADMIN
               for p in collective.participations.all())


rules.add_perm("consortia.view_organisation", is_org_member | is_officer)
rules.add_perm("consortia.change_organisation", is_org_admin)
rules.add_perm("consortia.manage_members", is_org_admin)
rules.add_perm("consortia.view_collective", is_collective_member | is_officer)
rules.add_perm("consortia.manage_collective", is_lead_admin)
