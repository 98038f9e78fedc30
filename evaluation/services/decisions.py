"""Officers decide on the dossiers of a call: each decision is first *staged* (selected with an
awarded rate and amount, rejected with reasons, or waitlisted), then every staged decision of
the call is *announced* together, which moves each dossier through its transition table.

An awarded amount always obeys the call's one subsidy rule (`applications.budget`): the rate
lies within [minimum rate, ceiling] (the ceiling raised by the bonus on a low-training-supply
territory, as recorded when the dossier was filed), the amount is the eligible base of the
filed budget × the rate, rounded to the cent half up, within the call's award range.

Decision letters are not produced here: `announce` returns the ids of the decisions it
announced, for the letters to be generated from them.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.budget import CENT, HUNDRED, CallRules, compute_budget
from applications.dossier_documents import row_rate, view_of
from applications.dossier_workflow import DOSSIER_LIFECYCLE
from applications.models import Dossier, DossierStatus
from connaissance.audit.services import record
from connaissance.formatting import money, percent

from ..errors import EvaluationError
from ..models import Decision, DecisionOutcome
from .common import require_officer, required_text

DECIDABLE = (DossierStatus.UNDER_EVALUATION, DossierStatus.WAITLISTED)
AWARD_PROBLEMS = ("base_not_positive", "rate_out_of_range", "subsidy_out_of_range")


@dataclass(frozen=True)
class Award:
    """An awarded rate and the amount the subsidy rule gives for it."""

    rate: Decimal
    amount: Decimal
    eligible_base: Decimal
    min_rate: Decimal
    rate_ceiling: Decimal
    bonus_applied: bool


def _number(value, message):
    if isinstance(value, float):
        raise EvaluationError(message)
    try:
        number = Decimal(str(value).strip().replace("\u202f", "").replace(" ", "")
                         .replace("\u00a0", "").replace("€", "").replace("%", "")
                         .replace(",", "."))
    except (InvalidOperation, ValueError):
        raise EvaluationError(message) from None
    if not number.is_finite() or number != number.quantize(CENT):
        raise EvaluationError(message)
    return number.quantize(CENT)


def check_award(dossier, rate) -> Award:
    """The award of `dossier` at `rate` (percent), by the subsidy rule applied to its filed
    budget; raises EvaluationError (one sentence per problem) when the rule refuses it."""
    rate = _number(rate, _("Give the awarded rate as a number with two decimals at most."))
    call = dossier.note.collective.call
    rules = CallRules.from_call(call)
    budget = view_of(dossier).get("budget") or {}
    figures = compute_budget(expenses=budget.get("expenses") or [],
                             resources=budget.get("resources") or [], requested_rate=rate,
                             low_supply=bool(budget.get("low_supply")), rules=rules)
    problems = []
    if "base_not_positive" in figures.codes:
        problems.append(_("The eligible base of the filed budget is not positive (%(base)s).")
                        % {"base": money(figures.eligible_base)})
    if "rate_out_of_range" in figures.codes:
        text = (_("The awarded rate (%(rate)s) must lie between %(min)s and %(max)s "
                  "(ceiling raised by the bonus for a low-training-supply territory).")
                if figures.bonus_applied else
                _("The awarded rate (%(rate)s) must lie between %(min)s and %(max)s."))
        problems.append(text % {"rate": percent(rate), "min": percent(rules.min_rate),
                                "max": percent(figures.rate_ceiling)})
    if "subsidy_out_of_range" in figures.codes:
        problems.append(_("The awarded amount (%(amount)s) must lie between %(min)s and "
                          "%(max)s.") % {"amount": money(figures.requested_subsidy),
                                         "min": money(rules.min_award),
                                         "max": money(rules.max_award)})
    if problems:
        raise EvaluationError(" ".join(problems))
    return Award(rate=rate, amount=figures.requested_subsidy,
                 eligible_base=figures.eligible_base, min_rate=rules.min_rate,
                 rate_ceiling=figures.rate_ceiling, bonus_applied=figures.bonus_applied)


def proposed_award(dossier, rate, amount):
    """The award from a proposed rate and/or amount (the rate defaults to the requested
    one; an amount alone gives its rate, which must give back exactly that amount)."""
    if amount not in (None, "") and rate in (None, ""):
        amount = _number(amount, _("Give the awarded amount in euros and cents."))
        base = _eligible_base(dossier)
        if base <= 0:
            raise EvaluationError(_("The eligible base of the filed budget is not positive."))
        rate = (amount * HUNDRED / base).quantize(CENT, rounding=ROUND_HALF_UP)
        award = check_award(dossier, rate)
        if award.amount != amount:
            raise EvaluationError(_(
                "%(amount)s is not the eligible base (%(base)s) times a rate with two "
                "decimals: the rate %(rate)s gives %(computed)s.") % {
                "amount": money(amount), "base": money(base), "rate": percent(rate),
                "computed": money(award.amount)})
        return award
    if rate in (None, ""):
        rate = row_rate(dossier)
        if rate is None:
            raise EvaluationError(_("The dossier requested no rate: give the awarded rate."))
    award = check_award(dossier, rate)
    if amount not in (None, ""):
        amount = _number(amount, _("Give the awarded amount in euros and cents."))
        if amount != award.amount:
            raise EvaluationError(_(
                "At %(rate)s the subsidy rule gives %(computed)s (eligible base %(base)s), "
                "not %(amount)s.") % {"rate": percent(award.rate),
                                      "computed": money(award.amount),
                                      "base": money(award.eligible_base),
                                      "amount": money(amount)})
    return award


def _eligible_base(dossier):
    budget = view_of(dossier).get("budget") or {}
    call = dossier.note.collective.call
    return compute_budget(expenses=budget.get("expenses") or [], resources=[],
                          requested_rate=Decimal("0"), low_supply=False,
                          rules=CallRules.from_call(call)).eligible_base


def _locked_dossier(dossier):
    return (Dossier.objects.select_for_update(of=("self",))
            .select_related("note__collective__call").get(pk=dossier.pk))


@transaction.atomic
def stage_decision(*, officer, dossier, outcome, rate=None, amount=None, reasons=""):
    """Stage (or replace the staged) decision on a dossier under evaluation or on the waiting
    list. Selected: the awarded rate defaults to the requested rate and the amount is
    computed by the subsidy rule (a proposed amount must be what the rule gives); rejected:
    reasons are required. Nothing changes for the collective until `announce`."""
    require_officer(officer)
    if outcome not in DecisionOutcome.values:
        raise EvaluationError(_("Choose a decision."))
    locked = _locked_dossier(dossier)
    if locked.status not in DECIDABLE:
        raise EvaluationError(_("Only a dossier under examination or on the waiting list can "
                                "be decided."))
    if locked.status == outcome:
        raise EvaluationError(_("This dossier is already on the waiting list."))
    reasons = (reasons or "").strip()
    award = None
    if outcome == DecisionOutcome.REJECTED:
        reasons = required_text(reasons, _("Give the reasons why the dossier is not "
                                           "selected."))
    elif outcome == DecisionOutcome.SELECTED:
        award = proposed_award(locked, rate, amount)
    values = {"outcome": outcome, "reasons": reasons,
              "awarded_rate": award.rate if award else None,
              "awarded_amount": award.amount if award else None,
              "staged_by": officer, "staged_at": timezone.now(),
              "announced_at": None, "announced_by": None}
    decision, _created = Decision.objects.update_or_create(
        dossier=locked, defaults=values)
    record(actor=officer, obj=decision, action="decision.staged", reason=reasons,
           data={"dossier": locked.reference, "outcome": outcome,
                 "rate": values["awarded_rate"], "amount": values["awarded_amount"],
                 "bonus": bool(award and award.bonus_applied)})
    return decision


@transaction.atomic
def unstage(*, officer, decision):
    """Withdraw a staged decision before it is announced."""
    require_officer(officer)
    locked = Decision.objects.select_for_update().select_related("dossier").get(
        pk=decision.pk)
    if locked.is_announced:
        raise EvaluationError(_("This decision was announced; it can no longer be "
                                "withdrawn."))
    record(actor=officer, obj=locked, action="decision.unstaged",
           data={"dossier": locked.dossier.reference, "outcome": locked.outcome})
    locked.delete()


def staged_decisions(call):
    """The decisions of `call` staged and not announced yet."""
    return (Decision.objects.filter(dossier__note__collective__call=call,
                                    announced_at__isnull=True)
            .select_related("dossier__note__collective__call")
            .order_by("dossier__reference", "pk"))


@transaction.atomic
def announce(*, officer, call):
    """Announce every staged decision of `call` at once: each dossier moves to its decided
    state through DOSSIER_LIFECYCLE (audited, with who and when) and the decision gets its
    announcement date. A decision whose dossier can no longer move (withdrawn meanwhile) is
    left staged and counted as skipped. Running it again changes nothing.

    Returns {"selected": n, "rejected": n, "waitlisted": n, "skipped": [references],
    "announced": [decision ids]} (the ids are what decision letters are generated from)."""
    require_officer(officer)
    decisions = list(staged_decisions(call).select_for_update(of=("self",)))
    dossiers = {d.pk: d for d in Dossier.objects.select_for_update()
                .filter(pk__in=[decision.dossier_id for decision in decisions])}
    now = timezone.now()
    result = {outcome: 0 for outcome in DecisionOutcome.values}
    result.update(skipped=[], announced=[])
    for decision in decisions:
        dossier = dossiers[decision.dossier_id]
        if not DOSSIER_LIFECYCLE.can(dossier.status, decision.outcome):
            result["skipped"].append(dossier.reference)
            continue
        DOSSIER_LIFECYCLE.apply(
            dossier, to_state=decision.outcome, actor=officer, reason=decision.reasons,
            data={"rate": decision.awarded_rate, "amount": decision.awarded_amount,
                  "decision": decision.pk})
        Dossier.objects.filter(pk=dossier.pk).update(status_reason=decision.reasons)
        Decision.objects.filter(pk=decision.pk).update(announced_at=now,
                                                       announced_by=officer)
        record(actor=officer, obj=decision, action="decision.announced",
               data={"dossier": dossier.reference, "outcome": decision.outcome,
                     "rate": decision.awarded_rate, "amount": decision.awarded_amount})
        result[decision.outcome] += 1
        result["announced"].append(decision.pk)
    return result

