"""Admin pages that are consulted only: state changes go through the services, never here."""


class ReadOnlyMixin:
    """For a ModelAdmin or an inline: nothing is added, changed or deleted from the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
