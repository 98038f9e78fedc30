"""Admin mixins: pages that are consulted only (state changes go through the services, never
here), and pages that only Region officers reach."""

from connaissance.accounts.roles import is_officer


class ReadOnlyMixin:
    """For a ModelAdmin or an inline: nothing is added, changed or deleted from the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OfficersOnlyMixin:
    """For a ModelAdmin: only Region officers see the section and its pages."""

    def has_module_permission(self, request):
        return is_officer(request.user)

    def has_view_permission(self, request, obj=None):
        return is_officer(request.user)
