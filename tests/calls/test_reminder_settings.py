"""The call's reminder days: typed by officers as « 7,1 », read by the scheduled jobs."""

import pytest
from django.core.exceptions import ValidationError

from calls.models import parse_reminder_days, validate_reminder_days
from tests.factories import CallFactory


@pytest.mark.parametrize(("text", "days"), [
    ("7,1", [7, 1]), ("1, 7", [7, 1]), ("14;7;1", [14, 7, 1]), ("", []), (" 3 ", [3]),
    ("7,7,1", [7, 1]), ("90", [90]),
])
def test_reminder_days_are_read_largest_first(text, days):
    assert parse_reminder_days(text) == days
    validate_reminder_days(text)


@pytest.mark.parametrize("text", ["0", "91", "-1", "7.5", "sept", "7,,x"])
def test_unreadable_reminder_days_are_refused_with_a_message(text):
    with pytest.raises(ValidationError) as refused:
        validate_reminder_days(text)
    assert refused.value.messages


@pytest.mark.django_db
def test_a_call_reminds_at_seven_and_one_day_by_default():
    call = CallFactory()
    assert call.reminder_offsets == [7, 1] and call.hold_decision_mails is False
