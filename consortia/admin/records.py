"""Read-only records: invitations, requests to join, directory messages."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import (
    DirectoryMessage,
    Invitation,
    JoinRequest,
)
from .common import ReadOnlyAdmin


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "purpose", "target", "declared_name", "declared_kind", "status",
                    "send_count", "sent_at", "expires_at"]
    list_filter = ["purpose", "status"]
    search_fields = ["email", "declared_name", "collective__name", "organisation__legal_name"]
    list_select_related = ["collective", "organisation"]
    fields = ["purpose", "email", "organisation", "collective", "declared_name",
              "declared_kind", "message", "status", "invited_by", "created_at", "sent_at",
              "send_count", "expires_at", "answered_by", "answered_at"]

    @admin.display(description=_("organisation or collective"))
    def target(self, invitation):
        return invitation.collective or invitation.organisation


@admin.register(JoinRequest)
class JoinRequestAdmin(ReadOnlyAdmin):
    list_display = ["user", "organisation", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["organisation__legal_name", "user__email"]
    list_select_related = ["user", "organisation", "decided_by"]


@admin.register(DirectoryMessage)
class DirectoryMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "sender_organisation", "recipient", "subject"]
    search_fields = ["subject", "sender_organisation__legal_name", "recipient__legal_name"]
    list_select_related = ["sender_organisation", "recipient"]
    date_hierarchy = "created_at"
