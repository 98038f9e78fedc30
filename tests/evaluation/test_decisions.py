"""Decisions on dossiers (issue 6): the award checked by the call's subsidy rule, decisions
staged then announced together through the dossier's transition table, audited, idempotent."""

from decimal import Decimal

import pytest

from applications.models import Dossier, DossierStatus
from applications.services.dossiers import withdraw
from connaissance.audit.models import AuditEvent
from evaluation.errors import EvaluationError
from evaluation.models import Decision, DecisionOutcome
from evaluation.services import announce, check_award, stage_decision, unstage
from tests.evaluation.builders import admissible_dossier, assign

pytestmark = pytest.mark.django_db
D = Decimal


def under_evaluation(world, dossier=None):
    """The dossier (the world's by default) moved « en instruction » by an assignment."""
    dossier = dossier or world.dossier
    assign(world.officer, dossier, world.ev1)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.UNDER_EVALUATION
    return dossier


def another(world):
    dossier, _member = admissible_dossier(call=world.call, agent=world.officer)
    return under_evaluation(world, dossier)


def with_budget(dossier, *, base, low_supply=False):
    """Rewrite the filed budget (snapshot) to one eligible line of `base` € plus a training
    line, balanced, on a low-training-supply territory or not."""
    budget = dossier.snapshot["budget"]
    budget["expenses"] = [{"amount": str(base), "is_training_cost": False},
                          {"amount": "1000.00", "is_training_cost": True}]
    budget["resources"] = [{"amount": str(D(base) + 1000)}]
    budget["low_supply"] = ["Thiérache"] if low_supply else []
    Dossier.objects.filter(pk=dossier.pk).update(snapshot=dossier.snapshot)
    dossier.refresh_from_db()
    return dossier


# --- the award rule --------------------------------------------------------------------------

def test_the_award_is_the_eligible_base_times_the_rate(world):
    dossier = world.dossier  # eligible base 250 000,00 € (training costs excluded)
    assert check_award(dossier, D("70")).amount == D("175000.00")
    assert check_award(dossier, "72,5").amount == D("181250.00")
    award = check_award(dossier, D("80"))
    assert (award.amount, award.rate_ceiling, award.bonus_applied) == (
        D("200000.00"), D("80.00"), False)


def test_the_rate_stays_within_the_call_range_without_bonus(world):
    for rate in ("69.99", "80.01", "90"):
        with pytest.raises(EvaluationError) as error:
            check_award(world.dossier, D(rate))
        assert "70" in str(error.value) and "80" in str(error.value)


def test_the_bonus_raises_the_ceiling_on_a_low_supply_territory(world):
    dossier = with_budget(world.dossier, base="250000.00", low_supply=True)
    award = check_award(dossier, D("90"))
    assert (award.amount, award.rate_ceiling, award.bonus_applied) == (
        D("225000.00"), D("90.00"), True)
    with pytest.raises(EvaluationError, match="90"):
        check_award(dossier, D("90.01"))
    with pytest.raises(EvaluationError):
        check_award(dossier, D("69"))


def test_the_amount_is_rounded_half_up_to_the_cent(world):
    dossier = with_budget(world.dossier, base="142857.15")
    assert check_award(dossier, D("70")).amount == D("100000.01")  # 100 000,005 €


def test_an_amount_outside_the_award_range_is_refused(world):
    dossier = with_budget(world.dossier, base="142857.13")  # × 70 % = 99 999,991 €
    with pytest.raises(EvaluationError, match="100"):
        check_award(dossier, D("70"))
    dossier = with_budget(world.dossier, base="500000.00")
    assert check_award(dossier, D("80")).amount == D("400000.00")  # the bound is allowed
    with pytest.raises(EvaluationError):
        check_award(dossier, D("80.01"))  # 400 050,00 €


def test_a_float_or_garbage_rate_is_refused(world):
    for rate in (75.0, "abc", "75.001"):
        with pytest.raises(EvaluationError):
            check_award(world.dossier, rate)


# --- staging ---------------------------------------------------------------------------------

def test_selected_defaults_to_the_requested_rate(world):
    dossier = under_evaluation(world)
    decision = stage_decision(officer=world.officer, dossier=dossier,
                              outcome=DecisionOutcome.SELECTED)
    assert (decision.awarded_rate, decision.awarded_amount) == (D("80.00"), D("200000.00"))
    assert decision.announced_at is None and decision.staged_by == world.officer
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.UNDER_EVALUATION  # nothing moves before announcing
    event = AuditEvent.objects.for_object(decision).get(action="decision.staged")
    assert event.data["amount"] == "200000.00"


def test_an_officer_proposes_another_rate_or_amount(world):
    dossier = under_evaluation(world)
    decision = stage_decision(officer=world.officer, dossier=dossier, outcome="selected",
                              rate="75")
    assert decision.awarded_amount == D("187500.00")
    decision = stage_decision(officer=world.officer, dossier=dossier, outcome="selected",
                              amount="175000")
    assert (decision.awarded_rate, decision.awarded_amount) == (D("70.00"), D("175000.00"))
    assert Decision.objects.count() == 1  # replaced, not added
    for kwargs in ({"amount": "175001"}, {"rate": "75", "amount": "175000"},
                   {"rate": "85"}, {"amount": "99000"}):
        with pytest.raises(EvaluationError):
            stage_decision(officer=world.officer, dossier=dossier, outcome="selected",
                           **kwargs)
    assert Decision.objects.get().awarded_amount == D("175000.00")


def test_a_rejection_needs_reasons(world):
    dossier = under_evaluation(world)
    with pytest.raises(EvaluationError):
        stage_decision(officer=world.officer, dossier=dossier, outcome="rejected",
                       reasons="   ")
    decision = stage_decision(officer=world.officer, dossier=dossier, outcome="rejected",
                              reasons="Budget insuffisamment cofinancé.")
    assert decision.awarded_amount is None and decision.reasons.startswith("Budget")


def test_only_officers_stage_and_only_dossiers_under_examination(world):
    with pytest.raises(EvaluationError):  # admissible, not under examination yet
        stage_decision(officer=world.officer, dossier=world.dossier, outcome="waitlisted")
    dossier = under_evaluation(world)
    for user in (world.ev1, world.member, None):
        with pytest.raises(EvaluationError):
            stage_decision(officer=user, dossier=dossier, outcome="waitlisted")
    with pytest.raises(EvaluationError):
        stage_decision(officer=world.officer, dossier=dossier, outcome="maybe")
    assert not Decision.objects.exists()


def test_a_staged_decision_is_withdrawn_until_announced(world):
    dossier = under_evaluation(world)
    decision = stage_decision(officer=world.officer, dossier=dossier, outcome="waitlisted")
    unstage(officer=world.officer, decision=decision)
    assert not Decision.objects.exists()
    decision = stage_decision(officer=world.officer, dossier=dossier, outcome="rejected",
                              reasons="Hors axes.")
    announce(officer=world.officer, call=world.call)
    with pytest.raises(EvaluationError):
        unstage(officer=world.officer, decision=decision)


# --- announcing ------------------------------------------------------------------------------

def test_announce_moves_every_staged_dossier_once(world):
    first, second, third = under_evaluation(world), another(world), another(world)
    stage_decision(officer=world.officer, dossier=first, outcome="selected", rate="75")
    stage_decision(officer=world.officer, dossier=second, outcome="rejected",
                   reasons="Partenariat trop fragile.")
    stage_decision(officer=world.officer, dossier=third, outcome="waitlisted")
    result = announce(officer=world.officer, call=world.call)
    assert (result["selected"], result["rejected"], result["waitlisted"]) == (1, 1, 1)
    assert len(result["announced"]) == 3 and result["skipped"] == []
    statuses = {d.pk: (d.status, d.status_reason) for d in Dossier.objects.all()}
    assert statuses[first.pk] == (DossierStatus.SELECTED, "")
    assert statuses[second.pk] == (DossierStatus.REJECTED, "Partenariat trop fragile.")
    assert statuses[third.pk][0] == DossierStatus.WAITLISTED
    event = AuditEvent.objects.for_object(first).get(action="dossier.select")
    assert (event.from_state, event.to_state, event.actor) == (
        "under_evaluation", "selected", world.officer)
    assert event.data["amount"] == "187500.00"
    assert AuditEvent.objects.for_object(second).get(action="dossier.reject").reason
    assert all(d.announced_at and d.announced_by == world.officer
               for d in Decision.objects.all())

    events = AuditEvent.objects.count()
    again = announce(officer=world.officer, call=world.call)
    assert again["announced"] == [] and AuditEvent.objects.count() == events


def test_a_waitlisted_dossier_is_decided_again(world):
    dossier = under_evaluation(world)
    stage_decision(officer=world.officer, dossier=dossier, outcome="waitlisted")
    announce(officer=world.officer, call=world.call)
    with pytest.raises(EvaluationError):  # already on the waiting list
        stage_decision(officer=world.officer, dossier=dossier, outcome="waitlisted")
    decision = stage_decision(officer=world.officer, dossier=dossier, outcome="selected")
    assert decision.announced_at is None
    assert announce(officer=world.officer, call=world.call)["selected"] == 1
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SELECTED
    with pytest.raises(EvaluationError):  # decided for good
        stage_decision(officer=world.officer, dossier=dossier, outcome="rejected",
                       reasons="Non.")


def test_a_dossier_withdrawn_meanwhile_is_skipped(world):
    dossier = under_evaluation(world)
    stage_decision(officer=world.officer, dossier=dossier, outcome="waitlisted")
    withdraw(user=world.member, dossier=dossier, reason="Le collectif se retire.")
    result = announce(officer=world.officer, call=world.call)
    assert result["announced"] == [] and result["skipped"] == [dossier.reference]
    assert Decision.objects.get().announced_at is None


def test_only_officers_announce(world):
    with pytest.raises(EvaluationError):
        announce(officer=world.ev1, call=world.call)
