"""The officers' « assign evaluators » admin pages, their evaluation dashboard on the admin's
home page, and the evaluators' « My evaluations » link (issue 6)."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import DossierStatus
from connaissance.audit.models import AuditEvent
from evaluation import services
from evaluation.models import Assignment, Evaluation, EvaluationStatus
from tests.evaluation.builders import admissible_dossier, assign, score
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
CALLS = "/admin/evaluation/assignment/assign/"


def page(call):
    return f"{CALLS}{call.pk}/"


def staff(*roles):
    user = UserFactory(roles=list(roles), is_staff=True)
    TOTP.activate(user, generate_totp_secret())
    return user


def test_officers_choose_a_call_then_see_its_dossiers(client, world, agent):
    assert world.call.title in client.get(CALLS).content.decode()
    html = client.get(page(world.call)).content.decode()
    assert world.dossier.reference in html
    assert world.dossier.note.collective.name in html
    assert "0/2 évaluations reçues" in html
    assert 'class="badge-warning"' in html  # fewer than the call's two evaluators
    for user in (world.ev1, world.ev2, world.ev3):
        assert f'name="evaluators" value="{user.pk}"' in html
    assert f'name="evaluators" value="{world.officer.pk}"' not in html  # not offered
    assert f'name="evaluators" value="{world.member.pk}"' not in html


def test_officers_assign_two_evaluators(client, world, agent):
    response = client.post(page(world.call), {"dossier": world.dossier.pk,
                                              "evaluators": [world.ev1.pk, world.ev2.pk]})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#dossier-{world.dossier.pk}")
    world.dossier.refresh_from_db()
    assert world.dossier.status == DossierStatus.UNDER_EVALUATION
    assert set(Assignment.objects.filter(dossier=world.dossier)
               .values_list("evaluator_id", flat=True)) == {world.ev1.pk, world.ev2.pk}
    assert Evaluation.objects.filter(assignment__dossier=world.dossier).count() == 2
    events = AuditEvent.objects.filter(action="evaluation.assigned")
    assert events.count() == 2 and {e.actor for e in events} == {agent}
    html = client.get(page(world.call)).content.decode()
    assert "0/2 évaluations reçues" in html and 'class="badge-warning"' not in html
    assert f'name="evaluators" value="{world.ev1.pk}"' not in html  # already assigned
    assert f'name="evaluators" value="{world.ev3.pk}"' in html


def test_a_non_evaluator_is_refused_and_nothing_is_half_done(client, world, agent):
    response = client.post(page(world.call), {"dossier": world.dossier.pk,
                                              "evaluators": [world.ev1.pk, world.member.pk]},
                           follow=True)
    assert "n’a pas le rôle" in response.content.decode() or \
        "does not have the evaluator role" in response.content.decode()
    assert not Assignment.objects.exists()
    world.dossier.refresh_from_db()
    assert world.dossier.status == DossierStatus.ADMISSIBLE
    client.post(page(world.call), {"dossier": world.dossier.pk, "evaluators": ["x"]})
    client.post(page(world.call), {"dossier": world.dossier.pk, "evaluators": [99999]})
    client.post(page(world.call), {"dossier": world.dossier.pk})  # nobody chosen
    assert not Assignment.objects.exists()


def test_an_evaluator_who_declared_a_conflict_is_not_offered(client, world, agent):
    (assignment,) = services.assign_evaluators(officer=world.officer, dossier=world.dossier,
                                               evaluators=[world.ev3])
    services.declare_conflict(evaluator=world.ev3, assignment=assignment, has_conflict=True,
                              details="Ancien salarié du chef de file.")
    html = client.get(page(world.call)).content.decode()
    assert "Ancien salarié du chef de file." in html
    assert f'name="evaluators" value="{world.ev3.pk}"' not in html
    response = client.post(page(world.call), {"dossier": world.dossier.pk,
                                              "evaluators": [world.ev3.pk]}, follow=True)
    assert response.status_code == 200
    assert not Assignment.objects.filter(evaluator=world.ev3).exists()


def test_withdrawing_an_evaluator_requires_a_reason_and_is_logged(client, world, agent):
    first, second = assign(world.officer, world.dossier, world.ev1, world.ev2)
    url = reverse("admin:evaluation_assignment_remove",
                  args=[world.call.pk, first.assignment.pk])
    assert url in client.get(page(world.call)).content.decode()
    assert world.ev1.get_username() in client.get(url).content.decode()
    assert client.post(url, {"reason": "  "}).status_code == 200  # refused, page again
    assert Assignment.objects.filter(pk=first.assignment.pk).exists()
    response = client.post(url, {"reason": "Indisponible en mai."})
    assert response.status_code == 302
    assert not Assignment.objects.filter(pk=first.assignment.pk).exists()
    event = AuditEvent.objects.get(action="evaluation.unassigned")
    assert (event.actor, event.reason) == (agent, "Indisponible en mai.")
    assert event.data["evaluator"] == world.ev1.get_username()


def test_a_submitted_evaluation_is_reopened_with_a_reason(client, world, agent):
    first, second = assign(world.officer, world.dossier, world.ev1, world.ev2)
    score(first, [4, 12, "n/a"])
    html = client.get(page(world.call)).content.decode()
    assert "1/2 évaluations reçues" in html
    remove = reverse("admin:evaluation_assignment_remove",
                     args=[world.call.pk, first.assignment.pk])
    assert remove not in html  # a submitted evaluation is reopened first
    client.post(remove, {"reason": "Essai."})
    assert Assignment.objects.filter(pk=first.assignment.pk).exists()
    reopen = reverse("admin:evaluation_assignment_reopen", args=[world.call.pk, first.pk])
    assert reopen in html
    assert client.post(reopen, {"reason": ""}).status_code == 200
    first.refresh_from_db()
    assert first.status == EvaluationStatus.SUBMITTED
    assert client.post(reopen, {"reason": "Critère 2 mal lu."}).status_code == 302
    first.refresh_from_db()
    assert first.status == EvaluationStatus.DRAFT and first.scores.count() == 3
    event = AuditEvent.objects.for_object(first).get(to_state=EvaluationStatus.DRAFT)
    assert (event.actor, event.reason) == (agent, "Critère 2 mal lu.")
    reopen_second = reverse("admin:evaluation_assignment_reopen",
                            args=[world.call.pk, second.pk])
    client.post(reopen_second, {"reason": "Pas soumise."})  # a draft: refused
    second.refresh_from_db()
    assert second.status == EvaluationStatus.DRAFT


def test_the_list_takes_a_constant_number_of_queries(client, world, agent):
    assign(world.officer, world.dossier, world.ev1, world.ev2)
    with CaptureQueriesContext(connection) as one:
        assert client.get(page(world.call)).status_code == 200
    for _ in range(4):
        dossier, _member = admissible_dossier(call=world.call, agent=world.officer)
        (evaluation, _second) = assign(world.officer, dossier, world.ev1, world.ev3)
        score(evaluation, [3, 10, 2])
    with CaptureQueriesContext(connection) as five:
        html = client.get(page(world.call)).content.decode()
    assert html.count('class="module assign-dossier"') == 5
    assert len(five) == len(one), [q["sql"] for q in five.captured_queries]


@pytest.mark.parametrize("roles", [["evaluator"], ["tiers_lieux_staff"]])
def test_evaluators_and_staff_get_a_403(client, world, roles):
    (evaluation,) = assign(world.officer, world.dossier, world.ev1)
    client.force_login(staff(*roles))
    urls = [CALLS, page(world.call),
            reverse("admin:evaluation_assignment_remove",
                    args=[world.call.pk, evaluation.assignment.pk]),
            reverse("admin:evaluation_assignment_reopen", args=[world.call.pk, evaluation.pk])]
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(page(world.call), {"dossier": world.dossier.pk,
                                          "evaluators": [world.ev2.pk]}).status_code == 403
    assert client.post(urls[2], {"reason": "Non."}).status_code == 403
    assert Assignment.objects.count() == 1


def test_collective_members_never_reach_the_pages(client, world):
    client.force_login(world.member)
    for url in [CALLS, page(world.call)]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    client.post(page(world.call), {"dossier": world.dossier.pk, "evaluators": [world.ev1.pk]})
    assert not Assignment.objects.exists()


# --- the officers' dashboard -----------------------------------------------------------------

def test_the_dashboard_shows_the_progress_to_officers(client, world, agent):
    world.call.evaluators_per_dossier = 3
    world.call.save(update_fields=["evaluators_per_dossier"])
    first, second, _third = assign(world.officer, world.dossier, world.ev1, world.ev2,
                                   world.ev3)
    score(first, [5, 20, 5])
    score(second, [1, 2, 1])  # far apart: a disagreement
    html = client.get("/admin/").content.decode()
    assert 'id="evaluation-dashboard"' in html
    row = html.split(f'id="dashboard-call-{world.call.pk}"')[1].split("</div>")[0]
    assert "2/3 évaluations reçues" in row
    assert page(world.call) in row
    assert reverse("admin:evaluation_ranking_call", args=[world.call.pk]) in row
    figures = [value.strip() for value in re.findall(r"<strong>(.*?)</strong>", row, re.S)]
    assert figures[:2] == ["0", "1"]  # admissible, under evaluation
    assert figures[3] == "1"  # one dossier where the evaluators disagree


def test_the_dashboard_takes_a_constant_number_of_queries(client, world, agent):
    with CaptureQueriesContext(connection) as one:
        client.get("/admin/")
    for _ in range(2):
        dossier, _member = admissible_dossier(call=world.call, agent=world.officer)
        assign(world.officer, dossier, world.ev1)
    with CaptureQueriesContext(connection) as three:
        html = client.get("/admin/").content.decode()
    assert "0/6 évaluations reçues" in html  # two expected per dossier, even if fewer
    assert len(three) == len(one)


def test_the_dashboard_is_for_officers_only(client, world):
    client.force_login(staff("tiers_lieux_staff"))
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "evaluation-dashboard" not in response.content.decode()


# --- the evaluators' link --------------------------------------------------------------------

def test_only_evaluators_see_my_evaluations_in_the_menu(client, world):
    link = f'href="{reverse("evaluation:assignments")}"'
    client.force_login(world.ev1)
    assert link in client.get("/").content.decode()
    for user in (world.member, staff("tiers_lieux_staff"), world.officer):
        client.force_login(user)
        assert link not in client.get("/").content.decode(), user
    client.logout()
    assert link not in client.get("/").content.decode()
