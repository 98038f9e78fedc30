"""Builders of the evaluation tests: a call with a small grid, admissible dossiers filed
through the services, evaluators, and evaluations scored through the services."""

from decimal import Decimal

from applications.services.dossiers import declare_admissibility
from evaluation import services
from evaluation.models import Criterion
from tests.applications.dossier_factories import filed_dossier
from tests.factories import UserFactory, officer

# (weight, highest score, may be not applicable)
SMALL_GRID = [("20", "5", False), ("20", "20", False), ("10", "5", True)]


def grid(call, rows=SMALL_GRID):
    return [Criterion.objects.create(call=call, position=index, label=f"Critère {index}",
                                     weight=Decimal(weight), max_score=Decimal(top),
                                     allows_not_applicable=na)
            for index, (weight, top, na) in enumerate(rows, start=1)]


def region_officer(**kwargs):
    return officer(totp=False, **kwargs)


def evaluator(**kwargs):
    return UserFactory(roles=["evaluator"], is_staff=True, **kwargs)


def admissible_dossier(call=None, agent=None):
    """A filed dossier declared admissible. Returns (dossier, collective user)."""
    dossier, user, _officer = filed_dossier(**({"call": call} if call else {}))
    declare_admissibility(officer=agent or region_officer(), dossier=dossier, admissible=True)
    return dossier, user


def assign(agent, dossier, *evaluators):
    """Assign and clear (no conflict declared) each evaluator; returns their evaluations."""
    assignments = services.assign_evaluators(officer=agent, dossier=dossier,
                                             evaluators=evaluators)
    for assignment in assignments:
        services.declare_conflict(evaluator=assignment.evaluator, assignment=assignment,
                                  has_conflict=False)
    return [a.evaluation for a in assignments]


def score(evaluation, values, *, submit=True):
    """Score the call's criteria in order with `values` ("n/a" for not applicable)."""
    user = evaluation.assignment.evaluator
    criteria = evaluation.assignment.dossier.note.collective.call.criteria.all()
    for criterion, value in zip(criteria, values, strict=True):
        if value == "n/a":
            services.record_score(evaluator=user, evaluation=evaluation, criterion=criterion,
                                  not_applicable=True)
        else:
            services.record_score(evaluator=user, evaluation=evaluation, criterion=criterion,
                                  value=Decimal(str(value)))
    if submit:
        services.submit_evaluation(evaluator=user, evaluation=evaluation)
    return evaluation
