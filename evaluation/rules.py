"""Who may see and score what in the evaluation. Anything denied is shown as a 404.

- an evaluator (the `evaluator` role) sees only the dossiers assigned to them, scores only
  their own evaluation, and sees another evaluator's *submitted* evaluation of the same dossier
  only once their own is submitted, and only if the call says so
  (`Call.show_peer_scores_after_submit`; unticked: never);
- officers see everything, assign evaluators and reopen submitted evaluations;
- nobody else (collective members, Compagnie des tiers-lieux staff) sees any of it.
"""

import rules

from calls.rules import is_officer
from connaissance.accounts.roles import Role, has_role

from .models import Assignment, Evaluation, EvaluationStatus


@rules.predicate
def is_evaluator(user):
    return has_role(user, Role.EVALUATOR)


@rules.predicate
def is_assigned_evaluator(user, assignment):
    """The evaluator of this assignment."""
    return assignment is not None and assignment.evaluator_id == user.pk


@rules.predicate
def is_dossier_evaluator(user, dossier):
    """An evaluator currently assigned to this dossier."""
    return dossier is not None and user.is_authenticated and Assignment.objects.filter(
        dossier=dossier, evaluator=user).exists()


@rules.predicate
def is_own_evaluation(user, evaluation):
    return evaluation is not None and evaluation.assignment.evaluator_id == user.pk


@rules.predicate
def is_visible_peer_evaluation(user, evaluation):
    """A submitted evaluation of a dossier whose evaluator (`user`) submitted theirs, when the
    call shows the other evaluations after submission."""
    if evaluation is None or evaluation.status != EvaluationStatus.SUBMITTED:
        return False
    dossier = evaluation.assignment.dossier
    if not dossier.note.collective.call.show_peer_scores_after_submit:
        return False
    return Evaluation.objects.filter(assignment__dossier_id=dossier.pk,
                                     assignment__evaluator_id=user.pk,
                                     status=EvaluationStatus.SUBMITTED).exists()


# The role is required on top of the assignment: an evaluator whose role was withdrawn loses
# access at once.
evaluator_of_assignment = is_evaluator & is_assigned_evaluator
evaluator_of_dossier = is_evaluator & is_dossier_evaluator
evaluator_of_evaluation = is_evaluator & is_own_evaluation

rules.add_perm("evaluation.view_assignment", evaluator_of_assignment | is_officer)
rules.add_perm("evaluation.declare_conflict", evaluator_of_assignment)
rules.add_perm("evaluation.view_dossier", evaluator_of_dossier | is_officer)
rules.add_perm("evaluation.view_evaluation", evaluator_of_evaluation | is_officer
               | (is_evaluator & is_visible_peer_evaluation))
rules.add_perm("evaluation.score_evaluation", evaluator_of_evaluation)
rules.add_perm("evaluation.assign_evaluators", is_officer)
rules.add_perm("evaluation.reopen_evaluation", is_officer)
# Marks of a dossier or a call across evaluators (ranking): officers only.
rules.add_perm("evaluation.view_scores", is_officer)
