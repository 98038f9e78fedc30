"""The subsidy rule, table-driven with the 2023 call's numbers: 70–80 %, +10 points of bonus on a
low-training-supply territory, awards from 100 000 € to 400 000 €."""

from dataclasses import dataclass
from decimal import Decimal as D

import pytest
from django.utils import translation

from applications.budget import BudgetFigures, CallRules, compute_budget
from tests.factories import CallFactory

RULES_2023 = CallRules(min_rate=D("70"), max_rate=D("80"), bonus_points=D("10"),
                       min_award=D("100000"), max_award=D("400000"))


@dataclass
class Line:
    amount: D
    is_training_cost: bool = False


def balanced(base, rate, *, low_supply=False, training=D("0"), rules=RULES_2023):
    """A balanced budget whose eligible base is `base` (plus `training` of training costs)."""
    expenses = [{"amount": base, "is_training_cost": False}]
    if training:
        expenses.append(Line(training, is_training_cost=True))
    return compute_budget(expenses=expenses, resources=[{"amount": base + training}],
                          requested_rate=D(rate), low_supply=low_supply, rules=rules)


RATE_OUT = {"rate_out_of_range"}
SUBSIDY_OUT = {"subsidy_out_of_range"}


@pytest.mark.parametrize(("base", "rate", "low_supply", "subsidy", "codes"), [
    pytest.param("400000", "70", False, "280000.00", set(), id="rate-70-lower-bound"),
    pytest.param("400000", "69.99", False, "279960.00", RATE_OUT, id="rate-69.99-refused"),
    pytest.param("400000", "80", False, "320000.00", set(), id="rate-80-no-bonus"),
    pytest.param("400000", "80.01", False, "320040.00", RATE_OUT, id="rate-80.01-no-bonus-refused"),
    pytest.param("400000", "85", False, "340000.00", RATE_OUT, id="rate-85-no-bonus-refused"),
    pytest.param("400000", "85", True, "340000.00", set(), id="rate-85-bonus"),
    pytest.param("400000", "90", True, "360000.00", set(), id="rate-90-bonus-upper-bound"),
    pytest.param("400000", "90.01", True, "360040.00", RATE_OUT, id="rate-90.01-bonus-refused"),
    pytest.param("400000", "69.99", True, "279960.00", RATE_OUT, id="rate-69.99-bonus-refused"),
    pytest.param("125000", "80", False, "100000.00", set(), id="subsidy-100000-min-award"),
    pytest.param("124999.99", "80", False, "99999.99", SUBSIDY_OUT, id="subsidy-99999.99-refused"),
    pytest.param("500000", "80", False, "400000.00", set(), id="subsidy-400000-max-award"),
    pytest.param("500000.01", "80", False, "400000.01", SUBSIDY_OUT,
                 id="subsidy-400000.01-refused"),
    pytest.param("500000", "85", True, "425000.00", SUBSIDY_OUT, id="bonus-rate-above-max-award"),
    pytest.param("333333.33", "75", False, "250000.00", set(), id="round-249999.9975-up"),
    pytest.param("200000.06", "75", False, "150000.05", set(), id="round-.xx5-half-up-not-even"),
    pytest.param("200000.02", "75", False, "150000.02", set(), id="round-.xx5-half-up-odd"),
    pytest.param("200000.05", "75", False, "150000.04", set(), id="round-.0375-up"),
    pytest.param("200000.01", "72.5", False, "145000.01", set(), id="round-.00725-up"),
    pytest.param("200000.03", "75", False, "150000.02", set(), id="round-.0225-down"),
])
def test_subsidy_rule(base, rate, low_supply, subsidy, codes):
    figures = balanced(D(base), rate, low_supply=low_supply)
    assert figures.requested_subsidy == D(subsidy)
    assert figures.requested_subsidy.as_tuple().exponent == -2
    assert figures.codes == codes
    assert figures.ok is (not codes)
    assert figures.balanced and figures.eligible_base == D(base)


@pytest.mark.parametrize(("low_supply", "rules", "ceiling", "bonus"), [
    pytest.param(False, RULES_2023, D("80"), False, id="no-bonus"),
    pytest.param(True, RULES_2023, D("90"), True, id="bonus-plus-10"),
    pytest.param(True, CallRules(D("70"), D("95"), D("10"), D("1"), D("2")), D("100"), True,
                 id="bonus-capped-at-100"),
    pytest.param(True, CallRules(D("70"), D("80"), D("0"), D("1"), D("2")), D("80"), False,
                 id="call-without-bonus"),
])
def test_rate_ceiling(low_supply, rules, ceiling, bonus):
    figures = balanced(D("400000"), "70", low_supply=low_supply, rules=rules)
    assert figures.rate_ceiling == ceiling
    assert figures.bonus_applied is bonus


def test_training_costs_are_excluded_from_the_base():
    figures = compute_budget(
        expenses=[Line(D("250000.00")), Line(D("50000.00"), True), {"amount": D("50000.00")},
                  {"amount": D("12345.67"), "is_training_cost": True}],
        resources=[Line(D("300000.00")), {"amount": D("62345.67")}],
        requested_rate=D("80"), low_supply=False, rules=RULES_2023)
    assert figures.total_expenses == D("362345.67")
    assert figures.training_costs == D("62345.67")
    assert figures.eligible_base == D("300000.00")
    assert figures.total_resources == D("362345.67")
    assert figures.requested_subsidy == D("240000.00")
    assert figures.ok


def test_a_call_that_keeps_training_costs_in_the_base():
    rules = CallRules(D("70"), D("80"), D("10"), D("100000"), D("400000"),
                      excludes_training_costs=False)
    figures = balanced(D("300000"), "80", training=D("50000"), rules=rules)
    assert figures.eligible_base == D("350000.00")
    assert figures.requested_subsidy == D("280000.00")


@pytest.mark.parametrize(("expenses", "resources", "codes"), [
    pytest.param(["300000", "-10"], ["299990"], {"negative_amount"}, id="negative-expense"),
    pytest.param(["300000"], ["300010", "-10"], {"negative_amount"}, id="negative-resource"),
    pytest.param(["300000", "100000000.01"], ["100300000.01"],
                 {"absurd_amount", "subsidy_out_of_range"},
                 id="absurd-expense"),
    pytest.param(["300000"], ["100000000.01", "-99700000.01"],
                 {"absurd_amount", "negative_amount"}, id="absurd-resource"),
    pytest.param(["300000"], ["299999.99"], {"unbalanced"}, id="unbalanced-by-a-cent"),
    pytest.param(["300000", "0.004"], ["300000"], set(), id="balanced-to-the-cent"),
    pytest.param(["300000"], [], {"unbalanced"}, id="no-resources"),
])
def test_bad_amounts(expenses, resources, codes):
    figures = compute_budget(
        expenses=[{"amount": D(a), "is_training_cost": False} for a in expenses],
        resources=[{"amount": D(a)} for a in resources],
        requested_rate=D("75"), low_supply=False, rules=RULES_2023)
    assert figures.codes == codes


def test_an_amount_of_exactly_100_million_is_not_absurd():
    figures = balanced(D("100000000"), "75")
    assert "absurd_amount" not in figures.codes


def test_the_unbalanced_message_shows_both_totals():
    figures = compute_budget(expenses=[Line(D("300000"))], resources=[Line(D("250000.5"))],
                             requested_rate=D("75"), low_supply=False, rules=RULES_2023)
    (problem,) = figures.problems
    assert "300\u202f000,00\u00a0€" in problem.message
    assert "250\u202f000,50\u00a0€" in problem.message


@pytest.mark.parametrize("expenses", [
    pytest.param([Line(D("50000"), True)], id="only-training-costs"),
    pytest.param([], id="no-expenses"),
])
def test_a_zero_base_is_refused(expenses):
    total = sum((line.amount for line in expenses), D("0"))
    figures = compute_budget(expenses=expenses, resources=[Line(total)], requested_rate=D("75"),
                             low_supply=False, rules=RULES_2023)
    assert figures.eligible_base == D("0")
    assert figures.requested_subsidy == D("0.00")
    assert figures.codes == {"base_not_positive"}
    assert not figures.ok


def test_floats_are_refused():
    with pytest.raises(TypeError):
        compute_budget(expenses=[{"amount": 300000.0}], resources=[], requested_rate=D("75"),
                       low_supply=False, rules=RULES_2023)


def test_figures_are_frozen():
    figures = balanced(D("400000"), "75")
    assert isinstance(figures, BudgetFigures)
    with pytest.raises(AttributeError):
        figures.requested_subsidy = D("1")


@pytest.mark.django_db
def test_rules_from_the_call():
    call = CallFactory(calendar=False)
    rules = CallRules.from_call(call)
    assert rules == RULES_2023
    assert rules.rate_ceiling(True) == call.bonus_rate_ceiling


def test_french_messages():
    with translation.override("fr"):
        figures = compute_budget(
            expenses=[Line(D("-1")), Line(D("200000000")), Line(D("10"), True)],
            resources=[Line(D("5"))], requested_rate=D("95"), low_supply=True, rules=RULES_2023)
    assert figures.codes == {"negative_amount", "absurd_amount", "unbalanced",
                             "rate_out_of_range", "subsidy_out_of_range"}
    assert all(problem.message.strip() for problem in figures.problems)
    rate = next(p for p in figures.problems if p.code == "rate_out_of_range")
    assert "95\u00a0%" in rate.message and "90\u00a0%" in rate.message
    subsidy = next(p for p in figures.problems if p.code == "subsidy_out_of_range")
    assert "400\u202f000,00\u00a0€" in subsidy.message
    assert [p.where for p in figures.problems][:2] == ["expenses.0", "expenses.1"]
