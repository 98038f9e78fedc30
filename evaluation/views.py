"""The evaluators' space: their assignments, then for each one the conflict-of-interest
declaration, the dossier, the scoring grid and (once submitted, if the call says so) the other
evaluators' marks, anonymised. Only an evaluator's own assignments are reachable: anything
else is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications.dossier_documents import reading, row_title
from applications.models import DossierStatus

from . import services
from .errors import EvaluationError, IncompleteEvaluation
from .forms import ConflictForm, ScoringForm
from .models import Criterion, Evaluation, EvaluationStatus, Score
from .queries import assignments_for, evaluations_visible_to
from .rules import is_evaluator
from .scoring import mark_of, summarize


def my_assignments(user):
    """The user's own assignments (none unless they hold the evaluator role)."""
    if not is_evaluator(user):
        raise Http404
    return assignments_for(user).filter(evaluator=user)


def _count(queryset):
    return Coalesce(Subquery(queryset.order_by().values("n")[:1],
                             output_field=IntegerField()), 0)


def with_counts(assignments):
    """Annotate the criteria of the call and the criteria scored, in the same query."""
    criteria = (Criterion.objects.filter(call=OuterRef("dossier__note__collective__call"))
                .values("call").annotate(n=Count("pk")))
    scored = (Score.objects.filter(evaluation__assignment=OuterRef("pk"))
              .filter(Q(value__isnull=False) | Q(not_applicable=True))
              .values("evaluation").annotate(n=Count("pk")))
    return assignments.annotate(criteria_count=_count(criteria), scored_count=_count(scored))


def evaluation_of(assignment):
    try:
        return assignment.evaluation
    except Evaluation.DoesNotExist:
        return None


def state_of(assignment):
    """« to declare », « draft » or « submitted » (code, label)."""
    evaluation = evaluation_of(assignment)
    if assignment.cleared_at is None:
        return "declare", _("conflict of interest to declare")
    if evaluation is not None and evaluation.is_submitted:
        return "submitted", _("submitted")
    return "draft", _("in progress")


@login_required
@require_GET
def assignment_list(request):
    rows = []
    for assignment in with_counts(my_assignments(request.user)).order_by(
            "dossier__note__collective__call__evaluation_due", "assigned_at", "pk"):
        state, state_label = state_of(assignment)
        dossier = assignment.dossier
        rows.append({"assignment": assignment, "dossier": dossier, "title": row_title(dossier),
                     "collective": dossier.note.collective, "call": dossier.note.collective.call,
                     "state": state, "state_label": state_label})
    return render(request, "evaluation/assignment_list.html", {"rows": rows})


def _load(request, pk):
    return get_object_or_404(my_assignments(request.user), pk=pk)


def _organisations(dossier):
    return [p.organisation for p in dossier.note.collective.participations
            .select_related("organisation").order_by("organisation__legal_name")]


def _scores(evaluation):
    return {s.criterion_id: s for s in evaluation.scores.select_related("criterion")}


def peers_context(user, dossier, evaluation):
    """The marks of the submitted evaluations the rules show to `user` (theirs first, the
    others anonymised « Evaluator 2 », …), with their mean, median, spread and the flag."""
    if evaluation is None or not evaluation.is_submitted:
        return None
    visible = [e for e in evaluations_visible_to(user, dossier)
               if e.status == EvaluationStatus.SUBMITTED]
    others = [e for e in visible if e.pk != evaluation.pk]
    if not others:
        return None
    others.sort(key=lambda e: (e.assignment.assigned_at, e.pk))
    mine = next((e for e in visible if e.pk == evaluation.pk), evaluation)
    rows = [{"label": _("Evaluator %(number)s (you)") % {"number": 1},
             "mark": mark_of(mine), "mine": True}]
    rows += [{"label": _("Evaluator %(number)s") % {"number": index}, "mark": mark_of(e),
              "mine": False} for index, e in enumerate(others, start=2)]
    call = dossier.note.collective.call
    return {"rows": rows,
            "summary": summarize([r["mark"] for r in rows],
                                 threshold=call.disagreement_threshold),
            "threshold": call.disagreement_threshold}


def _page(request, assignment, *, conflict_form=None, form=None, problems=None):
    dossier = assignment.dossier
    evaluation = evaluation_of(assignment)
    if evaluation is None:  # an assignment is always created with its evaluation
        raise Http404
    context = {"assignment": assignment, "dossier": dossier, "title": row_title(dossier),
               "collective": dossier.note.collective, "call": dossier.note.collective.call,
               "evaluation": evaluation, "state": state_of(assignment)[0]}
    if assignment.cleared_at is None:
        context.update(conflict_form=conflict_form or ConflictForm(),
                       organisations=_organisations(dossier))
        return render(request, "evaluation/declare.html", context)
    criteria = list(context["call"].criteria.all())
    scores = _scores(evaluation)
    editable = (not evaluation.is_submitted
                and dossier.status == DossierStatus.UNDER_EVALUATION)
    if editable and form is None:
        form = ScoringForm(criteria=criteria, scores=scores, evaluation=evaluation)
    data = reading(dossier)
    context.update(
        r=data, criteria=criteria, form=form if editable else None, editable=editable,
        problems=problems or [],
        lines=[(c, scores.get(c.pk)) for c in criteria],
        mark=mark_of(evaluation, list(scores.values())) if scores else None,
        peers=peers_context(request.user, dossier, evaluation))
    return render(request, "evaluation/assignment.html", context)


def _save(user, evaluation, form, scores):
    """Record every changed score and the opinion; a refusal goes next to its field. Returns
    True when everything was saved."""
    for criterion, value, not_applicable, comment in form.entries():
        if form.unchanged(scores.get(criterion.pk), value, not_applicable, comment):
            continue
        try:
            services.record_score(evaluator=user, evaluation=evaluation, criterion=criterion,
                                  value=value or None, not_applicable=not_applicable,
                                  comment=comment)
        except EvaluationError as exc:
            form.add_error(f"value_{criterion.pk}", str(exc))
    comment = (form.cleaned_data.get("comment") or "").strip()
    if comment != evaluation.comment:
        try:
            services.save_opinion(evaluator=user, evaluation=evaluation, comment=comment)
        except EvaluationError as exc:
            form.add_error("comment", str(exc))
    return not form.errors


@login_required
@require_http_methods(["GET", "POST"])
def assignment_page(request, pk):
    assignment = _load(request, pk)
    if request.method == "GET":
        return _page(request, assignment)
    evaluation = evaluation_of(assignment)
    if assignment.cleared_at is None or evaluation is None:
        messages.error(request, _("Declare first whether you have a conflict of interest with "
                                  "the collective's organisations."))
        return redirect("evaluation:assignment", pk)
    if evaluation.is_submitted:
        messages.error(request, _("This evaluation was submitted; it can no longer be "
                                  "changed."))
        return redirect("evaluation:assignment", pk)
    criteria = list(assignment.dossier.note.collective.call.criteria.all())
    scores = _scores(evaluation)
    form = ScoringForm(request.POST, criteria=criteria, scores=scores, evaluation=evaluation)
    submitting = request.POST.get("action") == "submit"
    if not form.is_valid() or not _save(request.user, evaluation, form, scores):
        return _page(request, assignment, form=form)
    if not submitting:
        messages.success(request, _("Your draft is saved."))
        return redirect("evaluation:assignment", pk)
    if not form.cleaned_data["confirm"]:
        form.add_error("confirm", _("Tick the box to confirm that you submit your "
                                    "evaluation."))
        return _page(request, assignment, form=form)
    try:
        services.submit_evaluation(evaluator=request.user, evaluation=evaluation)
    except IncompleteEvaluation as exc:
        return _page(request, assignment, form=form, problems=exc.problems)
    except EvaluationError as exc:
        form.add_error(None, str(exc))
        return _page(request, assignment, form=form)
    messages.success(request, _("Your evaluation is submitted."))
    return redirect("evaluation:assignment", pk)


@login_required
@require_POST
def declare_conflict(request, pk):
    assignment = _load(request, pk)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        return _page(request, assignment, conflict_form=form)
    try:
        services.declare_conflict(evaluator=request.user, assignment=assignment,
                                  has_conflict=form.declares_conflict,
                                  details=form.cleaned_data["details"])
    except EvaluationError as exc:
        form.add_error(None, str(exc))
        return _page(request, assignment, conflict_form=form)
    if form.declares_conflict:
        messages.success(request, _("Your conflict of interest is recorded: the dossier %(ref)s "
                                    "is withdrawn from your evaluations. The Region's officers "
                                    "will assign another evaluator.")
                         % {"ref": assignment.dossier.reference})
        return redirect("evaluation:assignments")
    messages.success(request, _("You declared no conflict of interest: you may now read the "
                                "dossier and score it."))
    return redirect("evaluation:assignment", pk)
