"""The permission rules of a project, predicate by predicate, from both sides."""

import pytest

from applications.models import Incubation, IncubationStatus
from laureates.models import Project
from tests.evaluation.builders import evaluator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def fresh(project):
    return Project.objects.select_related("collective").get(pk=project.pk)


def test_who_sees_a_project_and_its_money(laureate_world, other_collective_member):
    project = fresh(laureate_world.project)
    staff = UserFactory(roles=["tiers_lieux_staff"], is_staff=True)
    cases = {
        "member": (laureate_world.member, True, True),
        "officer": (laureate_world.officer, True, True),
        "tiers-lieux staff": (staff, True, False),
        "assigned evaluator": (laureate_world.ev1, False, False),
        "evaluator": (evaluator(), False, False),
        "other collective": (other_collective_member.user, False, False),
        "plain user": (UserFactory(), False, False),
    }
    for name, (user, sees, sees_money) in cases.items():
        assert user.has_perm("laureates.view_project", project) is sees, name
        assert user.has_perm("laureates.view_project_money", project) is sees_money, name
        assert user.has_perm("laureates.manage_project", project) is (name == "officer"), name


def test_staff_follow_only_incubated_collectives(laureate_world):
    project = fresh(laureate_world.project)
    staff = UserFactory(roles=["tiers_lieux_staff"], is_staff=True)
    Incubation.objects.filter(note__collective=project.collective).update(
        status=IncubationStatus.NOT_NEEDED)
    assert not staff.has_perm("laureates.view_project", project)
    Incubation.objects.filter(note__collective=project.collective).update(
        status=IncubationStatus.DONE)
    assert staff.has_perm("laureates.view_project", project)
    Incubation.objects.filter(note__collective=project.collective).delete()
    assert not staff.has_perm("laureates.view_project", project)


def test_anonymous_sees_nothing(laureate_world):
    from django.contrib.auth.models import AnonymousUser

    project = fresh(laureate_world.project)
    assert not AnonymousUser().has_perm("laureates.view_project", project)
    assert not AnonymousUser().has_perm("laureates.view_project_money", project)
