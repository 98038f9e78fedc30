"""The roles of DOMAIN.md, as groups with stable codes (never translated names)."""

import rules
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COLLECTIVE_MEMBER = "collective_member", _("Collective member")
    REGION_OFFICER = "region_officer", _("Region officer")
    EVALUATOR = "evaluator", _("Evaluator")
    TIERS_LIEUX_STAFF = "tiers_lieux_staff", _("Compagnie des tiers-lieux staff")


# Roles that work in the Django admin (and must therefore use a second factor).
STAFF_ROLES = {Role.REGION_OFFICER, Role.EVALUATOR, Role.TIERS_LIEUX_STAFF}

# Model permissions of each role, as "app_label.codename". Object rules live in each app's
# rules.py; these only open the admin pages.
ROLE_PERMISSIONS = {
    Role.COLLECTIVE_MEMBER: [],
    Role.REGION_OFFICER: [
        "calls.add_call", "calls.change_call", "calls.view_call",
        "calls.add_phase", "calls.change_phase", "calls.delete_phase", "calls.view_phase",
        "calls.add_axis", "calls.change_axis", "calls.delete_axis", "calls.view_axis",
        "calls.add_programme", "calls.change_programme", "calls.delete_programme",
        "calls.view_programme",
        "audit.view_auditevent",
        "mail.view_outgoingmail", "mail.change_outgoingmail",
        "files.view_storedfile",
        "ops.view_heartbeat", "ops.view_jobrun",
        "territories.view_departement", "territories.view_epci", "territories.view_commune",
        "consortia.view_organisation", "consortia.change_organisation",
        "consortia.view_digitalproof", "consortia.change_digitalproof",
        "consortia.view_membership", "consortia.change_membership",
        "consortia.view_joinrequest", "consortia.change_joinrequest",
        "consortia.view_invitation", "consortia.change_invitation",
        "consortia.view_collective", "consortia.change_collective",
        "consortia.view_participation", "consortia.change_participation",
        "consortia.add_membershiplock", "consortia.change_membershiplock",
        "consortia.view_membershiplock",
        "consortia.view_directorymessage",
        "applications.view_opportunitynote", "applications.view_canvas",
        "applications.view_incubation", "applications.view_incubationsession",
        "applications.view_incubationmilestone",
        "evaluation.view_scoringgrid", "evaluation.change_scoringgrid",
        "evaluation.add_criterion", "evaluation.change_criterion",
        "evaluation.delete_criterion", "evaluation.view_criterion",
        "evaluation.view_assignment", "evaluation.view_conflictdeclaration",
        "evaluation.view_evaluation", "evaluation.view_score",
    ],
    Role.EVALUATOR: ["calls.view_call"],
    Role.TIERS_LIEUX_STAFF: [
        "calls.view_call",
        "applications.view_incubation", "applications.change_incubation",
        "applications.add_incubationsession", "applications.change_incubationsession",
        "applications.delete_incubationsession", "applications.view_incubationsession",
        "applications.add_incubationmilestone", "applications.change_incubationmilestone",
        "applications.delete_incubationmilestone", "applications.view_incubationmilestone",
    ],
}


def has_role(user, role: Role) -> bool:
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_role_codes", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_codes = cached
    return role.value in cached


@rules.predicate
def is_officer(user):
    """A Region officer (or a superuser), active: the one definition every app uses."""
    return bool(user and user.is_active
                and (user.is_superuser or has_role(user, Role.REGION_OFFICER)))


def emails_of_role(role: Role) -> list[str]:
    """The addresses of the active users holding `role` (e.g. every Region officer)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(groups__name=role.value, is_active=True)
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))
