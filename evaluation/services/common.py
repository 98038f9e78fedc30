"""Checks shared by the evaluation use cases."""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from applications.models import DossierStatus
from calls.rules import is_officer

from ..errors import EvaluationError
from ..models import Evaluation


def require_officer(user):
    if user is None or not is_officer(user):
        raise EvaluationError(_("Only a Region officer can do this."))


def required_text(text, message):
    text = (text or "").strip()
    if not text:
        raise EvaluationError(message)
    return text


def require_under_evaluation(dossier):
    if dossier.status != DossierStatus.UNDER_EVALUATION:
        raise EvaluationError(_("This dossier is no longer under evaluation."))


def evaluator_name(user):
    return user.get_full_name() or user.get_username()


def locked_evaluation(**lookup):
    """The evaluation and its assignment, rows locked (the dossier, collective and call come
    along unlocked). Every use case that touches an evaluation locks in this order."""
    return (Evaluation.objects.select_for_update(of=("self", "assignment"))
            .select_related("assignment__dossier__note__collective__call",
                            "assignment__evaluator")
            .get(**lookup))


def locked_own_evaluation(evaluator, **lookup):
    """As `locked_evaluation`, refusing an evaluation that is not the evaluator's own."""
    try:
        evaluation = locked_evaluation(**lookup)
    except Evaluation.DoesNotExist:
        raise EvaluationError(_("This dossier is not assigned to you.")) from None
    if evaluator is None or evaluation.assignment.evaluator_id != evaluator.pk:
        raise EvaluationError(_("This dossier is not assigned to you."))
    return evaluation


def plain_number(value):
    """« 20 », « 2,5 »: a Decimal without trailing zeros, in the active language."""
    return number_format(Decimal(f"{Decimal(value).normalize():f}"))
