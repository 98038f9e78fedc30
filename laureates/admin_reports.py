"""The officers' admin of the follow-up reports: who has filed what (and who is late, e.g. with
the September launch follow-up), a report as the collective wrote it, its due date moved
through `services.reschedule_report`, and the pages that accept a filed report or send it back
to the collective with a message (`services.accept_report`, `services.return_report`). Only
Region officers see these pages; every rule stays in the services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from connaissance.accounts.roles import is_officer
from connaissance.formatting import deadline_text, long_datetime, money
from connaissance.ui.admin_readonly import OfficersOnlyMixin

from . import services
from .errors import LaureateError
from .models import Report, ReportKind, ReportStatus
from .services.common import paris_today
from .services.reports import FIELDS, is_late
from .transparency import lead_field

# The model's fields shown as they are on the change page; `expenses_to_date` is shown by a
# method in euros ("expenses").
SHOWN = {"expenses_to_date": "expenses"}
WRITTEN = sorted({SHOWN.get(name, name) for asks in FIELDS.values() for name in asks.fields})
FOLLOW_UP = ["collective", "lead", "call", "project_link", "report", "status", "late",
             "filed_by", "filed_at"]
REVIEW = ["officer_message", "reviewed"]


class FilingFilter(admin.SimpleListFilter):
    title = _("filing")
    parameter_name = "filing"

    def lookups(self, request, model_admin):
        return [("not_filed", _("not filed")), ("late", _("late"))]

    def queryset(self, request, queryset):
        if self.value() == "not_filed":
            return queryset.filter(status=ReportStatus.DRAFT)
        if self.value() == "late":
            return queryset.filter(status=ReportStatus.DRAFT, due_on__lt=paris_today())
        return queryset


class ReviewForm(forms.Form):
    message = forms.CharField(label=_("Message to the collective"), required=False,
                              widget=forms.Textarea(attrs={"rows": 6, "cols": 80}))


@admin.register(Report)
class ReportAdmin(OfficersOnlyMixin, admin.ModelAdmin):
    list_display = ["collective", "lead", "call", "report", "due_on", "status", "late",
                    "filed_at"]
    list_display_links = ["report"]
    list_filter = [FilingFilter, "kind", "status", "project__collective__call"]
    search_fields = ["project__collective__name", "project__title"]
    change_form_template = "admin/laureates/report/change_form.html"

    def get_queryset(self, request):
        return (super().get_queryset(request)
                .select_related("project__collective__call", "submitted_by")
                .annotate(lead_name=lead_field("project__collective", "legal_name")))

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["due_on"]})]
        written = [SHOWN.get(name, name) for name in FIELDS[obj.kind].fields]
        return [
            (_("Follow-up"), {"fields": FOLLOW_UP[:5] + ["due_on"] + FOLLOW_UP[5:]}),
            (_("What the collective wrote"), {"fields": written}),
            (_("Review by the Region"), {"fields": REVIEW}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return [*FOLLOW_UP, *WRITTEN, *REVIEW]

    def has_add_permission(self, request):
        return False  # planned when the project is opened

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return is_officer(request.user)

    class Media:
        css = {"all": ["laureates/admin.css"]}

    # --- columns and read-only fields ----------------------------------------------------------

    @admin.display(description=_("collective"), ordering="project__collective__name")
    def collective(self, report):
        return report.project.collective.name

    @admin.display(description=_("lead"), ordering="lead_name")
    def lead(self, report):
        return report.lead_name or "—"

    @admin.display(description=_("call"))
    def call(self, report):
        return report.project.collective.call.title

    @admin.display(description=_("project"))
    def project_link(self, report):
        return format_html('<a href="{}">{}</a>', reverse("admin:laureates_project_change",
                                                          args=[report.project_id]),
                           report.project.title)

    @admin.display(description=_("report"), ordering="kind")
    def report(self, report):
        return str(report)

    @admin.display(description=_("late"), boolean=True)
    def late(self, report):
        return is_late(report)

    @admin.display(description=_("filed"), ordering="submitted_at")
    def filed_at(self, report):
        return long_datetime(report.submitted_at) if report.submitted_at else "—"

    @admin.display(description=_("filed by"))
    def filed_by(self, report):
        user = report.submitted_by
        if user is None:
            return "—"
        return f"{user.get_full_name()} <{user.email}>" if user.get_full_name() else user.email

    @admin.display(description=_("expenses to date"))
    def expenses(self, report):
        return money(report.expenses_to_date) if report.expenses_to_date is not None else "—"

    @admin.display(description=_("reviewed"))
    def reviewed(self, report):
        return long_datetime(report.reviewed_at) if report.reviewed_at else "—"

    # --- saving through the services -----------------------------------------------------------

    def save_model(self, request, obj, form, change):
        services.reschedule_report(officer=request.user, report=obj,
                                   due_on=form.cleaned_data.get("due_on"))

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        context["can_review"] = obj is not None and obj.status == ReportStatus.SUBMITTED
        return super().render_change_form(request, context, add=add, change=change,
                                          form_url=form_url, obj=obj)

    # --- accepting and sending back ------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("<int:pk>/accepter/", view(self.accept_view),
                     name="laureates_report_accept"),
                path("<int:pk>/renvoyer/", view(self.return_view),
                     name="laureates_report_return"),
                *super().get_urls()]

    def accept_view(self, request, pk):
        return self._review(request, pk, accept=True)

    def return_view(self, request, pk):
        return self._review(request, pk, accept=False)

    def _review(self, request, pk, *, accept):
        if not is_officer(request.user):
            raise PermissionDenied
        report = get_object_or_404(self.get_queryset(request), pk=pk)
        back = reverse("admin:laureates_report_change", args=[report.pk])
        if report.status != ReportStatus.SUBMITTED:
            messages.error(request, gettext("Only a filed report can be accepted or sent back."))
            return HttpResponseRedirect(back)
        form = ReviewForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            message = form.cleaned_data["message"]
            try:
                if accept:
                    services.accept_report(officer=request.user, report=report, message=message)
                else:
                    services.return_report(officer=request.user, report=report, message=message)
            except LaureateError as error:
                form.add_error("message" if not accept else None, str(error))
            else:
                done = (gettext("The report “%(report)s” of %(collective)s is accepted.")
                        if accept else
                        gettext("The report “%(report)s” went back to %(collective)s with "
                                "your message."))
                messages.success(request, done % {"report": report,
                                                  "collective": report.project.collective.name})
                return HttpResponseRedirect(back)
        if not accept:
            form.fields["message"].required = True  # shown as such; the service decides
            form.fields["message"].help_text = _("What the collective must change or add.")
        return TemplateResponse(request, "admin/laureates/report/review.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta,
            "title": _("Accept the report") if accept else _("Send the report back"),
            "report": report, "original": report, "form": form, "accept": accept,
            "closes_project": accept and report.kind == ReportKind.FINAL,
            "due": deadline_text(report.due_on) if report.due_on else "",
            "filed": long_datetime(report.submitted_at) if report.submitted_at else ""})
