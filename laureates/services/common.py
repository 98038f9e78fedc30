"""Checks and conversions shared by the laureates' use cases."""

import calendar
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from calls.rules import is_officer
from connaissance.formatting import to_paris

from ..errors import LaureateError


def require_officer(user):
    if user is None or not is_officer(user):
        raise LaureateError(_("Only a Region officer can do this."))


def paris_today():
    return to_paris(timezone.now()).date()


def as_date(value):
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def add_months(day, months):
    """The same day `months` months later (earlier when negative); the month's last day when
    it is shorter (31 August + 6 months = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
