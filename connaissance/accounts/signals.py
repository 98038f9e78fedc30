from django.contrib.auth.models import Group, Permission


def sync_role_permissions(**kwargs):
    """After every migrate: each role's group holds exactly the permissions of ROLE_PERMISSIONS."""
    from .roles import ROLE_PERMISSIONS

    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            found = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)
