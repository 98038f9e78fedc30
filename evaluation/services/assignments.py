"""Officers assign evaluators to admissible dossiers; evaluators declare their conflicts of
interest before scoring. A declared conflict removes the assignment and is kept."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.dossier_workflow import DOSSIER_LIFECYCLE
from applications.models import Dossier, DossierStatus
from connaissance.accounts.roles import Role, has_role
from connaissance.audit.services import record
from consortia.models import Membership

from ..errors import EvaluationError
from ..models import Assignment, ConflictDeclaration, Evaluation, EvaluationStatus
from .common import (
    evaluator_name,
    locked_evaluation,
    locked_own_evaluation,
    require_officer,
    require_under_evaluation,
    required_text,
)

ASSIGNABLE = (DossierStatus.ADMISSIBLE, DossierStatus.UNDER_EVALUATION)


def _refusals(dossier, evaluators):
    """Why some of `evaluators` cannot evaluate `dossier` (one sentence each)."""
    conflicted = set(ConflictDeclaration.objects.filter(dossier=dossier, has_conflict=True)
                     .values_list("evaluator_id", flat=True))
    members = set(Membership.objects.filter(
        organisation__participations__collective_id=dossier.note.collective_id,
        user__in=evaluators).values_list("user_id", flat=True))
    problems = []
    for evaluator in evaluators:
        name = {"name": evaluator_name(evaluator)}
        if not evaluator.is_active or not has_role(evaluator, Role.EVALUATOR):
            problems.append(_("%(name)s does not have the evaluator role.") % name)
        elif evaluator.pk in conflicted:
            problems.append(_("%(name)s declared a conflict of interest with this dossier's "
                              "collective.") % name)
        elif evaluator.pk in members:
            problems.append(_("%(name)s belongs to an organisation of this dossier's "
                              "collective.") % name)
    return problems


@transaction.atomic
def assign_evaluators(*, officer, dossier, evaluators):
    """Assign `evaluators` (users with the evaluator role) to an admissible dossier or one
    already under evaluation; the first assignment moves an admissible dossier to « en
    instruction ». Evaluators already assigned are left as they are. All or nothing: one
    refused evaluator refuses the whole call. Returns the new assignments."""
    require_officer(officer)
    locked = (Dossier.objects.select_for_update(of=("self",))
              .select_related("note__collective__call").get(pk=dossier.pk))
    if locked.status not in ASSIGNABLE:
        raise EvaluationError(_("Evaluators can be assigned only to an admissible dossier or "
                                "to a dossier under evaluation."))
    evaluators = list({user.pk: user for user in evaluators}.values())
    if not evaluators:
        raise EvaluationError(_("Choose at least one evaluator."))
    problems = _refusals(locked, evaluators)
    if problems:
        raise EvaluationError(" ".join(problems))
    already = set(locked.assignments.values_list("evaluator_id", flat=True))
    created = []
    for evaluator in evaluators:
        if evaluator.pk in already:
            continue
        assignment = Assignment.objects.create(dossier=locked, evaluator=evaluator,
                                               assigned_by=officer)
        Evaluation.objects.create(assignment=assignment)
        record(actor=officer, obj=assignment, action="evaluation.assigned",
               data={"dossier": locked.reference, "evaluator": evaluator.get_username()})
        created.append(assignment)
    if created and locked.status == DossierStatus.ADMISSIBLE:
        DOSSIER_LIFECYCLE.apply(
            locked, to_state=DossierStatus.UNDER_EVALUATION, actor=officer,
            reason=_("Evaluators assigned."),
            data={"evaluators": [a.evaluator.get_username() for a in created]})
        dossier.status = locked.status
    return created


@transaction.atomic
def remove_assignment(*, officer, assignment, reason):
    """An officer withdraws an evaluator from a dossier (a reason is required). A submitted
    evaluation must be reopened first; the draft scores go with the assignment."""
    require_officer(officer)
    reason = required_text(reason, _("Give the reason for withdrawing the evaluator."))
    evaluation = locked_evaluation(assignment_id=assignment.pk)
    if evaluation.status == EvaluationStatus.SUBMITTED:
        raise EvaluationError(_("This evaluation was submitted: reopen it before withdrawing "
                                "the evaluator."))
    locked = evaluation.assignment
    record(actor=officer, obj=locked, action="evaluation.unassigned", reason=reason,
           data={"dossier": locked.dossier.reference,
                 "evaluator": locked.evaluator.get_username(),
                 "discarded_scores": evaluation.scores.count()})
    locked.delete()


@transaction.atomic
def declare_conflict(*, evaluator, assignment, has_conflict: bool, details=""):
    """Before scoring, the evaluator says whether they have a conflict of interest with the
    organisations of the dossier's collective.

    No conflict: scoring opens (`cleared_at`); saying it again changes nothing. A conflict
    (details required): the declaration is kept, the assignment and any draft scores are
    removed, and the evaluator can no longer be assigned to this dossier. A conflict can be
    declared until the evaluation is submitted. Returns the declaration."""
    evaluation = locked_own_evaluation(evaluator, assignment_id=assignment.pk)
    locked = evaluation.assignment
    dossier = locked.dossier
    require_under_evaluation(dossier)
    if evaluation.status == EvaluationStatus.SUBMITTED:
        raise EvaluationError(_("Your evaluation is submitted; ask an officer to reopen it "
                                "first."))
    details = (details or "").strip()
    if has_conflict:
        details = required_text(details, _("Say with which organisation of the collective "
                                           "you have a conflict of interest, and why."))
    elif locked.cleared_at is not None:
        return dossier.conflict_declarations.filter(evaluator=evaluator).first()
    declaration = ConflictDeclaration.objects.create(
        dossier=dossier, evaluator=evaluator, has_conflict=bool(has_conflict), details=details)
    data = {"dossier": dossier.reference, "evaluator": evaluator.get_username(),
            "assignment": locked.pk}
    if has_conflict:
        data["discarded_scores"] = evaluation.scores.count()
        record(actor=evaluator, obj=declaration, action="evaluation.conflict_declared",
               reason=details, data=data)
        locked.delete()
    else:
        locked.cleared_at = timezone.now()
        locked.save(update_fields=["cleared_at"])
        assignment.cleared_at = locked.cleared_at
        record(actor=evaluator, obj=declaration, action="evaluation.no_conflict_declared",
               data=data)
    return declaration
