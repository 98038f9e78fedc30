"""Marks of evaluations, summaries of dossiers and evaluation progress.

**Mark of one evaluation, out of 20**::

    mark = 20 × Σ (value_i / max_i × weight_i) / Σ weight_i

over the criteria that were scored; a criterion marked *not applicable* is left out of both
sums (it does not count as zero), so the mark is the weighted share of the points reachable
on the applicable criteria. It is computed exactly (fractions) and rounded half-up to 0.01.

**Summary of a dossier**, over its *submitted* evaluations only: the mean, the median (the
mean of the two middle marks for an even count) and the spread (highest − lowest mark), all
computed from the rounded marks (so that the figures shown agree with each other) and rounded
half-up to 0.01. The dossier is flagged `disagreement` when at least two evaluators marked it
and the spread reaches the call's `disagreement_threshold` (4 points out of 20 by default).

The pure functions (`weighted_mark`, `summarize`, `Progress`) know nothing of the database;
`with_progress` and `scored_dossiers` bring them a whole list in a constant number of queries.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from math import floor

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from .models import EvaluationStatus, Score

OUT_OF = 20


@dataclass(frozen=True)
class ScoreLine:
    """One criterion of an evaluation: the value given (None if not scored yet)."""

    value: Decimal | None
    max_score: Decimal
    weight: Decimal
    not_applicable: bool = False


def _rounded(value: Fraction) -> Decimal:
    """Half-up to two decimals (marks and spreads are never negative)."""
    return Decimal(floor(value * 100 + Fraction(1, 2))).scaleb(-2)


def weighted_mark(lines) -> Decimal | None:
    """The mark out of 20 of an evaluation's score lines; None when nothing applicable was
    scored (every criterion not applicable, or none scored yet)."""
    points = weights = Fraction(0)
    for line in lines:
        if line.not_applicable or line.value is None:
            continue
        weight = Fraction(line.weight)
        points += Fraction(line.value) / Fraction(line.max_score) * weight
        weights += weight
    if not weights:
        return None
    return _rounded(OUT_OF * points / weights)


@dataclass(frozen=True)
class Summary:
    """The marks of a dossier's submitted evaluations and what officers read from them."""

    marks: tuple[Decimal, ...] = ()
    mean: Decimal | None = None
    median: Decimal | None = None
    spread: Decimal | None = None
    disagreement: bool = False

    @property
    def count(self):
        return len(self.marks)


def summarize(marks, *, threshold) -> Summary:
    """Mean, median, spread and the disagreement flag of a dossier's marks (None ignored)."""
    ordered = tuple(sorted(Decimal(m) for m in marks if m is not None))
    if not ordered:
        return Summary()
    exact = [Fraction(m) for m in ordered]
    middle = len(exact) // 2
    median = exact[middle] if len(exact) % 2 else (exact[middle - 1] + exact[middle]) / 2
    spread = ordered[-1] - ordered[0]
    return Summary(
        marks=ordered, mean=_rounded(sum(exact) / len(exact)), median=_rounded(median),
        spread=spread,
        disagreement=len(ordered) >= 2 and threshold is not None and spread >= threshold)


@dataclass(frozen=True)
class Progress:
    """How many evaluations came back, e.g. « 2/3 évaluations reçues ».

    `expected` is the number of evaluators assigned, or the call's evaluators-per-dossier
    setting while fewer are assigned (the missing ones still count as expected)."""

    submitted: int
    assigned: int
    required: int = 0

    @property
    def expected(self):
        return max(self.assigned, self.required)

    @property
    def missing_evaluators(self):
        return max(self.required - self.assigned, 0)

    @property
    def complete(self):
        return self.assigned > 0 and self.missing_evaluators == 0 \
            and self.submitted == self.assigned

    def __str__(self):
        return _("%(submitted)s/%(expected)s evaluations received") % {
            "submitted": self.submitted, "expected": self.expected}


def with_progress(dossiers):
    """Annotate a Dossier queryset with `assigned_count`, `submitted_count` and the call's
    `evaluators_required` and `disagreement_limit` (no query per dossier)."""
    submitted = Q(assignments__evaluation__status=EvaluationStatus.SUBMITTED)
    return dossiers.annotate(
        assigned_count=Count("assignments", distinct=True),
        submitted_count=Count("assignments", filter=submitted, distinct=True),
        evaluators_required=F("note__collective__call__evaluators_per_dossier"),
        disagreement_limit=F("note__collective__call__disagreement_threshold"),
    )


def progress_of(dossier) -> Progress:
    """The progress of a dossier annotated by `with_progress`."""
    return Progress(submitted=dossier.submitted_count, assigned=dossier.assigned_count,
                    required=dossier.evaluators_required)


def submitted_marks(dossier_ids):
    """{dossier_id: {evaluator_id: mark}} of the submitted evaluations, in one query."""
    rows = (Score.objects
            .filter(evaluation__status=EvaluationStatus.SUBMITTED,
                    evaluation__assignment__dossier_id__in=list(dossier_ids))
            .values_list("evaluation__assignment__dossier_id",
                         "evaluation__assignment__evaluator_id", "value",
                         "criterion__max_score", "criterion__weight", "not_applicable"))
    lines = defaultdict(list)
    for dossier_id, evaluator_id, value, max_score, weight, not_applicable in rows:
        lines[(dossier_id, evaluator_id)].append(
            ScoreLine(value=value, max_score=max_score, weight=weight,
                      not_applicable=not_applicable))
    marks = defaultdict(dict)
    for (dossier_id, evaluator_id), evaluation_lines in lines.items():
        marks[dossier_id][evaluator_id] = weighted_mark(evaluation_lines)
    return marks


@dataclass
class ScoredDossier:
    """A dossier with its evaluation progress, its marks per evaluator and their summary."""

    dossier: object
    progress: Progress
    marks: dict = field(default_factory=dict)
    summary: Summary = field(default_factory=Summary)


def scored_dossiers(dossiers) -> list[ScoredDossier]:
    """Progress and summary of every dossier of a queryset, in two queries whatever its
    length (the dossiers, annotated; then every score of their submitted evaluations)."""
    rows = list(with_progress(dossiers))
    marks = submitted_marks(d.pk for d in rows)
    return [ScoredDossier(dossier=d, progress=progress_of(d), marks=marks.get(d.pk, {}),
                          summary=summarize(marks.get(d.pk, {}).values(),
                                            threshold=d.disagreement_limit))
            for d in rows]


def mark_of(evaluation, scores=None) -> Decimal | None:
    """The mark of one evaluation, from `scores` (with their criteria) or its prefetched
    scores (prefetch them with their criteria for a list)."""
    scores = evaluation.scores.all() if scores is None else scores
    return weighted_mark(
        ScoreLine(value=s.value, max_score=s.criterion.max_score, weight=s.criterion.weight,
                  not_applicable=s.not_applicable)
        for s in scores)
