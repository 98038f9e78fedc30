"""The officers' « assign evaluators » pages, on the assignments admin: choose a call, then
its admissible dossiers and those under evaluation, each with its evaluators (and the state of
their evaluation), its progress (« 2/3 évaluations reçues »), a warning while fewer evaluators
than the call's setting are assigned, and the conflicts of interest declared. Per dossier:
assign evaluators; per assignment: withdraw the evaluator, or reopen a submitted evaluation
(each with a reason, on an intermediate page).

Only Region officers reach these pages (anybody else on the admin: 403). Nothing changes here:
every step goes through `services`, refusals come back as messages. The list takes a constant
number of queries whatever the number of dossiers.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from applications.dossier_documents import row_title
from applications.models import Dossier
from calls.models import Call
from calls.rules import is_officer
from connaissance.accounts.roles import Role
from connaissance.workflow import TransitionNotAllowed
from consortia.models import Membership

from . import services
from .admin import AssignmentAdmin as AssignmentListAdmin
from .errors import EvaluationError
from .models import Assignment, ConflictDeclaration, Evaluation, EvaluationStatus
from .scoring import progress_of, with_progress
from .services.assignments import ASSIGNABLE
from .services.common import evaluator_name

TEMPLATES = "admin/evaluation/assign/"


class ReasonForm(forms.Form):
    # Not required here: the service refuses a blank reason with its own message.
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False,
                             widget=forms.Textarea(attrs={"rows": 4, "cols": 80}))


def evaluation_of(assignment):
    try:
        return assignment.evaluation
    except Evaluation.DoesNotExist:
        return None


def state_of(assignment, evaluation):
    """(code, label) of an assignment: conflict to declare, in progress or submitted."""
    if evaluation is not None and evaluation.status == EvaluationStatus.SUBMITTED:
        return "submitted", _("submitted")
    if assignment.cleared_at is None:
        return "declare", _("conflict of interest to declare")
    return "draft", _("in progress")


def person(user):
    name = evaluator_name(user)
    return f"{name} ({user.email})" if user.email and user.email != name else name


def active_evaluators():
    """Active users with the evaluator role, in one query."""
    return list(get_user_model().objects
                .filter(is_active=True, groups__name=Role.EVALUATOR.value).distinct()
                .order_by("last_name", "first_name", "username"))


def assign_url(call):
    return reverse("admin:evaluation_assignment_assign", args=[call.pk])


def dossier_rows(call):
    """The call's assignable dossiers with their assignments, conflicts and the evaluators
    one may still assign (five queries whatever the number of dossiers)."""
    dossiers = list(with_progress(
        Dossier.objects.filter(note__collective__call=call, status__in=ASSIGNABLE))
        .select_related("note__collective")
        .prefetch_related(
            Prefetch("assignments", Assignment.objects.select_related("evaluator", "evaluation")
                     .order_by("assigned_at", "pk"), to_attr="current_assignments"),
            Prefetch("conflict_declarations",
                     ConflictDeclaration.objects.filter(has_conflict=True)
                     .select_related("evaluator").order_by("declared_at", "pk"),
                     to_attr="conflicts"))
        .order_by("reference", "pk"))
    evaluators = active_evaluators() if dossiers else []
    members = set(Membership.objects.filter(
        organisation__participations__collective_id__in={d.note.collective_id
                                                         for d in dossiers},
        user__in=[e.pk for e in evaluators])
        .values_list("organisation__participations__collective_id", "user_id")
    ) if dossiers and evaluators else set()
    rows = []
    for dossier in dossiers:
        progress = progress_of(dossier)
        assignments = []
        for assignment in dossier.current_assignments:
            evaluation = evaluation_of(assignment)
            state, label = state_of(assignment, evaluation)
            assignments.append({
                "assignment": assignment, "evaluator": person(assignment.evaluator),
                "state": state, "state_label": label,
                "remove_url": reverse("admin:evaluation_assignment_remove",
                                      args=[call.pk, assignment.pk]),
                "reopen_url": reverse("admin:evaluation_assignment_reopen",
                                      args=[call.pk, evaluation.pk]) if evaluation else ""})
        excluded = ({a.evaluator_id for a in dossier.current_assignments}
                    | {c.evaluator_id for c in dossier.conflicts})
        rows.append({
            "dossier": dossier, "title": row_title(dossier),
            "collective": dossier.note.collective.name,
            "dossier_url": reverse("admin:applications_dossier_change", args=[dossier.pk]),
            "progress": str(progress), "progress_complete": progress.complete,
            "assigned": progress.assigned, "required": progress.required,
            "missing": progress.missing_evaluators,
            "assignments": assignments,
            "conflicts": [{"evaluator": person(c.evaluator), "details": c.details,
                           "declared_at": c.declared_at} for c in dossier.conflicts],
            "candidates": [(e.pk, person(e)) for e in evaluators
                           if e.pk not in excluded
                           and (dossier.note.collective_id, e.pk) not in members],
        })
    return rows


admin.site.unregister(Assignment)


@admin.register(Assignment)
class AssignmentAdmin(AssignmentListAdmin):
    """The read-only list of assignments, plus the officers' « assign evaluators » pages."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("assign/", view(self.calls_view), name=f"{prefix}_assign_calls"),
            path("assign/<int:call_id>/", view(self.assign_view), name=f"{prefix}_assign"),
            path("assign/<int:call_id>/remove/<int:assignment_id>/", view(self.remove_view),
                 name=f"{prefix}_remove"),
            path("assign/<int:call_id>/reopen/<int:evaluation_id>/", view(self.reopen_view),
                 name=f"{prefix}_reopen"),
            *super().get_urls(),
        ]

    change_list_template = TEMPLATES + "change_list.html"

    def changelist_view(self, request, extra_context=None):
        extra = {"assign_calls_url": reverse("admin:evaluation_assignment_assign_calls")
                 } if is_officer(request.user) else {}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    # --- helpers -----------------------------------------------------------------------------

    def _officer(self, request):
        if not is_officer(request.user):
            raise PermissionDenied

    def _page(self, request, title, **context):
        return {**self.admin_site.each_context(request), "title": title,
                "opts": self.model._meta,
                "calls_url": reverse("admin:evaluation_assignment_assign_calls"), **context}

    # --- pages -------------------------------------------------------------------------------

    def calls_view(self, request):
        self._officer(request)
        calls = Call.objects.order_by("-pk")
        return TemplateResponse(request, TEMPLATES + "calls.html", self._page(
            request, _("Assign evaluators"),
            calls=[(call, assign_url(call)) for call in calls]))

    def assign_view(self, request, call_id):
        self._officer(request)
        call = get_object_or_404(Call, pk=call_id)
        if request.method == "POST":
            return self._assign(request, call)
        return TemplateResponse(request, TEMPLATES + "dossiers.html", self._page(
            request, _("Assign evaluators: %(call)s") % {"call": call.title}, call=call,
            rows=dossier_rows(call),
            ranking_url=reverse("admin:evaluation_ranking_call", args=[call.pk])))

    def _assign(self, request, call):
        dossier_id = request.POST.get("dossier", "")
        if not dossier_id.isdigit():
            raise Http404
        dossier = get_object_or_404(Dossier.objects.select_related("note__collective__call"),
                                    pk=int(dossier_id), note__collective__call=call)
        back = HttpResponseRedirect(f"{assign_url(call)}#dossier-{dossier.pk}")
        chosen = request.POST.getlist("evaluators")
        if not all(value.isdigit() for value in chosen):
            self.message_user(request, _("Unknown evaluator."), messages.ERROR)
            return back
        ids = {int(value) for value in chosen}
        users = list(get_user_model().objects.filter(pk__in=ids))
        if len(users) != len(ids):
            self.message_user(request, _("Unknown evaluator."), messages.ERROR)
            return back
        try:
            created = services.assign_evaluators(officer=request.user, dossier=dossier,
                                                 evaluators=users)
        except (EvaluationError, TransitionNotAllowed) as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, ngettext(
                "%(count)s evaluator assigned to %(dossier)s.",
                "%(count)s evaluators assigned to %(dossier)s.", len(created))
                % {"count": len(created), "dossier": dossier}, messages.SUCCESS)
        return back

    def _reason_page(self, request, call, title, *, form, facts, action_label):
        return TemplateResponse(request, TEMPLATES + "reason.html", self._page(
            request, title, call=call, assign_url=assign_url(call), form=form, facts=facts,
            action_label=action_label))

    def remove_view(self, request, call_id, assignment_id):
        self._officer(request)
        call = get_object_or_404(Call, pk=call_id)
        assignment = get_object_or_404(
            Assignment.objects.select_related("dossier__note__collective", "evaluator"),
            pk=assignment_id, dossier__note__collective__call=call)
        form = ReasonForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                services.remove_assignment(officer=request.user, assignment=assignment,
                                           reason=form.cleaned_data["reason"])
            except EvaluationError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, _("%(evaluator)s withdrawn from %(dossier)s.") % {
                    "evaluator": evaluator_name(assignment.evaluator),
                    "dossier": assignment.dossier}, messages.SUCCESS)
                return HttpResponseRedirect(
                    f"{assign_url(call)}#dossier-{assignment.dossier_id}")
        evaluation = evaluation_of(assignment)
        return self._reason_page(
            request, call, _("Withdraw an evaluator from %(dossier)s")
            % {"dossier": assignment.dossier}, form=form,
            action_label=_("Withdraw the evaluator"),
            facts=[(_("Dossier"), f"{assignment.dossier} — {row_title(assignment.dossier)}"),
                   (_("Collective"), assignment.dossier.note.collective.name),
                   (_("Evaluator"), person(assignment.evaluator)),
                   (_("Evaluation"), state_of(assignment, evaluation)[1]),
                   (_("What happens"), _("The evaluator no longer sees the dossier; their "
                                         "draft scores are discarded. The reason is kept in "
                                         "the history with your name."))])

    def reopen_view(self, request, call_id, evaluation_id):
        self._officer(request)
        call = get_object_or_404(Call, pk=call_id)
        evaluation = get_object_or_404(
            Evaluation.objects.select_related("assignment__dossier__note__collective",
                                              "assignment__evaluator"),
            pk=evaluation_id, assignment__dossier__note__collective__call=call)
        assignment = evaluation.assignment
        form = ReasonForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                services.reopen_evaluation(officer=request.user, evaluation=evaluation,
                                           reason=form.cleaned_data["reason"])
            except (EvaluationError, TransitionNotAllowed) as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, _("The evaluation of %(evaluator)s on %(dossier)s "
                                             "is reopened.") % {
                    "evaluator": evaluator_name(assignment.evaluator),
                    "dossier": assignment.dossier}, messages.SUCCESS)
                return HttpResponseRedirect(
                    f"{assign_url(call)}#dossier-{assignment.dossier_id}")
        return self._reason_page(
            request, call, _("Reopen an evaluation of %(dossier)s")
            % {"dossier": assignment.dossier}, form=form,
            action_label=_("Reopen the evaluation"),
            facts=[(_("Dossier"), f"{assignment.dossier} — {row_title(assignment.dossier)}"),
                   (_("Collective"), assignment.dossier.note.collective.name),
                   (_("Evaluator"), person(assignment.evaluator)),
                   (_("Evaluation"), state_of(assignment, evaluation)[1]),
                   (_("What happens"), _("The evaluation goes back to its evaluator as a "
                                         "draft, scores kept, until they submit it again. "
                                         "The reason is kept in the history with your "
                                         "name."))])
