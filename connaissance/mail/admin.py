from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import OutgoingMail
from .services import _enqueue


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subject", "recipients", "cause", "status", "attempts", "sent_at"]
    list_filter = ["status", "cause"]
    search_fields = ["subject", "to", "cause"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutgoingMail._meta.fields]
    actions = ["resend"]

    @admin.display(description=_("recipients"))
    def recipients(self, obj):
        return ", ".join(obj.to)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send again"), permissions=["change"])
    def resend(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        OutgoingMail.objects.filter(pk__in=ids).update(status=OutgoingMail.Status.QUEUED)
        for pk in ids:
            _enqueue(pk)
        self.message_user(
            request,
            ngettext("%d e-mail queued again.", "%d e-mails queued again.", len(ids)) % len(ids),
            messages.SUCCESS,
        )
