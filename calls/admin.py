from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from . import services
from .calendar_checks import check_calendar
from .forms import CallAdminForm, PhaseForm
from .models import (
    Axis,
    Call,
    CallStatus,
    LowSupplyTerritory,
    Phase,
    Programme,
    RequiredDocument,
)

# Shown here, edited with the scoring grid (evaluation admin): the call form stays as it is.
EVALUATION_SETTINGS = ["evaluators_per_dossier", "show_peer_scores_after_submit",
                       "disagreement_threshold", "evaluation_due"]


class PhaseInline(admin.TabularInline):
    model = Phase
    form = PhaseForm
    extra = 0


class AxisInline(admin.TabularInline):
    model = Axis
    extra = 0


class ProgrammeInline(admin.TabularInline):
    model = Programme
    extra = 0


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0


class LowSupplyInline(admin.TabularInline):
    model = LowSupplyTerritory
    extra = 0
    autocomplete_fields = ["epci", "commune"]


class CallYearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Call.objects.dates("created_at", "year", order="DESC")
        return [(d.year, d.year) for d in years]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(created_at__year=self.value())
        return queryset


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    form = CallAdminForm
    list_display = ["title", "slug", "status", "budget_envelope", "eligibility_end",
                    "warning_count"]
    list_filter = ["status", CallYearFilter]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status", "calendar_warnings", *EVALUATION_SETTINGS]
    inlines = [PhaseInline, AxisInline, ProgrammeInline, LowSupplyInline, RequiredDocumentInline]
    actions = ["publish_calls", "archive_calls"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "reference_prefix", "status", "summary",
                           "description", "region"]}),
        (_("Calendar check"), {"fields": ["calendar_warnings"]}),
        (_("Key figures"), {"fields": [
            "budget_envelope", ("min_projects", "max_projects"), ("min_award", "max_award"),
            ("min_rate", "max_rate"), "excludes_training_costs", "bonus_points",
            "bonus_reading", "project_duration_months", "eligibility_end"]}),
        (_("Contact and uploads"), {"fields": ["contact_role", "contact_email",
                                               "upload_max_mb"]}),
        (_("Reminders and mails"), {"fields": ["reminder_days", "hold_decision_mails"]}),
        (_("Evaluation"), {"fields": EVALUATION_SETTINGS, "description": _(
            "Changed with the call's scoring grid (Evaluation › Scoring grids).")}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("phases")

    @admin.display(description=_("calendar warnings"))
    def warning_count(self, obj):
        return len(check_calendar(obj))

    @admin.display(description=_("warnings"))
    def calendar_warnings(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        found = check_calendar(obj)
        if not found:
            return _("No inconsistency found in the calendar.")
        return format_html('<ul class="calendar-warnings">{}</ul>',
                           format_html_join("", "<li>⚠ {}</li>", ((w.message,) for w in found)))

    def save_model(self, request, obj, form, change):
        changes = {name: (form.initial.get(name), form.cleaned_data.get(name))
                   for name in form.changed_data}
        super().save_model(request, obj, form, change)
        services.record_call_change(actor=request.user, call=obj, created=not change,
                                    changes=changes)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Phase:
            return super().save_formset(request, form, formset, change)
        edited = [(f, {n: (f.initial.get(n), f.cleaned_data.get(n)) for n in f.changed_data})
                  for f in formset.forms if f.instance.pk and f.has_changed()
                  and f not in formset.deleted_forms]
        deleted = [f.instance for f in formset.deleted_forms if f.instance.pk]
        saved = formset.save()
        for phase in deleted:
            services.record_phase_change(actor=request.user, phase=phase, action="deleted")
        for phase in formset.new_objects:
            services.record_phase_change(actor=request.user, phase=phase, action="created")
        for phase_form, changes in edited:
            services.record_phase_change(actor=request.user, phase=phase_form.instance,
                                         action="updated", changes=changes)
        return saved

    def response_change(self, request, obj):
        self._warn(request, obj)
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        self._warn(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def _warn(self, request, obj):
        for warning in check_calendar(obj):
            self.message_user(request, warning.message, messages.WARNING)

    @admin.action(description=_("Publish the selected calls"), permissions=["change"])
    def publish_calls(self, request, queryset):
        for call in queryset.filter(status=CallStatus.DRAFT):
            services.publish(call=call, actor=request.user)
            self.message_user(request, _("Published: %s") % call, messages.SUCCESS)

    @admin.action(description=_("Archive the selected calls"), permissions=["change"])
    def archive_calls(self, request, queryset):
        for call in queryset.filter(status=CallStatus.PUBLISHED):
            services.archive(call=call, actor=request.user)
            self.message_user(request, _("Archived: %s") % call, messages.SUCCESS)
