"""The officers' ranking of a call's dossiers against its envelope and its target count.

Dossiers under examination, on the waiting list, selected or not selected are ranked by mean
mark (highest first; a dossier not marked yet comes last), ties broken by the median, then by
filing time (earliest first). Each row carries the subsidy requested in the filed budget and
the amount that counts against the envelope:

- the awarded amount of a « selected » decision (staged or announced);
- nothing for a « not selected » or « waiting list » decision;
- the requested subsidy when no decision is staged yet.

The running total adds these amounts in rank order; a row is `within_envelope` while the
running total does not exceed `Call.budget_envelope`, and `position` counts the rows that
take money, to be read against the call's target number of projects (`min_projects` ..
`max_projects`). The arithmetic (`running_rows`) is pure; `rank` brings it the data in a
constant number of queries.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from applications.dossier_documents import row_figures, row_rate, row_title
from applications.models import Dossier, DossierStatus, ExpenseLine, ResourceLine

from .models import DecisionOutcome
from .scoring import scored_dossiers

ZERO = Decimal("0")
RANKED_STATES = (DossierStatus.UNDER_EVALUATION, DossierStatus.WAITLISTED,
                 DossierStatus.SELECTED, DossierStatus.REJECTED)


@dataclass
class Row:
    scored: object  # scoring.ScoredDossier
    requested: Decimal
    requested_rate: Decimal | None
    decision: object = None  # models.Decision or None
    title: str = ""
    counted: Decimal = ZERO
    running_total: Decimal = ZERO
    position: int | None = None
    rank: int = 0
    within_envelope: bool = False
    envelope_runs_out: bool = False  # the first row beyond the envelope
    target_min_reached: bool = False  # the row that reaches the minimum target count
    target_max_reached: bool = False  # the row that reaches the maximum target count

    @property
    def dossier(self):
        return self.scored.dossier

    @property
    def summary(self):
        return self.scored.summary

    @property
    def progress(self):
        return self.scored.progress

    @property
    def takes_money(self):
        return self.position is not None


def sort_key(scored):
    """Mean desc (unmarked last), median desc, filing time asc, pk."""
    summary, dossier = scored.summary, scored.dossier
    unmarked = summary.mean is None
    return (unmarked, -(summary.mean or ZERO), -(summary.median or ZERO),
            dossier.submitted_at is None, dossier.submitted_at or 0, dossier.pk)


def counted_amount(requested, decision):
    """What a row takes from the envelope (see the module's docstring)."""
    if decision is None:
        return requested
    if decision.outcome == DecisionOutcome.SELECTED:
        return decision.awarded_amount
    return None


def running_rows(rows, *, envelope, target_min, target_max):
    """Fill in rank, counted amount, running total, envelope flags and target positions of
    `rows`, already in rank order (pure: no database)."""
    total, position, ran_out = ZERO, 0, False
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
        amount = counted_amount(row.requested, row.decision)
        if amount is None:
            row.counted, row.position = ZERO, None
            row.running_total = total
            row.within_envelope = False
            continue
        total += amount
        position += 1
        row.counted, row.running_total, row.position = amount, total, position
        row.within_envelope = envelope is not None and total <= envelope
        row.envelope_runs_out = not row.within_envelope and not ran_out
        ran_out = ran_out or row.envelope_runs_out
        row.target_min_reached = position == target_min
        row.target_max_reached = position == target_max
    return rows


@dataclass
class Ranking:
    call: object
    rows: list
    envelope: Decimal
    target_min: int
    target_max: int

    @property
    def total(self):
        return self.rows[-1].running_total if self.rows else ZERO

    @property
    def remaining(self):
        return self.envelope - self.total

    @property
    def funded_count(self):
        return sum(1 for row in self.rows if row.takes_money)

    @property
    def within_count(self):
        return sum(1 for row in self.rows if row.within_envelope)

    @property
    def staged_count(self):
        return sum(1 for row in self.rows
                   if row.decision is not None and not row.decision.is_announced)


def ranked_queryset(call):
    unfiled = {"dossier__snapshot__isnull": True}
    return (Dossier.objects.filter(note__collective__call=call, status__in=RANKED_STATES)
            .select_related("note__collective__call", "decision")
            .prefetch_related(
                Prefetch("expenses", queryset=ExpenseLine.objects.filter(**unfiled)),
                Prefetch("resources", queryset=ResourceLine.objects.filter(**unfiled))))


def _decision(dossier):
    try:
        return dossier.decision
    except Dossier.decision.RelatedObjectDoesNotExist:
        return None


def rank(call) -> Ranking:
    """The ranking of `call` (a constant number of queries whatever the number of rows)."""
    rows = [Row(scored=scored, requested=row_figures(scored.dossier).requested_subsidy,
                requested_rate=row_rate(scored.dossier), decision=_decision(scored.dossier),
                title=row_title(scored.dossier))
            for scored in sorted(scored_dossiers(ranked_queryset(call)), key=sort_key)]
    running_rows(rows, envelope=call.budget_envelope, target_min=call.min_projects,
                 target_max=call.max_projects)
    return Ranking(call=call, rows=rows, envelope=call.budget_envelope,
                   target_min=call.min_projects, target_max=call.max_projects)
