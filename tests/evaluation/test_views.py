"""The evaluators' space through the Django client: the list of assignments, the conflict
declaration, scoring (draft, submission, lock) and the peers' marks after submitting."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.models import Assignment, ConflictDeclaration, EvaluationStatus, Score
from tests.evaluation.builders import admissible_dossier, assign, evaluator, score
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("evaluation:assignments")


def page(assignment):
    return reverse("evaluation:assignment", args=[assignment.pk])


def conflict_url(assignment):
    return reverse("evaluation:declare_conflict", args=[assignment.pk])


def logged(client, user):
    client.force_login(user)
    return client


def grid_post(world, values, *, action="save", comment="", confirm=False, na=()):
    """POST data of the scoring form: `values` in the order of the grid."""
    data = {"action": action, "comment": comment}
    for criterion, value in zip(world.criteria, values, strict=True):
        data[f"value_{criterion.pk}"] = value
        data[f"comment_{criterion.pk}"] = ""
        if criterion.pk in na:
            data[f"na_{criterion.pk}"] = "on"
    if confirm:
        data["confirm"] = "on"
    return data


@pytest.fixture
def cleared(world):
    """ev1 and ev2 assigned to the dossier, both declared no conflict."""
    world.first, world.second = assign(world.officer, world.dossier, world.ev1, world.ev2)
    return world


def test_the_list_shows_my_assignments_in_constant_queries(client, world):
    logged(client, world.ev1)
    (evaluation,) = assign(world.officer, world.dossier, world.ev1)
    score(evaluation, [3, 10, "n/a"], submit=False)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST)
        assert response.status_code == 200
        return len(queries), response

    one, response = count()
    html = response.content.decode()
    assert world.dossier.reference in html
    assert world.dossier.note.collective.name in html
    assert "3/3" in html
    for _ in range(4):
        other, _member = admissible_dossier(call=world.call, agent=world.officer)
        assign(world.officer, other, world.ev1)
    five, response = count()
    assert response.content.decode().count('data-assignment="') == 5
    assert one == five


def test_the_list_and_pages_are_for_evaluators_only(client, cleared):
    w = cleared
    tiers_lieux = UserFactory(roles=["tiers_lieux_staff"], is_staff=True)
    for user in (w.member, tiers_lieux, w.officer, UserFactory()):
        client.force_login(user)
        assert client.get(LIST).status_code == 404, user
        assert client.get(page(w.first.assignment)).status_code == 404, user
        assert client.post(conflict_url(w.first.assignment),
                           {"has_conflict": "yes", "details": "x"}).status_code == 404
    client.logout()
    response = client.get(page(w.first.assignment))
    assert response.status_code == 302 and "/compte/" in response["Location"]
    assert client.get(LIST).status_code == 302


def test_an_evaluator_cannot_open_someone_elses_assignment(client, cleared):
    w = cleared
    logged(client, w.ev3)
    assert client.get(LIST).status_code == 200
    assert client.get(page(w.first.assignment)).status_code == 404
    logged(client, w.ev1)
    assert client.get(page(w.second.assignment)).status_code == 404
    assert client.post(page(w.second.assignment),
                       grid_post(w, ["1", "1", "1"])).status_code == 404
    assert not Score.objects.filter(evaluation=w.second).exists()


def test_the_declaration_comes_first_and_lists_the_organisations(client, world):
    from evaluation import services

    (assignment,) = services.assign_evaluators(officer=world.officer, dossier=world.dossier,
                                               evaluators=[world.ev1])
    logged(client, world.ev1)
    html = client.get(page(assignment)).content.decode()
    assert 'id="conflict-form"' in html and 'id="scoring-form"' not in html
    for participation in world.dossier.note.collective.participations.all():
        assert participation.organisation.legal_name in html
    # saying nothing, or a conflict without details, is refused
    response = client.post(conflict_url(assignment), {"has_conflict": "yes", "details": " "})
    assert response.status_code == 200 and 'id="erreurs"' in response.content.decode()
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    response = client.post(conflict_url(assignment), {"has_conflict": "no"}, follow=True)
    assert response.redirect_chain[-1][0] == page(assignment)
    html = response.content.decode()
    assert 'id="scoring-form"' in html and 'id="section-budget"' in html
    assignment.refresh_from_db()
    assert assignment.cleared_at is not None


def test_a_declared_conflict_removes_the_assignment(client, world):
    from evaluation import services

    (assignment,) = services.assign_evaluators(officer=world.officer, dossier=world.dossier,
                                               evaluators=[world.ev1])
    logged(client, world.ev1)
    response = client.post(conflict_url(assignment),
                           {"has_conflict": "yes", "details": "J'ai présidé l'association."},
                           follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert world.dossier.reference in response.content.decode()  # the message
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    assert ConflictDeclaration.objects.get(evaluator=world.ev1).has_conflict
    assert client.get(page(assignment)).status_code == 404


def test_scoring_saves_a_draft_with_french_decimals(client, cleared):
    w = cleared
    logged(client, w.ev1)
    response = client.post(page(w.first.assignment),
                           grid_post(w, ["3,5", "12", ""], comment="Solide.",
                                     na={w.criteria[2].pk}))
    assert response.status_code == 302
    scores = {s.criterion_id: s for s in w.first.scores.all()}
    assert scores[w.criteria[0].pk].value == Decimal("3.50")
    assert scores[w.criteria[1].pk].value == Decimal("12.00")
    assert scores[w.criteria[2].pk].not_applicable
    w.first.refresh_from_db()
    assert w.first.comment == "Solide." and w.first.status == EvaluationStatus.DRAFT
    html = client.get(page(w.first.assignment)).content.decode()
    assert 'value="3,5"' in html


def test_a_refused_score_keeps_what_was_typed(client, cleared):
    w = cleared
    logged(client, w.ev1)
    response = client.post(page(w.first.assignment),
                           grid_post(w, ["7", "abc", "2"], comment="Mon avis"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="7"' in html and 'value="abc"' in html and "Mon avis" in html
    assert "is-invalid" in html
    # the valid one was saved, the highest score of the first criterion is 5
    assert not w.first.scores.filter(criterion=w.criteria[0]).exists()
    assert w.first.scores.get(criterion=w.criteria[2]).value == Decimal("2.00")


def test_submitting_an_incomplete_evaluation_lists_the_problems(client, cleared):
    w = cleared
    logged(client, w.ev1)
    response = client.post(page(w.first.assignment),
                           grid_post(w, ["4", "", ""], action="submit", confirm=True))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="problems"' in html and w.criteria[1].label in html
    assert 'value="4"' in html
    w.first.refresh_from_db()
    assert w.first.status == EvaluationStatus.DRAFT
    assert w.first.scores.get(criterion=w.criteria[0]).value == Decimal("4.00")


def test_submitting_needs_the_confirmation(client, cleared):
    w = cleared
    logged(client, w.ev1)
    response = client.post(page(w.first.assignment),
                           grid_post(w, ["4", "10", "2"], action="submit"))
    assert response.status_code == 200
    w.first.refresh_from_db()
    assert w.first.status == EvaluationStatus.DRAFT


def test_a_submitted_evaluation_is_locked_and_shows_its_mark(client, cleared):
    w = cleared
    logged(client, w.ev1)
    response = client.post(page(w.first.assignment),
                           grid_post(w, ["5", "20", "5"], action="submit", confirm=True),
                           follow=True)
    html = response.content.decode()
    assert 'id="locked"' in html and 'id="scoring-form"' not in html
    assert "20 / 20" in html
    w.first.refresh_from_db()
    assert w.first.status == EvaluationStatus.SUBMITTED
    response = client.post(page(w.first.assignment), grid_post(w, ["1", "1", "1"]))
    assert response.status_code == 302
    assert w.first.scores.get(criterion=w.criteria[0]).value == Decimal("5.00")
    response = client.post(conflict_url(w.first.assignment),
                           {"has_conflict": "yes", "details": "Trop tard"})
    assert response.status_code == 200
    assert Assignment.objects.filter(pk=w.first.assignment.pk).exists()


def test_peers_are_shown_only_after_submitting(client, cleared):
    w = cleared
    score(w.second, [1, 4, "n/a"])  # 20 × (0.2×20 + 0.2×20) / 40 = 4
    logged(client, w.ev1)
    html = client.get(page(w.first.assignment)).content.decode()
    assert 'id="peers"' not in html
    score(w.first, [5, 20, 5])  # 20
    html = client.get(page(w.first.assignment)).content.decode()
    assert 'id="peers"' in html
    assert w.ev2.get_username() not in html and str(w.ev2.email) not in html
    assert 'id="disagreement"' in html
    assert ">12<" in html or "12 / 20" in html  # the mean


def test_peers_stay_hidden_when_the_call_says_so(client, cleared):
    w = cleared
    w.call.show_peer_scores_after_submit = False
    w.call.save(update_fields=["show_peer_scores_after_submit"])
    score(w.second, [1, 4, "n/a"])
    score(w.first, [5, 20, 5])
    logged(client, w.ev1)
    html = client.get(page(w.first.assignment)).content.decode()
    assert 'id="peers"' not in html and 'id="locked"' in html


def test_another_dossier_of_mine_does_not_leak_peers(client, cleared):
    w = cleared
    other, _member = admissible_dossier(call=w.call, agent=w.officer)
    (third,) = assign(w.officer, other, w.ev3)
    score(third, [2, 2, 2])
    logged(client, w.ev3)
    html = client.get(page(third.assignment)).content.decode()
    assert 'id="locked"' in html and 'id="peers"' not in html


def test_an_evaluator_with_nothing_assigned_sees_an_empty_list(client, db):
    logged(client, evaluator())
    response = client.get(LIST)
    assert response.status_code == 200 and 'id="no-assignment"' in response.content.decode()

