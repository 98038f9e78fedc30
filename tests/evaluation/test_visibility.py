"""Who sees what: an evaluator only their assigned dossiers, the other evaluations only after
submitting theirs (when the call says so); officers everything; nobody else anything —
through the rules (user.has_perm with the object) and through the querysets views use."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from evaluation.queries import assignments_for, dossiers_for, evaluations_visible_to
from tests.evaluation.builders import admissible_dossier, assign, evaluator, score
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(world):
    """ev1 and ev2 on the dossier; ev3 on another dossier of the call."""
    first, second = assign(world.officer, world.dossier, world.ev1, world.ev2)
    other, _member = admissible_dossier(call=world.call, agent=world.officer)
    (third,) = assign(world.officer, other, world.ev3)
    world.first, world.second, world.third, world.other = first, second, third, other
    return world


def visible(user, dossier):
    return set(evaluations_visible_to(user, dossier))


def test_an_evaluator_sees_only_the_assigned_dossiers(evaluated):
    w = evaluated
    assert list(assignments_for(w.ev1)) == [w.first.assignment]
    assert list(dossiers_for(w.ev1)) == [w.dossier]
    assert list(dossiers_for(w.ev3)) == [w.other]
    assert w.ev1.has_perm("evaluation.view_dossier", w.dossier)
    assert not w.ev1.has_perm("evaluation.view_dossier", w.other)
    assert w.ev1.has_perm("evaluation.view_assignment", w.first.assignment)
    assert not w.ev1.has_perm("evaluation.view_assignment", w.second.assignment)
    assert not w.ev1.has_perm("evaluation.view_assignment", w.third.assignment)
    assert w.ev1.has_perm("evaluation.declare_conflict", w.first.assignment)
    assert not w.ev1.has_perm("evaluation.declare_conflict", w.second.assignment)
    assert w.ev1.has_perm("evaluation.score_evaluation", w.first)
    assert not w.ev1.has_perm("evaluation.score_evaluation", w.second)
    assert not w.ev1.has_perm("evaluation.view_evaluation", w.third)


def test_peers_are_seen_only_after_submitting_ones_own(evaluated):
    w = evaluated
    score(w.second, [5, 20, 5])
    assert visible(w.ev1, w.dossier) == {w.first}
    assert not w.ev1.has_perm("evaluation.view_evaluation", w.second)
    score(w.first, [3, 10, 2])
    assert visible(w.ev1, w.dossier) == {w.first, w.second}
    assert w.ev1.has_perm("evaluation.view_evaluation", w.second)
    # the peer sees back, being submitted too
    assert w.ev2.has_perm("evaluation.view_evaluation", w.first)
    assert visible(w.ev2, w.dossier) == {w.first, w.second}


def test_a_peers_draft_stays_hidden(evaluated):
    w = evaluated
    score(w.first, [3, 10, 2])
    score(w.second, [5, 20, 5], submit=False)
    assert visible(w.ev1, w.dossier) == {w.first}
    assert not w.ev1.has_perm("evaluation.view_evaluation", w.second)


def test_peers_are_never_seen_when_the_call_says_so(evaluated):
    w = evaluated
    w.call.show_peer_scores_after_submit = False
    w.call.save(update_fields=["show_peer_scores_after_submit"])
    score(w.first, [3, 10, 2])
    score(w.second, [5, 20, 5])
    w.first.refresh_from_db()
    w.second.refresh_from_db()
    assert visible(w.ev1, w.dossier) == {w.first}
    assert visible(w.ev2, w.dossier) == {w.second}
    assert not w.ev1.has_perm("evaluation.view_evaluation", w.second)
    assert w.ev1.has_perm("evaluation.view_evaluation", w.first)


def test_officers_see_everything(evaluated):
    w = evaluated
    assert set(assignments_for(w.officer)) == {w.first.assignment, w.second.assignment,
                                               w.third.assignment}
    assert set(dossiers_for(w.officer)) == {w.dossier, w.other}
    assert visible(w.officer, w.dossier) == {w.first, w.second}
    for perm, obj in [("evaluation.view_dossier", w.dossier),
                      ("evaluation.view_assignment", w.first.assignment),
                      ("evaluation.view_evaluation", w.second),
                      ("evaluation.reopen_evaluation", w.second),
                      ("evaluation.assign_evaluators", w.dossier),
                      ("evaluation.view_scores", w.dossier)]:
        assert w.officer.has_perm(perm, obj), perm
    # an officer is not an evaluator: declaring or scoring is for the assigned evaluator
    assert not w.officer.has_perm("evaluation.score_evaluation", w.first)
    assert not w.officer.has_perm("evaluation.declare_conflict", w.first.assignment)


def outsiders(w):
    return {
        "unassigned evaluator": evaluator(),
        "tiers-lieux staff": UserFactory(roles=["tiers_lieux_staff"], is_staff=True),
        "collective member": w.member,
        "anonymous": AnonymousUser(),
    }


def test_nobody_else_sees_anything(evaluated):
    w = evaluated
    score(w.first, [3, 10, 2])
    score(w.second, [5, 20, 5])
    for label, user in outsiders(w).items():
        assert not assignments_for(user).exists(), label
        assert not dossiers_for(user).exists(), label
        assert not evaluations_visible_to(user, w.dossier).exists(), label
        for perm, obj in [("evaluation.view_dossier", w.dossier),
                          ("evaluation.view_assignment", w.first.assignment),
                          ("evaluation.declare_conflict", w.first.assignment),
                          ("evaluation.view_evaluation", w.first),
                          ("evaluation.score_evaluation", w.first),
                          ("evaluation.reopen_evaluation", w.first),
                          ("evaluation.assign_evaluators", w.dossier),
                          ("evaluation.view_scores", w.dossier)]:
            assert not user.has_perm(perm, obj), (label, perm)


def test_an_evaluator_whose_role_is_withdrawn_loses_access(evaluated):
    w = evaluated
    w.ev1.groups.remove(Group.objects.get(name="evaluator"))
    ev1 = type(w.ev1).objects.get(pk=w.ev1.pk)  # a fresh request's user
    assert not assignments_for(ev1).exists()
    assert not ev1.has_perm("evaluation.view_dossier", w.dossier)
    assert not ev1.has_perm("evaluation.score_evaluation", w.first)
