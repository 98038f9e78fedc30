"""The subsidy rule of the full dossier, as one pure function of the budget and the call's numbers.

No database, no model: cheap enough to run on every keystroke of the budget page, and the same
function the filing service runs again in its transaction. Every amount is a `Decimal` in euros;
floats are refused.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext

from connaissance.formatting import money, percent

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0")
ABSURD_AMOUNT = Decimal("100000000")  # one line above 100 000 000 € is a typing slip


@dataclass(frozen=True)
class CallRules:
    """The call's numbers the rule depends on (rates in percent, awards in euros)."""

    min_rate: Decimal
    max_rate: Decimal
    bonus_points: Decimal
    min_award: Decimal
    max_award: Decimal
    excludes_training_costs: bool = True

    @classmethod
    def from_call(cls, call) -> "CallRules":
        return cls(
            min_rate=call.min_rate, max_rate=call.max_rate, bonus_points=call.bonus_points,
            min_award=call.min_award, max_award=call.max_award,
            excludes_training_costs=getattr(call, "excludes_training_costs", True),
        )

    def rate_ceiling(self, low_supply: bool) -> Decimal:
        """The maximum rate, raised by the bonus points on a low-training-supply territory
        (never above 100 %)."""
        if not low_supply:
            return self.max_rate
        return min(self.max_rate + self.bonus_points, HUNDRED)


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    where: str = ""  # "expenses.0", "resources.2", "rate", "subsidy", "budget"


@dataclass(frozen=True)
class BudgetFigures:
    total_expenses: Decimal
    training_costs: Decimal
    eligible_base: Decimal
    total_resources: Decimal
    balanced: bool
    requested_rate: Decimal
    rate_ceiling: Decimal
    bonus_applied: bool
    requested_subsidy: Decimal
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def codes(self) -> set[str]:
        return {problem.code for problem in self.problems}


def _field(line, name, default=None):
    return line.get(name, default) if isinstance(line, Mapping) else getattr(line, name, default)


def _decimal(value) -> Decimal:
    if value is None or value == "":
        return ZERO  # a blank line of a draft counts for nothing
    if isinstance(value, float):
        raise TypeError("Budget amounts must be Decimal, never float.")
    return Decimal(value)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _line_problems(kind: str, amounts: list[Decimal]) -> list[Problem]:
    if kind == "expenses":
        negative = gettext("Expense line %(number)s has a negative amount (%(amount)s).")
        absurd = gettext("Expense line %(number)s is above %(limit)s (%(amount)s): "
                         "please check the amount.")
    else:
        negative = gettext("Resource line %(number)s has a negative amount (%(amount)s).")
        absurd = gettext("Resource line %(number)s is above %(limit)s (%(amount)s): "
                         "please check the amount.")
    problems = []
    for index, amount in enumerate(amounts):
        values = {"number": index + 1, "amount": money(amount), "limit": money(ABSURD_AMOUNT)}
        if amount < 0:
            problems.append(Problem("negative_amount", negative % values, f"{kind}.{index}"))
        elif amount > ABSURD_AMOUNT:
            problems.append(Problem("absurd_amount", absurd % values, f"{kind}.{index}"))
    return problems


def compute_budget(
    *,
    expenses: Iterable,
    resources: Iterable,
    requested_rate: Decimal,
    low_supply: bool,
    rules: CallRules,
) -> BudgetFigures:
    """Totals, eligible base, rate ceiling, requested subsidy and every problem of a budget.

    - `expenses`: objects or dicts with `amount` (Decimal) and `is_training_cost` (bool);
      `resources`: objects or dicts with `amount`. A blank amount counts as zero.
    - eligible base = total expenses − training costs (when the call excludes them);
    - rate ceiling = max_rate + bonus_points on a low-training-supply territory (at most 100),
      else max_rate; the requested rate must lie within [min_rate, ceiling], bounds included;
    - requested subsidy = eligible base × rate / 100, **rounded to the cent, half up**
      (249 999,9975 € → 250 000,00 €; 150 000,045 € → 150 000,05 €), then checked against
      [min_award, max_award], bounds included;
    - the budget balances when total resources equal total expenses to the cent.

    Messages are translated in the active language at call time.
    """
    expense_lines = list(expenses)
    expense_amounts = [_decimal(_field(line, "amount")) for line in expense_lines]
    resource_amounts = [_decimal(_field(line, "amount")) for line in resources]
    rate = _decimal(requested_rate)

    total_expenses = _cents(sum(expense_amounts, ZERO))
    training_costs = _cents(sum(
        (amount for line, amount in zip(expense_lines, expense_amounts, strict=True)
         if _field(line, "is_training_cost", False)), ZERO))
    eligible_base = total_expenses - (training_costs if rules.excludes_training_costs else ZERO)
    total_resources = _cents(sum(resource_amounts, ZERO))
    balanced = total_resources == total_expenses
    ceiling = rules.rate_ceiling(low_supply)
    subsidy = _cents(eligible_base * rate / HUNDRED)

    problems = _line_problems("expenses", expense_amounts)
    problems += _line_problems("resources", resource_amounts)
    if not balanced:
        problems.append(Problem("unbalanced", gettext(
            "The budget does not balance: expenses total %(expenses)s, resources total "
            "%(resources)s.") % {"expenses": money(total_expenses),
                                 "resources": money(total_resources)}, "budget"))
    if eligible_base <= 0:
        problems.append(Problem("base_not_positive", gettext(
            "The eligible base (expenses excluding training costs) must be positive; "
            "it is %(base)s.") % {"base": money(eligible_base)}, "budget"))
    if not rules.min_rate <= rate <= ceiling:
        problems.append(Problem("rate_out_of_range", gettext(
            "The requested rate (%(rate)s) must lie between %(min)s and %(max)s.") % {
            "rate": percent(rate), "min": percent(rules.min_rate), "max": percent(ceiling)},
            "rate"))
    if eligible_base > 0 and not rules.min_award <= subsidy <= rules.max_award:
        problems.append(Problem("subsidy_out_of_range", gettext(
            "The requested subsidy (%(subsidy)s) must lie between %(min)s and %(max)s.") % {
            "subsidy": money(subsidy), "min": money(rules.min_award),
            "max": money(rules.max_award)}, "subsidy"))

    return BudgetFigures(
        total_expenses=total_expenses, training_costs=training_costs,
        eligible_base=eligible_base, total_resources=total_resources, balanced=balanced,
        requested_rate=rate, rate_ceiling=ceiling,
        bonus_applied=bool(low_supply) and ceiling > rules.max_rate,
        requested_subsidy=subsidy, problems=tuple(problems),
    )
