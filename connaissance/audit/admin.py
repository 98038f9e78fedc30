from django.contrib import admin

from connaissance.ui.admin_readonly import ReadOnlyMixin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "object_repr", "from_state", "to_state"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "actor_label", "reason"]
    date_hierarchy = "at"
    list_select_related = ["content_type"]
