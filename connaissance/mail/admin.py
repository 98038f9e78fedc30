"""The outbox in the admin, for Region officers only: every e-mail the portal wrote (read only,
both bodies and the attachments), « approve and send » for mails held for approval and
« send again » for failed or sent ones, each after a confirmation page. Changes go through
the services (audited), never through a form."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from connaissance.files.models import StoredFile
from connaissance.ui.admin_readonly import OfficersOnlyMixin, ReadOnlyMixin

from . import services
from .models import OutgoingMail
from .rules import is_officer

Status = OutgoingMail.Status
# The HTML body is shown on a page of its own, where nothing in it can run or fetch anything.
PREVIEW_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@admin.register(OutgoingMail)
class OutgoingMailAdmin(OfficersOnlyMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "subject", "recipients", "cause", "status", "attempts",
                    "sent_at"]
    list_filter = ["status", "cause"]
    search_fields = ["subject", "to"]
    search_help_text = gettext_lazy("Search by recipient or subject.")
    date_hierarchy = "created_at"
    actions = ["approve", "resend"]
    fieldsets = [
        (None, {"fields": ["status", "cause", "recipients", "subject", "created_at", "sent_at",
                           "attempts", "last_error"]}),
        (gettext_lazy("Approval and copies"), {"fields": ["approved_by", "approved_at",
                                                          "resend_of", "dedup_key"]}),
        (gettext_lazy("Message"), {"fields": ["text_body", "html_body", "attachments"]}),
    ]
    readonly_fields = ["status", "cause", "recipients", "subject", "created_at", "sent_at",
                       "attempts", "last_error", "approved_by", "approved_at", "resend_of",
                       "dedup_key", "text_body", "html_body", "attachments"]

    # --- only officers (mixins); nothing is added, changed or deleted here -----------------

    def has_approve_permission(self, request):
        return is_officer(request.user)

    def has_resend_permission(self, request):
        return is_officer(request.user)

    # --- columns and fields -----------------------------------------------------------------

    @admin.display(description=gettext_lazy("recipients"))
    def recipients(self, obj):
        return ", ".join(obj.to)

    @admin.display(description=gettext_lazy("text body"))
    def text_body(self, obj):
        return format_html('<div class="mail-text-body">{}</div>', linebreaksbr(obj.body_text))

    @admin.display(description=gettext_lazy("HTML body"))
    def html_body(self, obj):
        if not obj.body_html:
            return _("none: the text body only")
        return format_html(
            '<p><a href="{}" target="_blank" rel="noopener">{}</a></p>'
            "<details><summary>{}</summary><pre>{}</pre></details>",
            reverse("admin:mail_outgoingmail_html", args=[obj.pk]),
            _("View the HTML version"), _("HTML source"), obj.body_html)

    @admin.display(description=gettext_lazy("attachments"))
    def attachments(self, obj):
        if not obj.attachment_ids:
            return _("none")
        found = {str(pk): stored
                 for pk, stored in StoredFile.objects.in_bulk(obj.attachment_ids).items()}
        rows = []
        for file_id in obj.attachment_ids:
            stored = found.get(file_id)
            if stored is None:
                rows.append((_("missing file %(id)s") % {"id": file_id},))
                continue
            rows.append((format_html(
                '<a href="{}">{}</a> ({}, {}, SHA-256 {}…)',
                reverse("files:download", args=[stored.pk]), stored.original_name,
                stored.content_type, filesizeformat(stored.size), stored.sha256[:16]),))
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", rows))

    # --- the HTML body, alone and inert -----------------------------------------------------

    def get_urls(self):
        return [path("<int:pk>/html/", self.admin_site.admin_view(self.html_view),
                     name="mail_outgoingmail_html"), *super().get_urls()]

    def html_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        mail = get_object_or_404(OutgoingMail, pk=pk)
        response = HttpResponse(mail.body_html or "", content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = PREVIEW_POLICY
        response["Cache-Control"] = "private, no-store"
        return response

    # --- actions, each confirmed first ------------------------------------------------------

    @admin.action(description=gettext_lazy("Approve and send"), permissions=["approve"])
    def approve(self, request, queryset):
        mails = list(queryset.order_by("pk"))
        if request.POST.get("confirm") != "yes":
            return self._confirm(
                request, mails, action="approve", title=_("Approve and send these e-mails?"),
                concerned=[m for m in mails if m.status == Status.HELD],
                explanation=_("The e-mails awaiting approval among those selected will be "
                              "queued and sent at once. The others are left as they are."),
                button=_("Yes, approve and send"))
        approved = services.approve_mails(officer=request.user, mail_ids=[m.pk for m in mails])
        self._report(request, len(approved), len(mails),
                     ngettext("%(count)d e-mail approved: it is being sent.",
                              "%(count)d e-mails approved: they are being sent.", len(approved)))

    @admin.action(description=gettext_lazy("Send again"), permissions=["resend"])
    def resend(self, request, queryset):
        mails = list(queryset.order_by("pk"))
        if request.POST.get("confirm") != "yes":
            return self._confirm(
                request, mails, action="resend", title=_("Send these e-mails again?"),
                concerned=[m for m in mails if m.status in (Status.FAILED, Status.SENT)],
                explanation=_("A failed e-mail goes back to the queue, its attempts counted "
                              "from zero. A sent e-mail is sent again as a new copy, which "
                              "says which e-mail it repeats. E-mails queued or awaiting "
                              "approval are left as they are."),
                button=_("Yes, send again"))
        result = services.resend_mails(officer=request.user, mail_ids=[m.pk for m in mails])
        done = len(result["requeued"]) + len(result["copies"])
        self._report(request, done, len(mails),
                     ngettext("%(count)d e-mail queued to be sent again.",
                              "%(count)d e-mails queued to be sent again.", done))

    def _confirm(self, request, mails, *, action, title, concerned, explanation, button):
        return TemplateResponse(request, "admin/mail/outgoingmail/confirm_action.html", {
            **self.admin_site.each_context(request),
            "title": title, "opts": self.model._meta, "mails": mails,
            "concerned": {m.pk for m in concerned}, "explanation": explanation,
            "action": action, "button": button,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        })

    def _report(self, request, done, selected, text):
        self.message_user(request, text % {"count": done},
                          messages.SUCCESS if done else messages.WARNING)
        if done < selected:
            left = selected - done
            self.message_user(request, ngettext(
                "%(count)d selected e-mail was left as it was.",
                "%(count)d selected e-mails were left as they were.", left) % {"count": left},
                messages.INFO)
