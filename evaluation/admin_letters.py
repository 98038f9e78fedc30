"""Decision letters in the admin, for Region officers only: the letter templates of each call
(edited, audited, previewed as a PDF), the letters (read-only: version, status, SHA-256,
download, e-mail, error; « produce a corrected version » with a reason), and the batches of
« generate and send the letters » with their progress and failures. The button that starts a
batch sits on the ranking page and posts to `generate_view` here.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.models import Call
from calls.rules import is_officer
from connaissance.audit.services import record
from connaissance.pdf.views import pdf_response
from connaissance.ui.admin_readonly import OfficersOnlyMixin, ReadOnlyMixin

from .errors import EvaluationError
from .letter_rendering import (
    PLACEHOLDERS,
    TEMPLATE_TEXTS,
    PlaceholderError,
    check_placeholders,
    render_letter,
    sample_values,
)
from .models import DecisionLetter, LetterBatch, LetterStatus, LetterTemplate
from .services import letters as letter_services


def progress(batch):
    return _("%(done)s/%(total)s sent, %(failed)s failed") % {
        "done": batch.done, "total": batch.total, "failed": batch.failed}


# --- templates ------------------------------------------------------------------------------

class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["call", "outcome", "subject", "dateline", "body", "correction_notice",
                  "signatory_role", "signatory_name"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "cols": 100}),
                   "correction_notice": forms.Textarea(attrs={"rows": 3, "cols": 100}),
                   "signatory_role": forms.Textarea(attrs={"rows": 2, "cols": 100})}

    def clean(self):
        data = super().clean()
        for name in TEMPLATE_TEXTS:
            try:
                check_placeholders(data.get(name) or "")
            except PlaceholderError as exc:
                self.add_error(name, str(exc))
        return data


@admin.register(LetterTemplate)
class LetterTemplateAdmin(OfficersOnlyMixin, admin.ModelAdmin):
    form = LetterTemplateForm
    list_display = ["call", "outcome", "subject", "updated_at", "updated_by"]
    list_filter = ["call", "outcome"]
    readonly_fields = ["placeholders", "preview", "updated_by", "updated_at"]
    fieldsets = [
        (None, {"fields": ["call", "outcome", "preview"]}),
        (gettext_lazy("Text"), {"fields": ["subject", "dateline", "body", "correction_notice",
                                           "signatory_role", "signatory_name"]}),
        (gettext_lazy("Placeholders"), {"fields": ["placeholders"]}),
        (gettext_lazy("Changes"), {"fields": ["updated_by", "updated_at"]}),
    ]

    def has_add_permission(self, request):
        return is_officer(request.user)

    def has_change_permission(self, request, obj=None):
        return is_officer(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [path("<int:pk>/preview/", self.admin_site.admin_view(self.preview_view),
                     name="evaluation_lettertemplate_preview"), *super().get_urls()]

    @admin.display(description=gettext_lazy("placeholders"))
    def placeholders(self, obj):
        return format_html(
            "<p>{}</p><ul>{}</ul>",
            _("Write a placeholder in braces; it is replaced by the value, as plain text. "
              "Separate paragraphs with a blank line."),
            format_html_join("", "<li><code>{{{}}}</code> — {}</li>",
                             ((key, label) for key, label in PLACEHOLDERS.items())))

    @admin.display(description=gettext_lazy("preview"))
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return _("Save the template to preview it.")
        return format_html('<a class="button" href="{}" target="_blank">{}</a>',
                           reverse("admin:evaluation_lettertemplate_preview", args=[obj.pk]),
                           _("Preview as a PDF (made-up dossier)"))

    def preview_view(self, request, pk):
        if not is_officer(request.user):
            raise PermissionDenied
        template = get_object_or_404(LetterTemplate.objects.select_related("call"), pk=pk)
        content, _texts = render_letter(template, sample_values(template.call))
        return pdf_response(content, f"preview-{template.outcome}.pdf", inline=True)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        record(actor=request.user, obj=obj,
               action="letter_template.changed" if change else "letter_template.created",
               data={"fields": form.changed_data})


# --- letters ----------------------------------------------------------------------------------

class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the correction"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=gettext_lazy("Printed on the corrected letter, which replaces the sent one "
                               "(kept unchanged)."))


@admin.register(DecisionLetter)
class DecisionLetterAdmin(OfficersOnlyMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["reference", "collective", "outcome", "version", "status", "sent_at",
                    "download", "mail_status", "short_sha", "error"]
    list_filter = ["status", "outcome", "decision__dossier__note__collective__call"]
    list_select_related = ["decision__dossier__note__collective", "mail", "file"]
    search_fields = ["decision__dossier__reference", "decision__dossier__note__collective__name"]
    fields = ["reference", "collective", "outcome", "version", "status", "reason", "replaces",
              "subject", "dated", "download", "sha256", "mail_status", "sent_at", "error",
              "batch", "created_by", "created_at"]
    readonly_fields = fields
    actions = ["correct"]

    def get_urls(self):
        return [path("generate/<int:call_id>/", self.admin_site.admin_view(self.generate_view),
                     name="evaluation_decisionletter_generate"), *super().get_urls()]

    @admin.display(description=gettext_lazy("reference"), ordering="decision__dossier__reference")
    def reference(self, letter):
        return letter.reference

    @admin.display(description=gettext_lazy("collective"))
    def collective(self, letter):
        return letter.decision.dossier.note.collective.name

    @admin.display(description=gettext_lazy("PDF"))
    def download(self, letter):
        if not letter.file_id:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("files:download",
                                                          args=[letter.file_id]), _("download"))

    @admin.display(description=gettext_lazy("e-mail"))
    def mail_status(self, letter):
        if letter.mail is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:mail_outgoingmail_change",
                                                          args=[letter.mail_id]),
                           letter.mail.get_status_display())

    @admin.display(description="SHA-256")
    def short_sha(self, letter):
        return format_html('<code title="{}">{}…</code>', letter.sha256, letter.sha256[:12]) \
            if letter.sha256 else "—"

    @admin.action(description=gettext_lazy("Produce a corrected version…"))
    def correct(self, request, queryset):
        if not is_officer(request.user):
            raise PermissionDenied
        letters = list(queryset.select_related("decision__dossier"))
        form = CorrectionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            for letter in letters:
                try:
                    new = letter_services.correct_letter(
                        officer=request.user, decision=letter.decision,
                        reason=form.cleaned_data["reason"])
                except EvaluationError as exc:
                    self.message_user(request, f"{letter.reference}: {exc}", messages.ERROR)
                else:
                    self.message_user(request, _("%(reference)s queued: it replaces %(old)s.")
                                      % {"reference": new.reference, "old": letter.reference},
                                      messages.SUCCESS)
            return None
        return TemplateResponse(request, "admin/evaluation/decisionletter/correct.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta,
            "title": _("Produce a corrected version"), "letters": letters, "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME})

    def generate_view(self, request, call_id):
        """« Generate and send the letters » of a call (the button of the ranking page)."""
        if not is_officer(request.user):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        call = get_object_or_404(Call, pk=call_id)
        try:
            result = letter_services.queue_letters(officer=request.user, call=call)
        except EvaluationError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:evaluation_ranking_call", args=[call.pk]))
        started = result["queued"] + result["retried"]
        self.message_user(request, _(
            "%(started)s letters are being generated and sent in the background (%(retried)s "
            "of them failed before); %(skipped)s already sent, %(resumed)s still in "
            "production.") % {"started": started, **result},
            messages.SUCCESS if started else messages.INFO)
        if result["batch"] is not None:
            return HttpResponseRedirect(reverse("admin:evaluation_letterbatch_change",
                                                args=[result["batch"].pk]))
        return HttpResponseRedirect(reverse("admin:evaluation_ranking_call", args=[call.pk]))


# --- batches ----------------------------------------------------------------------------------

class BatchLetterInline(ReadOnlyMixin, admin.TabularInline):
    model = DecisionLetter
    fields = readonly_fields = ["reference", "status", "version", "sent_at", "error"]
    extra = 0
    can_delete = False
    verbose_name_plural = gettext_lazy("letters of this batch")

    def has_view_permission(self, request, obj=None):
        return is_officer(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("decision__dossier").order_by(
            "decision__dossier__reference")

    @admin.display(description=gettext_lazy("reference"))
    def reference(self, letter):
        return letter.reference


@admin.register(LetterBatch)
class LetterBatchAdmin(OfficersOnlyMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["call", "requested_at", "requested_by", "progress", "failures",
                    "finished_at"]
    list_filter = ["call"]
    list_select_related = ["call", "requested_by"]
    fields = readonly_fields = ["call", "requested_by", "requested_at", "progress",
                                "failures", "finished_at"]
    inlines = [BatchLetterInline]

    @admin.display(description=gettext_lazy("progress"))
    def progress(self, batch):
        return progress(batch)

    @admin.display(description=gettext_lazy("failures"))
    def failures(self, batch):
        failed = batch.letters.filter(status=LetterStatus.FAILED).select_related(
            "decision__dossier")
        return format_html_join("", "<div>{}: {}</div>",
                                ((letter.reference, letter.error) for letter in failed)) or "—"
