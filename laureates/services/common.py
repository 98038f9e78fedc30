"""Checks shared by the laureates' use cases."""

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
