"""The querysets a user may reach, for lists and for `get_object_or_404` (a denied object is a
404, never a 403). Each is one query, whatever the number of rows."""

from django.db.models import Prefetch, Q

from applications.models import Dossier, DossierStatus
from calls.rules import is_officer

from .models import Assignment, Evaluation, EvaluationStatus, Score
from .rules import is_evaluator

EVALUATION_STATES = (DossierStatus.ADMISSIBLE, DossierStatus.UNDER_EVALUATION,
                     DossierStatus.SELECTED, DossierStatus.REJECTED, DossierStatus.WAITLISTED)


def assignments_for(user):
    """Assignments the user may open: their own for an evaluator, all for an officer, none
    for anybody else. Each comes with its dossier, collective, call and evaluation."""
    queryset = Assignment.objects.select_related(
        "dossier__note__collective__call", "evaluation", "evaluator")
    if is_officer(user):
        return queryset
    if is_evaluator(user):
        return queryset.filter(evaluator=user)
    return queryset.none()


def dossiers_for(user):
    """Dossiers the user may open in the evaluation space: those assigned to an evaluator;
    every dossier from admissibility on for an officer."""
    queryset = Dossier.objects.select_related("note__collective__call")
    if is_officer(user):
        return queryset.filter(status__in=EVALUATION_STATES)
    if is_evaluator(user):
        return queryset.filter(assignments__evaluator=user)
    return queryset.none()


def evaluations_visible_to(user, dossier):
    """The evaluations of `dossier` the user may read, with their scores and criteria:

    - an officer: all of them;
    - an evaluator of the dossier: their own, plus the other *submitted* ones once theirs
      is submitted, if the call shows them (`show_peer_scores_after_submit`);
    - anybody else: none.
    """
    queryset = (Evaluation.objects.filter(assignment__dossier=dossier)
                .select_related("assignment__evaluator")
                .prefetch_related(Prefetch("scores",
                                           Score.objects.select_related("criterion"))))
    if is_officer(user):
        return queryset
    if not is_evaluator(user):
        return queryset.none()
    mine = Q(assignment__evaluator=user)
    call = dossier.note.collective.call
    if not call.show_peer_scores_after_submit:
        return queryset.filter(mine)
    submitted_mine = Evaluation.objects.filter(
        assignment__dossier=dossier, assignment__evaluator=user,
        status=EvaluationStatus.SUBMITTED)
    peers = Q(status=EvaluationStatus.SUBMITTED) & Q(
        assignment__dossier__in=submitted_mine.values("assignment__dossier"))
    return queryset.filter(mine | peers)
