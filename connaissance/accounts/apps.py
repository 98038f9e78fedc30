from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "connaissance.accounts"
    label = "accounts"

    def ready(self):
        from .signals import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="accounts-role-permissions")
