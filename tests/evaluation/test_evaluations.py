"""Scoring: values within the grid, complete before submission, locked once submitted,
reopened only by an officer (logged, with a reason)."""

from decimal import Decimal

import pytest
from django.utils import translation

from applications.services.dossiers import withdraw
from connaissance.audit.models import AuditEvent
from evaluation import services
from evaluation.errors import EvaluationError, IncompleteEvaluation
from evaluation.models import EvaluationStatus, Score
from tests.evaluation.builders import admissible_dossier, assign, grid, score
from tests.factories import CallFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """These tests match the services' messages in their source language (English)."""
    with translation.override("en"):
        yield


@pytest.fixture
def evaluation(world):
    (evaluation,) = assign(world.officer, world.dossier, world.ev1)
    return evaluation


def record(world, evaluation, index, **kwargs):
    return services.record_score(evaluator=world.ev1, evaluation=evaluation,
                                 criterion=world.criteria[index], **kwargs)


@pytest.mark.parametrize("index, value, message", [
    (0, "5.01", "between 0 and 5"),
    (0, "-1", "between 0 and 5"),
    (1, "21", "between 0 and 20"),
    (0, "2.345", "two decimals"),
    (0, "trois", "not a number"),
    (0, 2.5, "float"),
])
def test_scores_stay_within_the_grid(world, evaluation, index, value, message):
    with pytest.raises(EvaluationError, match=message):
        record(world, evaluation, index, value=value)
    assert not Score.objects.exists()


def test_scores_are_saved_as_decimals_and_can_be_changed(world, evaluation):
    record(world, evaluation, 1, value="12,5", comment="Solide.")
    record(world, evaluation, 1, value=Decimal("13"))
    saved = Score.objects.get()
    assert (saved.value, saved.comment) == (Decimal("13.00"), "")
    assert AuditEvent.objects.filter(action="evaluation.score_recorded").count() == 2


def test_not_applicable_only_where_the_grid_allows_it(world, evaluation):
    with pytest.raises(EvaluationError, match="not applicable"):
        record(world, evaluation, 0, not_applicable=True)
    saved = record(world, evaluation, 2, value="3", not_applicable=True)
    assert (saved.value, saved.not_applicable) == (None, True)


def test_a_criterion_of_another_call_is_refused(world, evaluation):
    foreign = grid(CallFactory(calendar=False))[0]
    with pytest.raises(EvaluationError, match="grid"):
        services.record_score(evaluator=world.ev1, evaluation=evaluation, criterion=foreign,
                              value="1")


def test_only_the_evaluator_scores_their_evaluation(world, evaluation):
    for user in (world.ev2, world.officer, world.member):
        with pytest.raises(EvaluationError, match="not assigned to you"):
            services.record_score(evaluator=user, evaluation=evaluation,
                                  criterion=world.criteria[0], value="3")


def test_submission_needs_every_applicable_criterion(world, evaluation):
    record(world, evaluation, 0, value="4")
    with pytest.raises(IncompleteEvaluation) as refused:
        services.submit_evaluation(evaluator=world.ev1, evaluation=evaluation)
    assert len(refused.value.problems) == 2
    assert "Critère 2" in str(refused.value) and "Critère 3" in str(refused.value)
    record(world, evaluation, 1, value="10")
    record(world, evaluation, 2, not_applicable=True)
    services.submit_evaluation(evaluator=world.ev1, evaluation=evaluation,
                               comment=" Projet convaincant. ")
    assert evaluation.status == EvaluationStatus.SUBMITTED
    assert evaluation.submitted_at is not None
    assert evaluation.comment == "Projet convaincant."
    event = AuditEvent.objects.for_object(evaluation).get(action="evaluation.submit")
    assert (event.actor, event.from_state, event.to_state) == (world.ev1, "draft",
                                                               "submitted")
    assert event.data["mark"] == "13.00"  # 20 × (0.8×20 + 0.5×20) / 40


def test_a_grid_entirely_not_applicable_cannot_be_submitted(world):
    call = CallFactory()
    grid(call, rows=[("1", "5", True), ("1", "5", True)])
    dossier, _member = admissible_dossier(call=call, agent=world.officer)
    (evaluation,) = assign(world.officer, dossier, world.ev1)
    with pytest.raises(IncompleteEvaluation, match="at least one"):
        score(evaluation, ["n/a", "n/a"])


def test_a_call_without_grid_cannot_be_scored(world):
    world.call.criteria.all().delete()
    (evaluation,) = assign(world.officer, world.dossier, world.ev1)
    with pytest.raises(IncompleteEvaluation, match="no scoring grid"):
        services.submit_evaluation(evaluator=world.ev1, evaluation=evaluation)


def test_a_submitted_evaluation_is_locked(world, evaluation):
    score(evaluation, [4, 10, 3])
    with pytest.raises(EvaluationError, match="submitted"):
        record(world, evaluation, 0, value="1")
    with pytest.raises(EvaluationError, match="submitted"):
        services.submit_evaluation(evaluator=world.ev1, evaluation=evaluation)
    with pytest.raises(EvaluationError, match="submitted"):
        services.save_opinion(evaluator=world.ev1, evaluation=evaluation, comment="Autre")
    assert Score.objects.get(criterion=world.criteria[0]).value == Decimal("4.00")


@pytest.mark.parametrize("who", ["ev1", "ev2", "member", "staff"])
def test_only_an_officer_reopens(world, evaluation, who):
    score(evaluation, [4, 10, 3])
    user = UserFactory(roles=["tiers_lieux_staff"]) if who == "staff" else getattr(world, who)
    with pytest.raises(EvaluationError, match="Region officer"):
        services.reopen_evaluation(officer=user, evaluation=evaluation, reason="Revoir.")
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.SUBMITTED


def test_reopening_is_logged_and_lets_the_evaluator_score_again(world, evaluation):
    score(evaluation, [4, 10, 3])
    with pytest.raises(EvaluationError, match="reason"):
        services.reopen_evaluation(officer=world.officer, evaluation=evaluation, reason=" ")
    services.reopen_evaluation(officer=world.officer, evaluation=evaluation,
                               reason="Le budget a été mal lu.")
    assert (evaluation.status, evaluation.submitted_at) == (EvaluationStatus.DRAFT, None)
    event = AuditEvent.objects.for_object(evaluation).get(action="evaluation.reopen")
    assert (event.actor, event.from_state, event.to_state, event.reason) == (
        world.officer, "submitted", "draft", "Le budget a été mal lu.")
    assert Score.objects.filter(evaluation=evaluation).count() == 3  # scores kept
    record(world, evaluation, 0, value="2")
    services.submit_evaluation(evaluator=world.ev1, evaluation=evaluation)
    assert evaluation.status == EvaluationStatus.SUBMITTED


def test_a_draft_is_not_reopened(world, evaluation):
    with pytest.raises(EvaluationError, match="Only a submitted"):
        services.reopen_evaluation(officer=world.officer, evaluation=evaluation,
                                   reason="Pourquoi pas.")


def test_no_scoring_once_the_dossier_left_the_evaluation(world, evaluation):
    record(world, evaluation, 0, value="4")
    withdraw(user=world.member, dossier=world.dossier, reason="Projet abandonné.")
    with pytest.raises(EvaluationError, match="no longer under evaluation"):
        record(world, evaluation, 1, value="4")
