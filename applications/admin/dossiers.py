"""Full dossiers for the Region officers: the list with the budget figures, the dossier read
section by section, its PDF and the ZIP of its files, admissibility, correction requests and
the CSV / XLSX exports.

Nothing is edited here: a dossier changes state only through the services (which go through
the dossier's transition table); every refusal comes back as an admin message.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Exists, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, NullIf
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from calls.calendar import end_of_day
from calls.models import LowSupplyTerritory
from calls.rules import is_officer
from connaissance.formatting import long_datetime, money, percent
from connaissance.pdf.views import pdf_response
from connaissance.ui.admin_readonly import ReadOnlyMixin
from connaissance.workflow import TransitionNotAllowed

from ..dossier_documents import (
    attachments_zip,
    dossier_pdf,
    file_stem,
    reading,
    row_figures,
    row_low_supply,
    row_rate,
    row_title,
)
from ..dossier_workflow import DOSSIER_LIFECYCLE
from ..models import (
    Dossier,
    DossierSection,
    DossierStatus,
    ExpenseLine,
    OpportunityNote,
    ResourceLine,
    SectionCode,
)
from ..services import dossiers as dossier_services
from ..services.errors import ApplicationError
from .common import DepartementFilter, EpciFilter, NoteCommune, NoteEpci, lead_name
from .dossier_export import dossiers_csv, dossiers_xlsx
from .notes import download_link

TEMPLATES = "admin/applications/dossier/"


# --- list annotations and filters ----------------------------------------------------------

def project_title():
    """The title typed in the project section, else the note's title (one subquery)."""
    project = DossierSection.objects.filter(dossier=OuterRef("pk"), code=SectionCode.PROJECT)
    typed = project.annotate(title=KeyTextTransform("title", "data")).values("title")[:1]
    return Coalesce(NullIf(Subquery(typed), Value("")), F("note__title"),
                    output_field=CharField())


def low_supply_now():
    """The note's territory is flagged (now) as low-training-supply for the dossier's call."""
    epcis = NoteEpci.objects.filter(opportunitynote=OuterRef(OuterRef("note_id")))
    communes = NoteCommune.objects.filter(opportunitynote=OuterRef(OuterRef("note_id")))
    return Exists(LowSupplyTerritory.objects.filter(call=OuterRef("note__collective__call"))
                  .filter(Q(epci__in=epcis.values("epci"))
                          | Q(commune__in=communes.values("commune"))
                          | Q(epci__in=communes.values("commune__epci"))))


class ThroughNote:
    """A note filter applied to dossiers: the dossiers of the notes it keeps."""

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        notes = super().queryset(request, OpportunityNote.objects.all())
        return queryset.filter(note__in=notes.values("pk"))


class DossierEpciFilter(ThroughNote, EpciFilter):
    pass


class DossierDepartementFilter(ThroughNote, DepartementFilter):
    pass


class CorrectionForm(forms.Form):
    sections = forms.MultipleChoiceField(
        label=gettext_lazy("Sections to correct"), choices=SectionCode.choices,
        widget=forms.CheckboxSelectMultiple)
    message = forms.CharField(
        label=gettext_lazy("What to correct (sent to the collective)"),
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}))
    due = forms.DateField(
        label=gettext_lazy("Due date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("The collective may answer until the end of that day, "
                               "23:59 Paris time."))


@admin.register(Dossier)
class DossierAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["reference", "project", "collective", "lead", "status", "filed_on",
                    "total_expenses", "eligible_base", "rate", "subsidy", "low_supply"]
    list_display_links = ["reference", "project"]
    list_select_related = ["note__collective__call"]
    list_filter = ["status", "note__collective__call", DossierEpciFilter,
                   DossierDepartementFilter,
                   ("submitted_at", admin.DateFieldListFilter)]
    date_hierarchy = "submitted_at"
    search_fields = ["reference", "project_title", "note__title", "note__collective__name"]
    actions = ["declare_admissible", "declare_inadmissible", "request_correction",
               "export_csv", "export_xlsx"]
    fieldsets = [(None, {"fields": ["reference", "status", "status_reason", "collective",
                                    "lead", "call", "filed_on", "submitted_by",
                                    "receipt_link"]})]
    readonly_fields = fieldsets[0][1]["fields"]

    def get_queryset(self, request):
        unfiled = {"dossier__snapshot__isnull": True}
        return (super().get_queryset(request)
                .select_related("note__collective__call", "submitted_by")
                .annotate(project_title=project_title(),
                          lead_name=lead_name("note__collective"),
                          low_supply_now=low_supply_now())
                .prefetch_related(
                    Prefetch("expenses", queryset=ExpenseLine.objects.filter(**unfiled)),
                    Prefetch("resources", queryset=ResourceLine.objects.filter(**unfiled))))

    def has_view_permission(self, request, obj=None):
        return is_officer(request.user)

    def has_decide_permission(self, request):
        return is_officer(request.user)

    # --- columns and header fields -----------------------------------------------------------

    @admin.display(description=gettext_lazy("project title"), ordering="project_title")
    def project(self, dossier):
        return row_title(dossier) or "—"

    @admin.display(description=gettext_lazy("collective"), ordering="note__collective__name")
    def collective(self, dossier):
        return dossier.note.collective.name

    @admin.display(description=gettext_lazy("lead"), ordering="lead_name")
    def lead(self, dossier):
        return dossier.lead_name or "—"

    @admin.display(description=gettext_lazy("call"))
    def call(self, dossier):
        return dossier.note.collective.call

    @admin.display(description=pgettext_lazy("dossier", "filed on"), ordering="submitted_at")
    def filed_on(self, dossier):
        return long_datetime(dossier.submitted_at) if dossier.submitted_at else "—"

    @admin.display(description=gettext_lazy("total expenses"))
    def total_expenses(self, dossier):
        return money(row_figures(dossier).total_expenses)

    @admin.display(description=gettext_lazy("eligible base"))
    def eligible_base(self, dossier):
        return money(row_figures(dossier).eligible_base)

    @admin.display(description=gettext_lazy("requested rate"), ordering="requested_rate")
    def rate(self, dossier):
        return percent(row_rate(dossier)) or "—"

    @admin.display(description=gettext_lazy("requested subsidy"))
    def subsidy(self, dossier):
        return money(row_figures(dossier).requested_subsidy)

    @admin.display(description=gettext_lazy("low training supply"), boolean=True)
    def low_supply(self, dossier):
        return row_low_supply(dossier)

    @admin.display(description=gettext_lazy("receipt"))
    def receipt_link(self, dossier):
        return download_link(dossier.receipt_id)

    # --- the dossier page, its PDF and its files ---------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        if obj is not None:
            context.update(reading=reading(obj), decisions=self._decisions(request, obj),
                           action_checkbox_name=helpers.ACTION_CHECKBOX_NAME)
        return super().render_change_form(request, context, add=add, change=change,
                                          form_url=form_url, obj=obj)

    def _decisions(self, request, dossier):
        """(action, label) of the decision buttons the dossier's status allows now."""
        if not self.has_decide_permission(request):
            return []
        possible = [("declare_admissible", DossierStatus.ADMISSIBLE, _("Admissible…")),
                    ("declare_inadmissible", DossierStatus.INADMISSIBLE, _("Inadmissible…")),
                    ("request_correction", DossierStatus.CORRECTION,
                     _("Request a correction…"))]
        return [(action, label) for action, target, label in possible
                if DOSSIER_LIFECYCLE.can(dossier.status, target)]

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/pdf/", view(self.pdf_view), name=f"{prefix}_pdf"),
            path("<path:object_id>/files/", view(self.zip_view), name=f"{prefix}_zip"),
            *super().get_urls(),
        ]

    def _viewable(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        dossier = self.get_object(request, unquote(object_id))
        if dossier is None:
            raise Http404
        return dossier

    def pdf_view(self, request, object_id):
        dossier = self._viewable(request, object_id)
        return pdf_response(dossier_pdf(dossier), f"{file_stem(dossier)}.pdf")

    def zip_view(self, request, object_id):
        dossier = self._viewable(request, object_id)
        response = FileResponse(attachments_zip(dossier), as_attachment=True,
                                filename=f"{file_stem(dossier)}-files.zip",
                                content_type="application/zip")
        response["Cache-Control"] = "private, no-store"
        return response

    # --- admissibility -----------------------------------------------------------------------

    @admin.action(description=gettext_lazy("Declare the selected dossiers admissible"),
                  permissions=["decide"])
    def declare_admissible(self, request, queryset):
        return self._admissibility(request, queryset, admissible=True)

    @admin.action(description=gettext_lazy("Declare the selected dossiers inadmissible"),
                  permissions=["decide"])
    def declare_inadmissible(self, request, queryset):
        return self._admissibility(request, queryset, admissible=False)

    def _admissibility(self, request, queryset, *, admissible):
        dossiers = list(queryset)
        target = DossierStatus.ADMISSIBLE if admissible else DossierStatus.INADMISSIBLE
        reason = (request.POST.get("reason") or "").strip()
        decidable = [d for d in dossiers if DOSSIER_LIFECYCLE.can(d.status, target)]
        error = None
        if "apply" in request.POST:
            if admissible or reason:
                self._declare(request, decidable, admissible, reason)
                self._report_skipped(request, [d for d in dossiers if d not in decidable])
                return self._back(dossiers)
            error = _("Give the reason why the dossier is inadmissible.")
        return TemplateResponse(request, TEMPLATES + "admissibility.html", {
            **self._page(request, _("Admissibility: %(decision)s") % {
                "decision": target.label}),
            "decision_label": target.label, "admissible": admissible,
            "action": "declare_admissible" if admissible else "declare_inadmissible",
            "dossiers": dossiers, "decidable": decidable,
            "skipped": [d for d in dossiers if d not in decidable],
            "reason": reason, "error": error})

    def _declare(self, request, dossiers, admissible, reason):
        done = 0
        for dossier in dossiers:
            try:
                dossier_services.declare_admissibility(
                    officer=request.user, dossier=dossier, admissible=admissible,
                    reason=reason)
            except (ApplicationError, TransitionNotAllowed) as exc:
                self.message_user(request, f"{dossier} : {exc}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, ngettext(
                "%(count)d dossier declared %(decision)s.",
                "%(count)d dossiers declared %(decision)s.", done) % {
                "count": done, "decision": (DossierStatus.ADMISSIBLE if admissible
                                            else DossierStatus.INADMISSIBLE).label},
                messages.SUCCESS)

    def _report_skipped(self, request, skipped):
        if skipped:
            self.message_user(request, ngettext(
                "%(count)d dossier skipped, not in the “filed” status: %(dossiers)s.",
                "%(count)d dossiers skipped, not in the “filed” status: %(dossiers)s.",
                len(skipped)) % {"count": len(skipped), "dossiers": ", ".join(
                    f"{d} ({d.get_status_display()})" for d in skipped)}, messages.WARNING)

    # --- correction request ------------------------------------------------------------------

    @admin.action(description=gettext_lazy("Request a correction (one dossier)"),
                  permissions=["decide"])
    def request_correction(self, request, queryset):
        dossiers = list(queryset[:2])
        if len(dossiers) != 1:
            self.message_user(request, _("Choose exactly one dossier to request a correction."),
                              messages.WARNING)
            return None
        dossier = dossiers[0]
        if not DOSSIER_LIFECYCLE.can(dossier.status, DossierStatus.CORRECTION):
            self._report_skipped(request, [dossier])
            return None
        form = CorrectionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid() and self._correct(request, dossier, form):
            return self._back([dossier])
        return TemplateResponse(request, TEMPLATES + "correction.html", {
            **self._page(request, _("Request a correction of %(dossier)s") % {
                "dossier": dossier}),
            "dossier": dossier, "form": form, "action": "request_correction"})

    def _correct(self, request, dossier, form):
        data = form.cleaned_data
        try:
            correction = dossier_services.request_correction(
                officer=request.user, dossier=dossier, sections=data["sections"],
                message=data["message"], due=end_of_day(data["due"]))
        except (ApplicationError, TransitionNotAllowed) as exc:
            form.add_error(None, str(exc))
            return False
        self.message_user(request, _(
            "Correction round %(round)s sent to the collective of %(dossier)s, due by "
            "%(due)s.") % {"round": correction.round, "dossier": dossier,
                           "due": long_datetime(correction.due)}, messages.SUCCESS)
        return True

    # --- exports -----------------------------------------------------------------------------

    @admin.action(description=gettext_lazy("Export the selected dossiers to CSV"),
                  permissions=["view"])
    def export_csv(self, request, queryset):
        return dossiers_csv(queryset)

    @admin.action(description=gettext_lazy("Export the selected dossiers to Excel (XLSX)"),
                  permissions=["view"])
    def export_xlsx(self, request, queryset):
        return dossiers_xlsx(queryset)

    # --- helpers -----------------------------------------------------------------------------

    def _page(self, request, title):
        return {**self.admin_site.each_context(request), "title": title,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME}

    def _back(self, dossiers):
        """After an action: the dossier's page when there was one, else the list."""
        if len(dossiers) == 1:
            return HttpResponseRedirect(reverse("admin:applications_dossier_change",
                                                args=[dossiers[0].pk]))
        return HttpResponseRedirect(reverse("admin:applications_dossier_changelist"))
