"""Officers assign evaluators to admissible dossiers; evaluators declare their conflicts of
interest before scoring; a declared conflict removes the assignment and is logged."""

from decimal import Decimal

import pytest
from django.utils import translation

from applications.models import DossierStatus
from applications.services.dossiers import withdraw
from connaissance.audit.models import AuditEvent
from consortia.models import Membership
from evaluation import services
from evaluation.errors import EvaluationError
from evaluation.models import Assignment, ConflictDeclaration, EvaluationStatus
from evaluation.queries import assignments_for, dossiers_for
from tests.applications.dossier_factories import filed_dossier
from tests.evaluation.builders import assign, evaluator, score
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """These tests match the services' messages in their source language (English)."""
    with translation.override("en"):
        yield


def test_first_assignment_starts_the_evaluation(world):
    created = services.assign_evaluators(officer=world.officer, dossier=world.dossier,
                                         evaluators=[world.ev1, world.ev2])
    assert world.dossier.status == DossierStatus.UNDER_EVALUATION
    world.dossier.refresh_from_db()
    assert world.dossier.status == DossierStatus.UNDER_EVALUATION
    assert {a.evaluator for a in created} == {world.ev1, world.ev2}
    assert all(a.evaluation.status == EvaluationStatus.DRAFT for a in created)
    moved = AuditEvent.objects.for_object(world.dossier).get(action="dossier.start_evaluation")
    assert (moved.actor, moved.from_state, moved.to_state) == (
        world.officer, "admissible", "under_evaluation")
    logged = AuditEvent.objects.filter(action="evaluation.assigned")
    assert {e.data["evaluator"] for e in logged} == {world.ev1.username, world.ev2.username}
    assert {e.actor for e in logged} == {world.officer}


def test_assigning_more_later_keeps_the_existing_ones(world):
    services.assign_evaluators(officer=world.officer, dossier=world.dossier,
                               evaluators=[world.ev1])
    created = services.assign_evaluators(officer=world.officer, dossier=world.dossier,
                                         evaluators=[world.ev1, world.ev2, world.ev2])
    assert [a.evaluator for a in created] == [world.ev2]
    assert world.dossier.assignments.count() == 2
    assert AuditEvent.objects.filter(action="dossier.start_evaluation").count() == 1


def test_only_admissible_dossiers_are_assigned(world):
    filed, _user, _ = filed_dossier(call=world.call)
    with pytest.raises(EvaluationError, match="admissible"):
        services.assign_evaluators(officer=world.officer, dossier=filed,
                                   evaluators=[world.ev1])
    withdraw(user=world.member, dossier=world.dossier, reason="Projet abandonné.")
    with pytest.raises(EvaluationError, match="admissible"):
        services.assign_evaluators(officer=world.officer, dossier=world.dossier,
                                   evaluators=[world.ev1])
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("roles", [[], ["tiers_lieux_staff"], ["region_officer"],
                                   ["collective_member"]])
def test_an_evaluator_must_have_the_evaluator_role(world, roles):
    someone = UserFactory(roles=roles, first_name="Dominique", last_name="Martin")
    with pytest.raises(EvaluationError, match="Dominique Martin"):
        services.assign_evaluators(officer=world.officer, dossier=world.dossier,
                                   evaluators=[world.ev1, someone])
    assert not Assignment.objects.exists()  # all or nothing
    world.dossier.refresh_from_db()
    assert world.dossier.status == DossierStatus.ADMISSIBLE


def test_an_inactive_evaluator_is_refused(world):
    world.ev1.is_active = False
    world.ev1.save()
    with pytest.raises(EvaluationError):
        services.assign_evaluators(officer=world.officer, dossier=world.dossier,
                                   evaluators=[world.ev1])


def test_a_member_of_the_collective_cannot_evaluate_it(world):
    lead = world.dossier.note.collective.participations.get(role="lead").organisation
    insider = evaluator()
    Membership.objects.create(user=insider, organisation=lead)
    with pytest.raises(EvaluationError):
        services.assign_evaluators(officer=world.officer, dossier=world.dossier,
                                   evaluators=[insider])


@pytest.mark.parametrize("who", ["ev1", "member", "staff"])
def test_only_officers_assign(world, who):
    user = UserFactory(roles=["tiers_lieux_staff"]) if who == "staff" else getattr(world, who)
    with pytest.raises(EvaluationError):
        services.assign_evaluators(officer=user, dossier=world.dossier,
                                   evaluators=[world.ev2])


def test_no_scoring_before_the_conflict_declaration(world):
    (assignment,) = services.assign_evaluators(officer=world.officer, dossier=world.dossier,
                                               evaluators=[world.ev1])
    with pytest.raises(EvaluationError, match="conflict of interest"):
        services.record_score(evaluator=world.ev1, evaluation=assignment.evaluation,
                              criterion=world.criteria[0], value=Decimal("3"))
    with pytest.raises(EvaluationError, match="conflict of interest"):
        services.submit_evaluation(evaluator=world.ev1, evaluation=assignment.evaluation)
    declaration = services.declare_conflict(evaluator=world.ev1, assignment=assignment,
                                            has_conflict=False)
    assert declaration.has_conflict is False
    assignment.refresh_from_db()
    assert assignment.cleared_at is not None
    event = AuditEvent.objects.for_object(declaration).get()
    assert (event.action, event.actor) == ("evaluation.no_conflict_declared", world.ev1)
    services.record_score(evaluator=world.ev1, evaluation=assignment.evaluation,
                          criterion=world.criteria[0], value=Decimal("3"))
    # saying it again changes nothing
    again = services.declare_conflict(evaluator=world.ev1, assignment=assignment,
                                      has_conflict=False)
    assert again == declaration and ConflictDeclaration.objects.count() == 1


def test_a_declared_conflict_removes_the_assignment_and_is_logged(world):
    first, second = services.assign_evaluators(officer=world.officer, dossier=world.dossier,
                                               evaluators=[world.ev1, world.ev2])
    assert world.dossier in dossiers_for(world.ev1)
    declaration = services.declare_conflict(
        evaluator=world.ev1, assignment=first, has_conflict=True,
        details="J'ai travaillé pour le chef de file l'an dernier.")
    assert not Assignment.objects.filter(pk=first.pk).exists()
    assert Assignment.objects.filter(pk=second.pk).exists()
    kept = ConflictDeclaration.objects.get()
    assert (kept, kept.dossier, kept.evaluator, kept.has_conflict) == (
        declaration, world.dossier, world.ev1, True)
    event = AuditEvent.objects.get(action="evaluation.conflict_declared")
    assert (event.actor, event.reason) == (world.ev1,
                                           "J'ai travaillé pour le chef de file l'an dernier.")
    assert event.data["dossier"] == world.dossier.reference
    # the evaluator no longer sees the dossier
    assert not assignments_for(world.ev1).exists()
    assert world.dossier not in dossiers_for(world.ev1)
    assert not world.ev1.has_perm("evaluation.view_dossier", world.dossier)
    # and cannot be assigned to it again
    with pytest.raises(EvaluationError, match="conflict of interest"):
        services.assign_evaluators(officer=world.officer, dossier=world.dossier,
                                   evaluators=[world.ev1])


def test_a_conflict_found_while_scoring_discards_the_draft(world):
    (evaluation,) = assign(world.officer, world.dossier, world.ev1)
    score(evaluation, [3, 10, 2], submit=False)
    services.declare_conflict(evaluator=world.ev1, assignment=evaluation.assignment,
                              has_conflict=True, details="Mon conjoint dirige un partenaire.")
    assert not Assignment.objects.exists()
    event = AuditEvent.objects.get(action="evaluation.conflict_declared")
    assert event.data["discarded_scores"] == 3


def test_a_conflict_needs_details(world):
    (assignment,) = services.assign_evaluators(officer=world.officer, dossier=world.dossier,
                                               evaluators=[world.ev1])
    with pytest.raises(EvaluationError):
        services.declare_conflict(evaluator=world.ev1, assignment=assignment,
                                  has_conflict=True, details="  ")
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    assert not ConflictDeclaration.objects.exists()


def test_after_submission_a_conflict_goes_through_an_officer(world):
    (evaluation,) = assign(world.officer, world.dossier, world.ev1)
    score(evaluation, [3, 10, 2])
    with pytest.raises(EvaluationError, match="reopen"):
        services.declare_conflict(evaluator=world.ev1, assignment=evaluation.assignment,
                                  has_conflict=True, details="Oubli.")


def test_nobody_declares_for_someone_else(world):
    (assignment,) = services.assign_evaluators(officer=world.officer, dossier=world.dossier,
                                               evaluators=[world.ev1])
    for user in (world.ev2, world.officer, world.member):
        with pytest.raises(EvaluationError, match="not assigned to you"):
            services.declare_conflict(evaluator=user, assignment=assignment,
                                      has_conflict=False)
    assignment.refresh_from_db()
    assert assignment.cleared_at is None


def test_an_officer_withdraws_an_evaluator_with_a_reason(world):
    (evaluation,) = assign(world.officer, world.dossier, world.ev1)
    assignment = evaluation.assignment
    with pytest.raises(EvaluationError):
        services.remove_assignment(officer=world.officer, assignment=assignment, reason="")
    with pytest.raises(EvaluationError):
        services.remove_assignment(officer=world.ev2, assignment=assignment, reason="Non.")
    services.remove_assignment(officer=world.officer, assignment=assignment,
                               reason="Indisponible en mai.")
    assert not Assignment.objects.exists()
    event = AuditEvent.objects.get(action="evaluation.unassigned")
    assert (event.actor, event.reason) == (world.officer, "Indisponible en mai.")


def test_a_submitted_evaluation_is_not_withdrawn(world):
    (evaluation,) = assign(world.officer, world.dossier, world.ev1)
    score(evaluation, [3, 10, 2])
    with pytest.raises(EvaluationError, match="reopen"):
        services.remove_assignment(officer=world.officer, assignment=evaluation.assignment,
                                   reason="Erreur.")
