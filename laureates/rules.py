"""Who may see a laureate's project. Anything denied is shown as a 404.

- the members of the collective see their project, money included;
- Region officers see (and, in the admin, manage) every project;
- Compagnie des tiers-lieux staff follow the projects of the collectives they incubated (the
  incubation of the collective's note is in progress or done, not « not needed »; the whole
  staff group, as in the incubation admin), read-only and without any amount;
- nobody else (another collective, an evaluator, a visitor).
"""

import rules

from applications.models import Incubation, IncubationStatus
from applications.rules import is_tiers_lieux_staff
from calls.rules import is_officer
from consortia.rules import is_collective_member


@rules.predicate
def is_project_member(user, project):
    return project is not None and is_collective_member(user, project.collective)


@rules.predicate
def is_incubated_project(user, project):
    return project is not None and Incubation.objects.filter(
        note__collective_id=project.collective_id).exclude(
        status=IncubationStatus.NOT_NEEDED).exists()


incubating_staff = is_tiers_lieux_staff & is_incubated_project

rules.add_perm("laureates.view_project", is_project_member | is_officer | incubating_staff)
rules.add_perm("laureates.view_project_money", is_project_member | is_officer)
rules.add_perm("laureates.manage_project", is_officer)
