"""Lists cost the same number of queries for one row as for many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Dossier
from evaluation.queries import assignments_for, evaluations_visible_to
from evaluation.scoring import mark_of, scored_dossiers
from tests.evaluation.builders import admissible_dossier, assign, evaluator, score

pytestmark = pytest.mark.django_db


def queries(action):
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def walk_assignments(user):
    for assignment in assignments_for(user):
        assert assignment.dossier.note.collective.call.title
        assert assignment.evaluation.status
        assert assignment.evaluator.username


def walk_scored(dossier_ids):
    for row in scored_dossiers(Dossier.objects.filter(pk__in=dossier_ids)):
        assert str(row.progress)
        assert row.summary.count >= 0


@pytest.fixture
def dossiers(world):
    """Three dossiers of the call, each with ev1 and ev2, ev1 submitted on each."""
    made = [world.dossier] + [admissible_dossier(call=world.call, agent=world.officer)[0]
                              for _ in range(2)]
    for dossier in made:
        first, _second = assign(world.officer, dossier, world.ev1, world.ev2)
        score(first, [4, 12, "n/a"])
    return made


def test_assignments_for_an_evaluator_one_or_many(world, dossiers):
    lonely = evaluator()
    assign(world.officer, dossiers[0], lonely)
    User = type(lonely)  # fresh users, as a request would load them (roles not cached)
    one = queries(lambda: walk_assignments(User.objects.get(pk=lonely.pk)))
    many = queries(lambda: walk_assignments(User.objects.get(pk=world.ev1.pk)))
    assert len(assignments_for(world.ev1)) == 3
    assert one == many == 3  # the user, their roles, then the list


def test_assignments_for_an_officer(world, dossiers):
    assert queries(lambda: walk_assignments(world.officer)) <= 2  # roles, the list


def test_dossier_figures_one_or_many(world, dossiers):
    one = queries(lambda: walk_scored([dossiers[0].pk]))
    many = queries(lambda: walk_scored([d.pk for d in dossiers]))
    assert one == many == 2


def test_visible_evaluations_with_their_marks(world, dossiers):
    def walk():
        for evaluation in evaluations_visible_to(world.officer, dossiers[0]):
            mark_of(evaluation)
            assert evaluation.assignment.evaluator.username

    assert queries(walk) <= 4  # roles, evaluations, scores with criteria
