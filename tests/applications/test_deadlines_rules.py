"""The calendar rules the scheduled jobs read (closing, opening, reminder moments, the rule
after an outage) and the deadline in words."""

from datetime import UTC, date, datetime

import pytest
from django.utils import translation

from calls import calendar
from calls.calendar import due_reminder, end_of_day, reminder_moment
from connaissance.formatting import deadline_text
from tests.applications.deadline_builders import deadline_call, paris

DEADLINE = end_of_day(date(2023, 5, 15))


def test_reminder_moments_are_09_00_paris_on_their_day():
    assert reminder_moment(DEADLINE, 7) == paris(2023, 5, 8, 9, 0)
    assert reminder_moment(DEADLINE, 1) == paris(2023, 5, 14, 9, 0)
    # Across the spring change (26 March 2023): still 09:00 Paris, i.e. 07:00 UTC after it.
    spring = end_of_day(date(2023, 3, 27))
    assert reminder_moment(spring, 1).astimezone(UTC) == datetime(2023, 3, 26, 7, 0,
                                                                  tzinfo=UTC)
    assert reminder_moment(spring, 7).astimezone(UTC) == datetime(2023, 3, 20, 8, 0,
                                                                  tzinfo=UTC)


@pytest.mark.parametrize("at, expected", [
    (paris(2023, 5, 8, 8, 59), None),        # before J-7
    (paris(2023, 5, 8, 9, 0), 7),            # J-7
    (paris(2023, 5, 13, 12, 0), 7),          # late, but J-1 is not due yet: J-7 still
    (paris(2023, 5, 14, 9, 0), 1),           # J-1: J-7 is never sent any more
    (paris(2023, 5, 15, 23, 59, 59), 1),     # the last second
    (paris(2023, 5, 16, 0, 0, 0), None),     # over
])
def test_the_due_reminder_is_the_one_closest_to_the_deadline(at, expected):
    assert due_reminder(DEADLINE, [7, 1], at) == expected


def test_no_reminder_without_days_or_deadline():
    assert due_reminder(DEADLINE, [], paris(2023, 5, 14, 10)) is None
    assert due_reminder(None, [7, 1], paris(2023, 5, 14, 10)) is None


@pytest.mark.django_db
def test_closed_and_opened_follow_the_whole_day_rule():
    call = deadline_call()
    preselection = calendar.phase(call, "preselection")
    assert not calendar.has_closed(preselection, paris(2030, 3, 15, 23, 59, 59))
    assert calendar.has_closed(preselection, paris(2030, 3, 16, 0, 0, 0))
    assert not calendar.has_closed(calendar.phase(call, "dossier_opening"), paris(2031, 1, 1))
    assert calendar.opened_at(call, "submit_dossier") == paris(2030, 3, 16, 0, 0)
    assert calendar.opened_at(call, "submit_note") == paris(2030, 1, 7, 0, 0)


def test_the_deadline_in_words_in_french():
    with translation.override("fr"):
        assert deadline_text(DEADLINE) == "15 mai 2023 à 23 h 59, heure de Paris"
        assert deadline_text(date(2023, 5, 15)) == "15 mai 2023 à 23 h 59, heure de Paris"
        # An instant given in UTC is shown in Paris time (summer: UTC+2).
        assert deadline_text(datetime(2023, 5, 15, 10, 30, tzinfo=UTC)) == (
            "15 mai 2023 à 12 h 30, heure de Paris")
        assert deadline_text(end_of_day(date(2023, 12, 1))) == (
            "1 décembre 2023 à 23 h 59, heure de Paris")


def test_the_deadline_in_words_in_english():
    with translation.override("en"):
        assert deadline_text(DEADLINE) == "15 May 2023 at 23:59, Paris time"
