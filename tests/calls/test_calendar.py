"""Phase rules: the whole-day Europe/Paris end, daylight saving, what is open, what is allowed."""

from datetime import UTC, date, datetime, timedelta

import pytest

from calls import calendar
from calls.calendar import ActionNotAllowed, end_of_day, start_of_day
from calls.calendar_checks import check_calendar
from calls.models import Phase, PhaseKind
from connaissance.formatting import PARIS
from tests.factories import CallFactory, PhaseFactory

pytestmark = pytest.mark.django_db


def test_whole_day_end_is_2359_paris_in_summer():
    closing = end_of_day(date(2023, 5, 15))
    assert closing.astimezone(PARIS).strftime("%H:%M:%S") == "23:59:59"
    # CEST: UTC+2
    assert closing.astimezone(UTC) == datetime(2023, 5, 15, 21, 59, 59, 999999, tzinfo=UTC)


def test_whole_day_end_is_2359_paris_in_winter():
    closing = end_of_day(date(2023, 3, 15))
    # CET: UTC+1
    assert closing.astimezone(UTC) == datetime(2023, 3, 15, 22, 59, 59, 999999, tzinfo=UTC)


@pytest.mark.parametrize("day, utc_hour", [
    (date(2023, 3, 26), 21),   # spring forward happens that night: the day ends in CEST
    (date(2023, 3, 25), 22),   # the day before, still CET
    (date(2023, 10, 29), 22),  # fall back: the day ends in CET
    (date(2023, 10, 28), 21),  # the day before, still CEST
])
def test_whole_day_end_across_daylight_saving_changes(day, utc_hour):
    closing = end_of_day(day)
    assert closing.astimezone(PARIS).time().isoformat() == "23:59:59.999999"
    assert closing.astimezone(UTC).hour == utc_hour
    assert closing.astimezone(UTC).date() == day


def test_start_of_day_on_spring_forward_day():
    assert start_of_day(date(2023, 3, 26)).astimezone(UTC) == datetime(2023, 3, 25, 23, 0,
                                                                       tzinfo=UTC)


def _window(call, kind, first, last):
    return PhaseFactory(call=call, kind=kind, starts_at=start_of_day(first),
                        ends_at=end_of_day(last))


def test_phase_open_one_second_before_close_and_closed_one_second_after():
    call = CallFactory(calendar=False)
    phase = _window(call, PhaseKind.PRESELECTION, date(2023, 2, 14), date(2023, 3, 15))
    closing = datetime(2023, 3, 15, 23, 59, 59, tzinfo=PARIS)
    assert calendar.is_open(phase, closing - timedelta(seconds=1))
    assert calendar.is_open(phase, closing)
    assert not calendar.is_open(phase, closing + timedelta(seconds=1))
    assert calendar.is_open(phase, datetime(2023, 2, 14, 0, 0, tzinfo=PARIS))
    assert not calendar.is_open(phase, datetime(2023, 2, 13, 23, 59, 59, tzinfo=PARIS))


def test_deadline_across_daylight_saving_change_of_the_closing_night():
    call = CallFactory(calendar=False)
    _window(call, PhaseKind.PRESELECTION, date(2023, 3, 1), date(2023, 3, 26))
    # 26/03/2023 23:59:59 Paris = 21:59:59 UTC (CEST since 02:00 that morning).
    assert calendar.is_allowed(call, "submit_note", datetime(2023, 3, 26, 21, 59, 58, tzinfo=UTC))
    assert not calendar.is_allowed(call, "submit_note",
                                   datetime(2023, 3, 26, 22, 0, 0, tzinfo=UTC))


def test_submit_dossier_needs_dossier_opening_and_open_filing(call_2023):
    before_opening = datetime(2023, 3, 14, 12, 0, tzinfo=PARIS)
    assert calendar.is_open(calendar.phase(call_2023, PhaseKind.FILING), before_opening)
    assert not calendar.is_allowed(call_2023, "submit_dossier", before_opening)
    assert calendar.is_allowed(call_2023, "submit_dossier",
                               datetime(2023, 3, 15, 0, 0, tzinfo=PARIS))
    assert calendar.is_allowed(call_2023, "submit_dossier",
                               datetime(2023, 5, 15, 23, 59, 59, tzinfo=PARIS))
    with pytest.raises(ActionNotAllowed, match="15 mai 2023 à 23 h 59"):
        calendar.require_allowed(call_2023, "submit_dossier",
                                 datetime(2023, 5, 16, 0, 0, 0, tzinfo=PARIS))


def test_submit_note_refusal_messages_are_french(call_2023):
    early = calendar.refusal(call_2023, "submit_note", datetime(2023, 2, 1, tzinfo=PARIS))
    late = calendar.refusal(call_2023, "submit_note", datetime(2023, 3, 16, tzinfo=PARIS))
    assert "14 février 2023" in early
    assert "15 mars 2023" in late and "heure de Paris" in late


def test_current_phase_and_time_left(call_2023):
    at = datetime(2023, 3, 10, 12, 0, tzinfo=PARIS)
    assert calendar.current_phase(call_2023, at).kind == PhaseKind.PRESELECTION
    deadline = calendar.next_deadline(call_2023, at)
    assert deadline.phase.kind == PhaseKind.PRESELECTION
    assert calendar.time_left(call_2023, at) == end_of_day(date(2023, 3, 15)) - at
    later = datetime(2023, 4, 2, tzinfo=PARIS)
    assert calendar.next_deadline(call_2023, later).phase.kind == PhaseKind.FILING
    assert calendar.next_deadline(call_2023, datetime(2023, 6, 1, tzinfo=PARIS)) is None


def test_stage_of_the_2023_call(call_2023):
    assert calendar.stage(call_2023, datetime(2023, 1, 1, tzinfo=PARIS)) == "upcoming"
    assert calendar.stage(call_2023, datetime(2023, 3, 1, tzinfo=PARIS)) == "open"
    assert calendar.stage(call_2023, datetime(2023, 5, 16, tzinfo=PARIS)) == "closed"


def test_2023_call_is_loaded_as_published(call_2023):
    phases = {p.kind: p for p in call_2023.phases.all()}
    assert len(phases) == 9
    assert phases[PhaseKind.INCUBATION].starts_at == start_of_day(date(2022, 2, 14))
    assert phases[PhaseKind.FILING].ends_at == end_of_day(date(2023, 5, 15))
    assert phases[PhaseKind.LAUNCH_EVENT].date_label == "juin 2023"
    assert call_2023.budget_envelope == 3900000
    assert (call_2023.min_rate, call_2023.max_rate, call_2023.bonus_points) == (70, 80, 10)
    assert call_2023.bonus_rate_ceiling == 90
    assert call_2023.eligibility_end == date(2026, 6, 30)
    assert [a.number for a in call_2023.axes.all()] == [1, 2]


def test_calendar_check_flags_the_2022_typo(call_2023):
    warnings = check_calendar(call_2023)
    incubation = [w for w in warnings if w.kind == PhaseKind.INCUBATION]
    assert {w.code for w in incubation} == {"before_publication", "too_long"}
    assert any("14 février 2022" in w.message for w in incubation)
    # nothing else in the 2023 calendar is inconsistent, and nothing was "fixed"
    assert {w.kind for w in warnings} == {PhaseKind.INCUBATION}
    assert Phase.objects.get(call=call_2023, kind=PhaseKind.INCUBATION).starts_at.year == 2022


def test_calendar_check_flags_each_inconsistency():
    call = CallFactory(calendar=False, eligibility_end=date(2026, 6, 30))
    _window(call, PhaseKind.PUBLICATION, date(2023, 2, 13), date(2023, 2, 13))
    _window(call, PhaseKind.PRESELECTION, date(2023, 3, 15), date(2023, 2, 14))
    _window(call, PhaseKind.FILING, date(2023, 2, 14), date(2023, 6, 15))
    _window(call, PhaseKind.SELECTION, date(2023, 2, 1), date(2023, 5, 30))
    PhaseFactory(call=call, kind=PhaseKind.DOSSIER_OPENING, starts_at=start_of_day(
        date(2023, 7, 1)), ends_at=None)
    PhaseFactory(call=call, kind=PhaseKind.ELIGIBILITY_END, starts_at=None,
                 ends_at=end_of_day(date(2026, 12, 31)))
    _window(call, PhaseKind.LAUNCH_FOLLOWUP, date(2027, 9, 1), date(2027, 9, 30))
    codes = {w.code for w in check_calendar(call)}
    assert {"ends_before_start", "filing_after_selection", "opening_after_filing",
            "selection_before_filing", "before_publication", "eligibility_mismatch",
            "after_eligibility"} <= codes


def test_calendar_check_reports_missing_phases():
    call = CallFactory(calendar=False)
    assert {w.code for w in check_calendar(call)} == {"missing"}
    assert len(check_calendar(call)) == 3


def test_consistent_calendar_has_no_warning():
    assert check_calendar(CallFactory()) == []
