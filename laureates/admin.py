"""The officers' follow-up of the laureates' projects: the list, and a project's page with its
payment schedule (checked against the award by the service), the signed agreement and the
milestones. Every change goes through `services`; only Region officers see these pages."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from calls.models import Call
from calls.rules import is_officer
from connaissance.formatting import long_date, money, percent
from connaissance.ui.admin_readonly import OfficersOnlyMixin
from evaluation.models import Decision, DecisionOutcome

from . import admin_launch, admin_reports, services  # noqa: F401 - the admins register themselves
from .admin_followed import FLAGS, FollowedProjectAdmin  # noqa: F401 - registers it
from .errors import LaureateError
from .models import Milestone, Payment, Project
from .services.projects import check_signature
from .transparency import lead_field


class OfficersOnly(OfficersOnlyMixin):
    def has_change_permission(self, request, obj=None):
        return is_officer(request.user)


def _sum(paid_only=False):
    payments = Payment.objects.filter(project=OuterRef("pk"))
    if paid_only:
        payments = payments.filter(paid_on__isnull=False)
    total = payments.order_by().values("project").annotate(total=Sum("amount")).values("total")
    return Coalesce(Subquery(total, output_field=DecimalField(max_digits=12, decimal_places=2)),
                    Value(0), output_field=DecimalField(max_digits=12, decimal_places=2))


# --- payments ------------------------------------------------------------------------------

class PaymentFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """The schedule as it would be saved totals no more than the award."""
        super().clean()
        if any(self.errors) or self.instance.pk is None:
            return
        amounts = [form.cleaned_data["amount"] for form in self.forms
                   if form.cleaned_data and not form.cleaned_data.get("DELETE")
                   and form.cleaned_data.get("amount") is not None]
        try:
            services.check_total(awarded=self.instance.awarded_amount, amounts=amounts)
        except LaureateError as error:
            raise ValidationError(str(error)) from None


class PaymentInline(OfficersOnly, admin.TabularInline):
    model = Payment
    formset = PaymentFormSet
    fields = ["kind", "amount", "planned_on", "paid_on"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return is_officer(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_officer(request.user)


class MilestoneInline(OfficersOnly, admin.TabularInline):
    model = Milestone
    fields = ["label", "due_on", "status", "done_on"]
    readonly_fields = ["label", "due_on"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False  # the milestones are those of the action plan as filed

    def has_delete_permission(self, request, obj=None):
        return False


# --- the project -----------------------------------------------------------------------------

class ProjectForm(forms.ModelForm):
    signed_convention = forms.FileField(
        label=_("signed agreement"), required=False,
        help_text=_("The agreement signed by the collective's lead and by the Region (the "
                    "Region signs last). Recording it starts the project."))
    signed_on = forms.DateField(label=_("date of signature"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}),
                                help_text=_("The date of the last signature."))

    class Meta:
        model = Project
        fields = ["decision_reference"]

    def clean(self):
        data = super().clean()
        uploaded, signed_on = data.get("signed_convention"), data.get("signed_on")
        if uploaded is None and signed_on is None:
            return data
        try:
            check_signature(project=self.instance, signed_on=signed_on, uploaded=uploaded)
        except LaureateError as error:
            raise ValidationError(str(error)) from None
        return data


@admin.register(Project)
class ProjectAdmin(OfficersOnly, admin.ModelAdmin):
    form = ProjectForm
    list_display = ["collective_name", "lead", "call", "award", "status", "convention_status",
                    "scheduled", "paid", "end_date", "flag"]
    list_filter = ["status", "convention_status", "collective__call"]
    search_fields = ["collective__name", "title"]
    list_select_related = ["collective__call"]
    readonly_fields = ["collective", "call", "title", "award", "rate", "status",
                       "convention_status", "convention", "start_date", "end_date", "flag",
                       "project_page"]
    inlines = [PaymentInline, MilestoneInline]
    change_list_template = "admin/laureates/project/change_list.html"

    def get_fieldsets(self, request, obj=None):
        agreement = ["convention_status", "convention", "decision_reference"]
        if obj is not None and not obj.is_signed:
            agreement += ["signed_convention", "signed_on"]
        return [
            (_("Project"), {"fields": ["collective", "call", "title", "status", "start_date",
                                       "end_date", "flag", "project_page"]}),
            (_("Award"), {"fields": ["award", "rate"]}),
            (_("Agreement"), {"fields": agreement}),
        ]

    def get_queryset(self, request):
        return (super().get_queryset(request)
                .select_related("collective__call", "convention_file")
                .annotate(lead_name=lead_field("collective", "legal_name"),
                          scheduled_total=_sum(), paid_total=_sum(paid_only=True)))

    def has_add_permission(self, request):
        return False  # opened from the announced decisions (« Open the projects »)

    def has_delete_permission(self, request, obj=None):
        return False

    # --- columns -------------------------------------------------------------------------------

    @admin.display(description=_("collective"), ordering="collective__name")
    def collective_name(self, project):
        return project.collective.name

    @admin.display(description=_("lead"), ordering="lead_name")
    def lead(self, project):
        return project.lead_name or "—"

    @admin.display(description=_("call"))
    def call(self, project):
        return project.collective.call.title

    @admin.display(description=_("awarded amount"), ordering="awarded_amount")
    def award(self, project):
        return money(project.awarded_amount)

    @admin.display(description=_("awarded rate"))
    def rate(self, project):
        return percent(project.awarded_rate)

    @admin.display(description=_("scheduled"))
    def scheduled(self, project):
        return money(project.scheduled_total)

    @admin.display(description=_("paid"))
    def paid(self, project):
        return money(project.paid_total)

    @admin.display(description=_("end date"))
    def flag(self, project):
        flag = services.eligibility_flag(project)
        return FLAGS[flag] if flag else "—"

    @admin.display(description=_("signed agreement"))
    def convention(self, project):
        if not project.convention_file_id:
            return "—"
        return format_html('<a href="{}">{}</a> — {}',
                           reverse("files:download", args=[project.convention_file_id]),
                           project.convention_file.original_name,
                           gettext("signed on %(date)s") % {
                               "date": long_date(project.convention_signed_on)})

    @admin.display(description=_("page of the collective"))
    def project_page(self, project):
        url = project.get_absolute_url()
        return format_html('<a href="{}">{}</a>', url, url)

    # --- saving through the services ---------------------------------------------------------

    def save_model(self, request, obj, form, change):
        Project.objects.filter(pk=obj.pk).update(
            decision_reference=form.cleaned_data.get("decision_reference", ""))
        uploaded = form.cleaned_data.get("signed_convention")
        if uploaded is not None:
            services.record_signed_convention(officer=request.user, project=obj,
                                              uploaded=uploaded,
                                              signed_on=form.cleaned_data.get("signed_on"))

    def save_formset(self, request, form, formset, change):
        # What the admin's history message reads (the services save, not the formset).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is Payment:
            self._save_payments(request, form.instance, formset)
        elif formset.model is Milestone:
            for f in formset.forms:
                if f.instance.pk and f.has_changed():
                    services.set_milestone_status(officer=request.user, milestone=f.instance,
                                                  status=f.cleaned_data["status"],
                                                  done_on=f.cleaned_data.get("done_on"))
                    formset.changed_objects.append((f.instance, f.changed_data))

    def _save_payments(self, request, project, formset):
        fields = ("kind", "amount", "planned_on", "paid_on")
        kept = [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
                and (f.instance.pk is None or f.has_changed())]
        removed = [f.instance for f in formset.forms
                   if f.cleaned_data.get("DELETE") and f.instance.pk]
        if not kept and not removed:
            return
        lines = [{"pk": f.instance.pk, **{name: f.cleaned_data.get(name) for name in fields}}
                 for f in kept]
        saved = services.apply_payment_changes(officer=request.user, project=project,
                                               lines=lines, deleted=[p.pk for p in removed])
        for f, payment in zip(kept, saved, strict=True):
            if f.instance.pk is None or f.instance._state.adding:
                formset.new_objects.append(payment)
            else:
                formset.changed_objects.append((payment, f.changed_data))
        formset.deleted_objects.extend(removed)

    # --- opening the projects of a call ------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("ouvrir/", view(self.open_view), name="laureates_project_open"),
                *super().get_urls()]

    def open_view(self, request):
        if not is_officer(request.user):
            raise PermissionDenied
        if request.method == "POST":
            call = get_object_or_404(Call, pk=request.POST.get("call"))
            opened = services.open_projects(officer=request.user, call=call)
            messages.success(request, gettext("%(count)s project(s) opened for %(call)s.")
                             % {"count": len(opened), "call": call.title})
            return HttpResponseRedirect(reverse("admin:laureates_project_changelist"))
        waiting = dict(
            Decision.objects.filter(outcome=DecisionOutcome.SELECTED,
                                    announced_at__isnull=False, project__isnull=True)
            .values_list("dossier__note__collective__call").annotate(n=Count("pk"))
            .order_by())
        calls = [{"call": call, "waiting": waiting[call.pk]}
                 for call in Call.objects.filter(pk__in=waiting).order_by("-pk")]
        return TemplateResponse(request, "admin/laureates/project/open.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta,
            "title": _("Open the projects of the laureates"), "calls": calls})

