"""Roles are groups with stable codes; post_migrate keeps their permissions as declared."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal

from connaissance.accounts.roles import ROLE_PERMISSIONS, Role, has_role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def perms_of(group):
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_role_groups_exist_after_migrations():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "collective_member", "region_officer", "evaluator", "tiers_lieux_staff"}
    assert {role.value for role in Role} == set(ROLE_PERMISSIONS)


def test_every_group_holds_exactly_its_declared_permissions():
    for role, declared in ROLE_PERMISSIONS.items():
        # Every declared permission exists: a typo would silently grant less.
        for perm in declared:
            app_label, codename = perm.split(".")
            assert Permission.objects.filter(content_type__app_label=app_label,
                                             codename=codename).exists(), perm
        assert perms_of(Group.objects.get(name=role.value)) == set(declared), role


def test_region_officer_permissions_are_restored_after_migrate():
    group = Group.objects.get(name=Role.REGION_OFFICER.value)
    assert "calls.change_call" in perms_of(group)
    group.permissions.set(Permission.objects.filter(codename="delete_call"))
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert perms_of(group) == set(ROLE_PERMISSIONS[Role.REGION_OFFICER])
    assert "calls.delete_call" not in perms_of(group)


def test_has_role():
    user = UserFactory(roles=["evaluator"])
    assert has_role(user, Role.EVALUATOR)
    assert not has_role(user, Role.REGION_OFFICER)
