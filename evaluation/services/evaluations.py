"""An evaluator scores the criteria of the call's grid, then submits (the evaluation is then
locked); only an officer reopens a submitted evaluation, with a reason."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connaissance.audit.services import record

from ..errors import EvaluationError, IncompleteEvaluation
from ..models import Evaluation, EvaluationStatus, Score
from ..scoring import mark_of
from ..workflow import EVALUATION_LIFECYCLE
from .common import (
    locked_evaluation,
    locked_own_evaluation,
    plain_number,
    require_officer,
    require_under_evaluation,
    required_text,
)

CENT = Decimal("0.01")


def _call_of(evaluation):
    return evaluation.assignment.dossier.note.collective.call


def _scorable(evaluator, evaluation):
    """The evaluator's own draft evaluation, locked, once no conflict was declared."""
    locked = locked_own_evaluation(evaluator, pk=evaluation.pk)
    if locked.assignment.cleared_at is None:
        raise EvaluationError(_("Declare first whether you have a conflict of interest with "
                                "the collective's organisations."))
    if locked.status != EvaluationStatus.DRAFT:
        raise EvaluationError(_("This evaluation was submitted; it can no longer be changed."))
    require_under_evaluation(locked.assignment.dossier)
    return locked


def _score_value(value, criterion):
    """A score as a Decimal with two decimals at most, from 0 to the criterion's maximum."""
    if isinstance(value, float):
        raise EvaluationError(_("Give the score as a decimal number, not as a float."))
    try:
        score = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise EvaluationError(_("“%(criterion)s”: the score is not a number.")
                              % {"criterion": criterion.label}) from None
    if not score.is_finite() or score != score.quantize(CENT):
        raise EvaluationError(_("“%(criterion)s”: give the score with two decimals at most.")
                              % {"criterion": criterion.label})
    if not Decimal("0") <= score <= criterion.max_score:
        raise EvaluationError(_("“%(criterion)s”: the score must lie between 0 and "
                                "%(max)s.") % {"criterion": criterion.label,
                                               "max": plain_number(criterion.max_score)})
    return score.quantize(CENT)


@transaction.atomic
def record_score(*, evaluator, evaluation, criterion, value=None, not_applicable=False,
                 comment=""):
    """Save the evaluator's score of one criterion in their draft: a value from 0 to the
    criterion's maximum, or not applicable if the criterion allows it. Neither (value None)
    clears the score. Returns the Score."""
    locked = _scorable(evaluator, evaluation)
    if criterion.call_id != _call_of(locked).pk:
        raise EvaluationError(_("This criterion is not part of the call's scoring grid."))
    if not_applicable:
        if not criterion.allows_not_applicable:
            raise EvaluationError(_("“%(criterion)s” cannot be marked not applicable.")
                                  % {"criterion": criterion.label})
        value = None
    elif value is not None and str(value).strip() != "":
        value = _score_value(value, criterion)
    else:
        value = None
    score, _created = Score.objects.update_or_create(
        evaluation=locked, criterion=criterion,
        defaults={"value": value, "not_applicable": bool(not_applicable),
                  "comment": (comment or "").strip()})
    record(actor=evaluator, obj=locked, action="evaluation.score_recorded",
           data={"criterion": criterion.pk, "label": criterion.label, "value": value,
                 "not_applicable": bool(not_applicable)})
    return score


@transaction.atomic
def save_opinion(*, evaluator, evaluation, comment):
    """Save the overall opinion of a draft evaluation."""
    locked = _scorable(evaluator, evaluation)
    Evaluation.objects.filter(pk=locked.pk).update(comment=(comment or "").strip(),
                                                   updated_at=timezone.now())
    evaluation.refresh_from_db()
    return evaluation


def _problems(locked, scores):
    criteria = list(_call_of(locked).criteria.all())
    if not criteria:
        return [_("The call has no scoring grid yet.")]
    scores = {s.criterion_id: s for s in scores}
    problems = []
    for criterion in criteria:
        score = scores.get(criterion.pk)
        label = {"criterion": criterion.label, "max": plain_number(criterion.max_score)}
        if score is None or (score.value is None and not score.not_applicable):
            problems.append(_("“%(criterion)s” is not scored.") % label)
        elif score.not_applicable and not criterion.allows_not_applicable:
            problems.append(_("“%(criterion)s” cannot be marked not applicable.") % label)
        elif score.value is not None and not 0 <= score.value <= criterion.max_score:
            problems.append(_("“%(criterion)s”: the score must lie between 0 and %(max)s.")
                            % label)
    if not problems and all(s.not_applicable for s in scores.values()):
        problems.append(_("Score at least one criterion."))
    return problems


@transaction.atomic
def submit_evaluation(*, evaluator, evaluation, comment=None):
    """Submit the evaluator's evaluation once every criterion of the grid is scored (or not
    applicable where allowed), each within 0..its maximum. It is then locked."""
    locked = _scorable(evaluator, evaluation)
    scores = list(locked.scores.select_related("criterion"))
    problems = _problems(locked, scores)
    if problems:
        raise IncompleteEvaluation(problems)
    mark = mark_of(locked, scores)
    EVALUATION_LIFECYCLE.apply(
        locked, to_state=EvaluationStatus.SUBMITTED, actor=evaluator,
        data={"dossier": locked.assignment.dossier.reference, "mark": mark})
    fields = {"submitted_at": timezone.now()}
    if comment is not None:
        fields["comment"] = comment.strip()
    Evaluation.objects.filter(pk=locked.pk).update(**fields)
    evaluation.refresh_from_db()
    return evaluation


@transaction.atomic
def reopen_evaluation(*, officer, evaluation, reason):
    """An officer sends a submitted evaluation back to its evaluator as a draft (a reason is
    required; the scores are kept)."""
    require_officer(officer)
    reason = required_text(reason, _("Give the reason for reopening the evaluation."))
    locked = locked_evaluation(pk=evaluation.pk)
    if locked.status != EvaluationStatus.SUBMITTED:
        raise EvaluationError(_("Only a submitted evaluation can be reopened."))
    require_under_evaluation(locked.assignment.dossier)
    EVALUATION_LIFECYCLE.apply(
        locked, to_state=EvaluationStatus.DRAFT, actor=officer, reason=reason,
        data={"dossier": locked.assignment.dossier.reference,
              "evaluator": locked.assignment.evaluator.get_username()})
    Evaluation.objects.filter(pk=locked.pk).update(submitted_at=None)
    evaluation.refresh_from_db()
    return evaluation
