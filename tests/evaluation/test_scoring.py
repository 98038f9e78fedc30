"""How marks are computed: weights, not applicable left out, mean, median (odd and even
counts), spread and the disagreement flag; then the same figures from PostgreSQL."""

from decimal import Decimal

import pytest
from django.utils import translation

from applications.models import Dossier
from evaluation.scoring import (
    Progress,
    ScoreLine,
    scored_dossiers,
    summarize,
    weighted_mark,
)
from tests.evaluation.builders import admissible_dossier, assign, score

D = Decimal


def line(value, top, weight, na=False):
    return ScoreLine(value=None if value is None else D(str(value)), max_score=D(str(top)),
                     weight=D(str(weight)), not_applicable=na)


@pytest.mark.parametrize("lines, expected", [
    pytest.param([line(5, 5, 20), line(20, 20, 10)], "20.00", id="everything-at-the-top"),
    pytest.param([line(0, 5, 20), line(0, 20, 10)], "0.00", id="everything-at-zero"),
    pytest.param([line(5, 5, 20), line(0, 5, 10)], "13.33", id="weights-count"),
    pytest.param([line(0, 5, 20), line(5, 5, 10)], "6.67", id="weights-count-the-other-way"),
    pytest.param([line(10, 20, 1), line(3, 5, 1)], "11.00", id="different-highest-scores"),
    pytest.param([line(4, 5, 20), line(None, 5, 10, na=True)], "16.00",
                 id="not-applicable-left-out-not-zero"),
    pytest.param([line(4, 5, 20), line(0, 5, 10)], "10.67", id="a-zero-does-count"),
    pytest.param([line(4, 5, 20), line(None, 5, 10)], "16.00", id="unscored-line-ignored"),
    pytest.param([line("0.01", 8, 1)], "0.03", id="rounded-half-up"),
    pytest.param([line(1, 3, 1)], "6.67", id="repeating-decimal"),
    pytest.param([line("2.5", 5, 15), line("3.75", 5, 15), line(4, 5, 20)], "13.90",
                 id="decimal-scores"),
    pytest.param([line(None, 5, 10, na=True)], None, id="nothing-applicable"),
    pytest.param([], None, id="no-line"),
])
def test_weighted_mark(lines, expected):
    assert weighted_mark(lines) == (None if expected is None else D(expected))


@pytest.mark.parametrize("marks, threshold, mean, median, spread, disagreement", [
    pytest.param(["12", "15", "10"], "4", "12.33", "12.00", "5.00", True, id="odd-count"),
    pytest.param(["10", "12", "15", "16"], "4", "13.25", "13.50", "6.00", True,
                 id="even-count"),
    pytest.param(["12", "14"], "4", "13.00", "13.00", "2.00", False, id="agreement"),
    pytest.param(["12", "16"], "4", "14.00", "14.00", "4.00", True,
                 id="spread-equal-to-threshold-flags"),
    pytest.param(["12", "15.99"], "4", "14.00", "14.00", "3.99", False, id="just-below"),
    pytest.param(["12", "16"], "5", "14.00", "14.00", "4.00", False, id="call-threshold"),
    pytest.param(["10.01", "10.02"], "4", "10.02", "10.02", "0.01", False,
                 id="median-and-mean-rounded-half-up"),
    pytest.param(["18"], "4", "18.00", "18.00", "0.00", False, id="one-evaluator-no-flag"),
    pytest.param(["9", None, "11"], "4", "10.00", "10.00", "2.00", False,
                 id="none-ignored"),
])
def test_summarize(marks, threshold, mean, median, spread, disagreement):
    summary = summarize([None if m is None else D(m) for m in marks], threshold=D(threshold))
    assert (summary.mean, summary.median, summary.spread, summary.disagreement) == (
        D(mean), D(median), D(spread), disagreement)
    assert summary.count == len([m for m in marks if m is not None])


def test_summary_of_no_marks():
    summary = summarize([], threshold=D("4"))
    assert (summary.count, summary.mean, summary.median, summary.spread,
            summary.disagreement) == (0, None, None, None, False)


@pytest.mark.parametrize("submitted, assigned, required, text, missing, complete", [
    (2, 3, 2, "2/3 evaluations received", 0, False),
    (3, 3, 2, "3/3 evaluations received", 0, True),
    (0, 1, 2, "0/2 evaluations received", 1, False),
    (1, 1, 2, "1/2 evaluations received", 1, False),
    (0, 0, 2, "0/2 evaluations received", 2, False),
])
def test_progress(submitted, assigned, required, text, missing, complete):
    progress = Progress(submitted=submitted, assigned=assigned, required=required)
    with translation.override("en"):
        assert str(progress) == text
    assert (progress.missing_evaluators, progress.complete) == (missing, complete)


def test_dossier_figures_from_postgresql(world):
    """Grid: weights 20/20/10, highest scores 5/20/5, the third may be not applicable."""
    first, second, third = assign(world.officer, world.dossier, world.ev1, world.ev2,
                                  world.ev3)
    score(first, [5, 20, 5])          # 20.00
    score(second, [2, 10, "n/a"])     # 20 × (0.4×20 + 0.5×20) / 40 = 9.00
    score(third, [4, 4, 4], submit=False)  # a draft: not counted
    other, _member = admissible_dossier(call=world.call, agent=world.officer)

    rows = {row.dossier.pk: row for row in scored_dossiers(
        Dossier.objects.filter(pk__in=[world.dossier.pk, other.pk]))}
    row = rows[world.dossier.pk]
    assert row.marks == {world.ev1.pk: D("20.00"), world.ev2.pk: D("9.00")}
    assert (row.summary.mean, row.summary.median, row.summary.spread) == (
        D("14.50"), D("14.50"), D("11.00"))
    assert row.summary.disagreement is True
    with translation.override("en"):
        assert str(row.progress) == "2/3 evaluations received"
    empty = rows[other.pk]
    assert (empty.summary.count, empty.summary.mean, empty.progress.expected) == (0, None, 2)


def test_threshold_is_read_from_the_call(world):
    world.call.disagreement_threshold = D("12")
    world.call.save(update_fields=["disagreement_threshold"])
    first, second = assign(world.officer, world.dossier, world.ev1, world.ev2)
    score(first, [5, 20, 5])
    score(second, [2, 10, "n/a"])
    (row,) = scored_dossiers(Dossier.objects.filter(pk=world.dossier.pk))
    assert row.summary.spread == D("11.00") and row.summary.disagreement is False
