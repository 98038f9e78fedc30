"""The evaluation in the admin, for Region officers: each call's scoring grid and evaluation
settings (edited, audited), and read-only lists of assignments, conflict-of-interest
declarations and evaluations. Evaluators and the tiers-lieux staff have no page here.

Once a score exists for a call, its grid is frozen (no criterion added or removed, weights
and maxima fixed) so that every evaluation of the call is marked on the same grid; labels and
descriptions stay editable.
"""

from django.contrib import admin
from django.db.models import Count, Prefetch, Sum
from django.utils.translation import gettext_lazy as _

from calls.services import record_call_change
from connaissance.audit.services import record
from connaissance.ui.admin_readonly import ReadOnlyMixin

from .models import Assignment, ConflictDeclaration, Criterion, Evaluation, Score, ScoringGrid
from .scoring import OUT_OF, mark_of

FROZEN_FIELDS = ["weight", "max_score", "allows_not_applicable"]
SETTINGS = ["evaluators_per_dossier", "show_peer_scores_after_submit",
            "disagreement_threshold", "evaluation_due"]


def scoring_started(request, call):
    """Whether some evaluation of `call` has a score (computed once per request)."""
    if call is None or call.pk is None:
        return False
    cache = request.__dict__.setdefault("_scoring_started", {})
    if call.pk not in cache:
        cache[call.pk] = Score.objects.filter(criterion__call_id=call.pk).exists()
    return cache[call.pk]


class CriterionInline(admin.TabularInline):
    model = Criterion
    fk_name = "call"
    fields = ["position", "label", "description", "weight", "max_score",
              "allows_not_applicable"]
    extra = 0

    def get_readonly_fields(self, request, obj=None):
        return FROZEN_FIELDS if scoring_started(request, obj) else []

    def has_add_permission(self, request, obj=None):
        return not scoring_started(request, obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (not scoring_started(request, obj)
                and super().has_delete_permission(request, obj))


@admin.register(ScoringGrid)
class ScoringGridAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "criterion_count", "total_weight",
                    "evaluators_per_dossier", "disagreement_threshold", "evaluation_due"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    readonly_fields = ["title", "reference_prefix", "how_marks_are_computed"]
    fieldsets = [
        (None, {"fields": ["title", "reference_prefix"]}),
        (_("Evaluation settings"), {"fields": SETTINGS}),
        (_("Mark"), {"fields": ["how_marks_are_computed"]}),
    ]
    inlines = [CriterionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            criteria_count=Count("criteria"), criteria_weight=Sum("criteria__weight"))

    def has_add_permission(self, request):
        return False  # a call is created in the calls admin

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("criteria"), ordering="criteria_count")
    def criterion_count(self, grid):
        return grid.criteria_count

    @admin.display(description=_("total weight"))
    def total_weight(self, grid):
        return grid.criteria_weight or "—"

    @admin.display(description=_("how marks are computed"))
    def how_marks_are_computed(self, grid):
        return _(
            "Each evaluation gets a mark out of %(out_of)s: the sum of score ÷ highest score "
            "× weight over the criteria scored, divided by the sum of their weights, times "
            "%(out_of)s. A criterion marked not applicable is left out (it does not count as "
            "zero). A dossier shows the mean, the median and the spread of the marks of its "
            "submitted evaluations; it is flagged when the spread reaches the disagreement "
            "threshold.") % {"out_of": OUT_OF}

    def save_model(self, request, obj, form, change):
        changes = {name: (form.initial.get(name), form.cleaned_data.get(name))
                   for name in form.changed_data}
        super().save_model(request, obj, form, change)
        if changes:
            record_call_change(actor=request.user, call=obj, created=False, changes=changes)

    def save_formset(self, request, form, formset, change):
        edited = [(f.instance, {n: [str(f.initial.get(n)), str(f.cleaned_data.get(n))]
                                for n in f.changed_data})
                  for f in formset.forms if f.instance.pk and f.has_changed()
                  and f not in formset.deleted_forms]
        deleted = [f.instance.label for f in formset.deleted_forms if f.instance.pk]
        saved = formset.save()
        call = form.instance
        for label in deleted:
            record(actor=request.user, obj=call, action="grid.criterion_removed",
                   data={"label": label})
        for criterion in formset.new_objects:
            record(actor=request.user, obj=call, action="grid.criterion_added",
                   data={"label": criterion.label, "weight": criterion.weight,
                         "max_score": criterion.max_score})
        for criterion, changes in edited:
            record(actor=request.user, obj=call, action="grid.criterion_changed",
                   data={"label": criterion.label, "changes": changes})
        return saved


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["dossier", "collective", "evaluator", "assigned_at", "cleared_at",
                    "evaluation_status"]
    list_filter = ["dossier__note__collective__call", "evaluation__status"]
    list_select_related = ["dossier__note__collective", "evaluator", "evaluation"]
    search_fields = ["dossier__reference", "dossier__note__collective__name",
                     "evaluator__username", "evaluator__last_name"]
    fields = ["dossier", "evaluator", "assigned_by", "assigned_at", "cleared_at"]

    @admin.display(description=_("collective"), ordering="dossier__note__collective__name")
    def collective(self, assignment):
        return assignment.dossier.note.collective.name

    @admin.display(description=_("evaluation"))
    def evaluation_status(self, assignment):
        evaluation = getattr(assignment, "evaluation", None)
        return evaluation.get_status_display() if evaluation else "—"


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["dossier", "evaluator", "has_conflict", "declared_at"]
    list_filter = ["has_conflict", "dossier__note__collective__call"]
    list_select_related = ["dossier", "evaluator"]
    search_fields = ["dossier__reference", "evaluator__username"]
    fields = ["dossier", "evaluator", "has_conflict", "details", "declared_at"]


class ScoreInline(ReadOnlyMixin, admin.TabularInline):
    model = Score
    fields = readonly_fields = ["criterion", "value", "not_applicable", "comment"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion", "evaluation")


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["dossier", "evaluator", "status", "submitted_at", "mark"]
    list_filter = ["status", "assignment__dossier__note__collective__call"]
    search_fields = ["assignment__dossier__reference", "assignment__evaluator__username"]
    fields = ["dossier", "evaluator", "status", "submitted_at", "mark", "comment"]
    readonly_fields = ["dossier", "evaluator", "mark"]
    inlines = [ScoreInline]

    def get_queryset(self, request):
        return (super().get_queryset(request)
                .select_related("assignment__dossier", "assignment__evaluator")
                .prefetch_related(Prefetch("scores",
                                           Score.objects.select_related("criterion"))))

    @admin.display(description=_("dossier"), ordering="assignment__dossier__reference")
    def dossier(self, evaluation):
        return evaluation.assignment.dossier

    @admin.display(description=_("evaluator"), ordering="assignment__evaluator__username")
    def evaluator(self, evaluation):
        return evaluation.assignment.evaluator

    @admin.display(description=_("mark out of 20"))
    def mark(self, evaluation):
        mark = mark_of(evaluation)
        return "—" if mark is None else mark
# The ranking and decisions pages; the decision letters, their templates and batches.
from . import admin_letters, admin_ranking  # noqa: E402, F401
from .admin_assign import AssignmentAdmin as AssignEvaluatorsAdmin  # noqa: E402, F401
