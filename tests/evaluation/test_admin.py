"""The 2023 call's default grid, and the evaluation admin: officers edit each call's grid and
evaluation settings (audited, frozen once scoring started) and read the assignments,
declarations and evaluations; evaluators and the tiers-lieux staff have no page there."""

from decimal import Decimal

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from connaissance.audit.models import AuditEvent
from evaluation import services
from evaluation.errors import EvaluationError
from evaluation.models import Criterion
from tests.evaluation.builders import assign, score
from tests.factories import CallFactory, UserFactory, officer
from tests.formsets import management

pytestmark = pytest.mark.django_db
GRIDS = "/admin/evaluation/scoringgrid/"
LISTS = ["/admin/evaluation/assignment/", "/admin/evaluation/evaluation/",
         "/admin/evaluation/conflictdeclaration/"]


def test_the_2023_call_has_a_default_grid(call_2023):
    criteria = list(call_2023.criteria.all())
    assert [c.label for c in criteria] == [
        "Adéquation aux axes d’intervention de l’appel", "Solidité du collectif",
        "Territoire et publics touchés", "Innovation pédagogique",
        "Solidité du budget et cofinancements", "Pérennité au-delà des trois ans"]
    assert [c.weight for c in criteria] == [Decimal(w) for w in (20, 20, 15, 15, 15, 15)]
    assert sum(c.weight for c in criteria) == 100
    assert {c.max_score for c in criteria} == {Decimal("5")}
    assert [c.label for c in criteria if c.allows_not_applicable] == ["Innovation pédagogique"]
    assert "tiers-lieu" in criteria[1].description and "digitalisation" in criteria[1].description
    assert (call_2023.evaluators_per_dossier, call_2023.show_peer_scores_after_submit,
            call_2023.disagreement_threshold) == (2, True, Decimal("4.00"))


def test_a_grid_is_copied_to_a_new_call(call_2023):
    target = CallFactory(calendar=False)
    copied = services.copy_grid(actor=None, source=call_2023, target=target)
    assert [c.label for c in target.criteria.all()] == [c.label for c in
                                                         call_2023.criteria.all()]
    assert len(copied) == 6
    assert AuditEvent.objects.for_object(target).filter(action="grid.copied").exists()
    with pytest.raises(EvaluationError):
        services.copy_grid(actor=None, source=call_2023, target=target)


def grid_form(call, **overrides):
    criteria = list(call.criteria.all())
    data = {"evaluators_per_dossier": call.evaluators_per_dossier,
            "show_peer_scores_after_submit": "on" if call.show_peer_scores_after_submit else "",
            "disagreement_threshold": call.disagreement_threshold,
            "evaluation_due": call.evaluation_due or "",
            **management("criteria", total=len(criteria), initial=len(criteria))}
    for i, c in enumerate(criteria):
        prefix = f"criteria-{i}-"
        data.update({prefix + "id": c.pk, prefix + "call": call.pk,
                     prefix + "position": c.position, prefix + "label": c.label,
                     prefix + "description": c.description, prefix + "weight": c.weight,
                     prefix + "max_score": c.max_score,
                     prefix + "allows_not_applicable": "on" if c.allows_not_applicable
                     else ""})
    data.update(overrides)
    return data


def test_officers_edit_the_grid_and_the_settings_audited(client, call_2023):
    agent = officer()
    client.force_login(agent)
    assert client.get(GRIDS).status_code == 200
    url = f"{GRIDS}{call_2023.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Solidité du collectif" in page.content.decode()
    data = grid_form(call_2023, evaluators_per_dossier=3, disagreement_threshold="5",
                     evaluation_due="2023-05-25", **{
                         "criteria-TOTAL_FORMS": 7, "criteria-6-call": call_2023.pk,
                         "criteria-6-position": 7, "criteria-6-label": "Liens Rev3",
                         "criteria-6-weight": "5", "criteria-6-max_score": "5",
                         "criteria-6-allows_not_applicable": "on",
                         "criteria-0-weight": "25"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    call_2023.refresh_from_db()
    assert (call_2023.evaluators_per_dossier, call_2023.disagreement_threshold) == (
        3, Decimal("5.00"))
    assert call_2023.criteria.count() == 7
    assert call_2023.criteria.get(position=1).weight == Decimal("25.00")
    events = AuditEvent.objects.for_object(call_2023)
    updated = events.get(action="call.updated")
    assert updated.actor == agent and updated.data["changes"]["evaluators_per_dossier"] == [2, 3]
    assert events.get(action="grid.criterion_added").data["label"] == "Liens Rev3"
    assert events.get(action="grid.criterion_changed").data["changes"]["weight"] == [
        "20.00", "25"]


def test_the_grid_is_frozen_once_scoring_started(client, world):
    (evaluation,) = assign(world.officer, world.dossier, world.ev1)
    services.record_score(evaluator=world.ev1, evaluation=evaluation,
                          criterion=world.criteria[0], value=Decimal("4"))
    agent = officer()
    client.force_login(agent)
    url = f"{GRIDS}{world.call.pk}/change/"
    html = client.get(url).content.decode()
    assert 'name="criteria-0-weight"' not in html  # shown, not editable
    assert 'name="criteria-0-label"' in html  # labels stay editable
    data = grid_form(world.call, **{"criteria-0-weight": "99", "criteria-0-label": "Axes",
                                    "criteria-0-DELETE": "on"})
    client.post(url, data)
    first = Criterion.objects.get(pk=world.criteria[0].pk)  # not deleted
    assert (first.weight, first.label) == (Decimal("20.00"), "Axes")


def test_officers_read_the_evaluation_lists(client, world, django_assert_max_num_queries):
    first, second = assign(world.officer, world.dossier, world.ev1, world.ev2)
    score(first, [4, 12, "n/a"])
    services.declare_conflict(evaluator=world.ev3, assignment=services.assign_evaluators(
        officer=world.officer, dossier=world.dossier, evaluators=[world.ev3])[0],
        has_conflict=True, details="Ancien salarié du chef de file.")
    client.force_login(officer())
    for url in LISTS:
        with django_assert_max_num_queries(25):
            response = client.get(url)
        assert response.status_code == 200, url
    html = client.get(f"/admin/evaluation/evaluation/{first.pk}/change/").content.decode()
    assert "14,00" in html or "14.00" in html  # 20 × (0.8×20 + 0.6×20) / 40
    assert client.get("/admin/evaluation/evaluation/add/").status_code == 403


@pytest.mark.parametrize("roles", [["evaluator"], ["tiers_lieux_staff"]])
def test_evaluators_and_staff_have_no_evaluation_admin(client, call_2023, roles):
    user = UserFactory(roles=roles, is_staff=True)
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    for url in [GRIDS, f"{GRIDS}{call_2023.pk}/change/", *LISTS]:
        assert client.get(url).status_code == 403, url


def test_the_call_admin_shows_the_evaluation_settings(client, call_2023):
    client.force_login(officer())
    html = client.get(f"/admin/calls/call/{call_2023.pk}/change/").content.decode()
    assert "field-evaluators_per_dossier" in html
    assert 'name="evaluators_per_dossier"' not in html  # edited with the grid
