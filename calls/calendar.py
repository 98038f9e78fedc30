"""Calendar rules of a call: the one place that answers "what is open", "is X allowed at T",
"how long until the next deadline", and that checks a calendar for inconsistencies.

All functions take the instant `at` explicitly (an aware datetime); callers pass
`timezone.now()` in the same transaction as the action they guard.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connaissance.formatting import PARIS, long_date

from .models import PhaseKind

END_OF_DAY = time(23, 59, 59, 999999)


def start_of_day(day: date) -> datetime:
    """00:00 Paris time on `day` (zoneinfo resolves the UTC offset of that very day)."""
    return datetime.combine(day, time(0, 0), tzinfo=PARIS)


def end_of_day(day: date) -> datetime:
    """The whole-day rule: a date-only end closes at 23:59:59 Paris time, that day."""
    return datetime.combine(day, END_OF_DAY, tzinfo=PARIS)


def is_whole_day_end(moment: datetime) -> bool:
    return moment.astimezone(PARIS).time() == END_OF_DAY


# --- What is open --------------------------------------------------------------------------

def phases_of(call):
    """The call's phases, ordered; uses the prefetch cache when present."""
    return sorted(call.phases.all(), key=lambda p: (p.anchor, p.ends_at or p.anchor))


def phase(call, kind):
    return next((p for p in call.phases.all() if p.kind == kind), None)


def is_open(p, at: datetime) -> bool:
    """A phase with a start and an end is open between them, both included. A milestone
    (only a start) is "open" from its start on; a bare deadline never is."""
    if p.starts_at is None:
        return False
    if at < p.starts_at:
        return False
    return p.ends_at is None or at <= p.ends_at


def is_interval(p) -> bool:
    return p.starts_at is not None and p.ends_at is not None


def open_phases(call, at: datetime):
    return [p for p in phases_of(call) if is_interval(p) and is_open(p, at)]


def current_phase(call, at: datetime):
    """The phase to highlight now: the open interval that ends first."""
    candidates = open_phases(call, at)
    return min(candidates, key=lambda p: p.ends_at) if candidates else None


# --- Is action X allowed at T --------------------------------------------------------------

@dataclass(frozen=True)
class ActionRule:
    """An action is allowed while every phase of `within` is open and every milestone of
    `after` has started."""

    within: tuple[str, ...]
    after: tuple[str, ...] = ()
    label: str = ""


ACTIONS = {
    "submit_note": ActionRule(within=(PhaseKind.PRESELECTION,),
                              label=gettext_lazy("file an opportunity note")),
    "incubate": ActionRule(within=(PhaseKind.INCUBATION,),
                           label=gettext_lazy("follow an incubation")),
    "submit_dossier": ActionRule(within=(PhaseKind.FILING,), after=(PhaseKind.DOSSIER_OPENING,),
                                 label=gettext_lazy("file a full dossier")),
    "evaluate": ActionRule(within=(PhaseKind.SELECTION,),
                           label=gettext_lazy("evaluate and select dossiers")),
}


class ActionNotAllowed(Exception):
    """Raised by `require_allowed`; its message is for the user, in their language."""


def is_allowed(call, action: str, at: datetime) -> bool:
    return refusal(call, action, at) is None


def refusal(call, action: str, at: datetime) -> str | None:
    """None when `action` is allowed at `at`; otherwise the reason, for the user."""
    rule = ACTIONS[action]
    for kind in rule.after:
        milestone = phase(call, kind)
        if milestone is None or milestone.anchor is None or at < milestone.anchor:
            when = long_date(milestone.anchor) if milestone and milestone.anchor else "?"
            return _("It is not possible to %(action)s before %(date)s.") % {
                "action": rule.label, "date": when}
    for kind in rule.within:
        p = phase(call, kind)
        if p is None or not is_interval(p):
            return _("This call has no dates for this step yet.")
        if at < p.starts_at:
            return _("It will be possible to %(action)s from %(date)s.") % {
                "action": rule.label, "date": long_date(p.starts_at)}
        if at > p.ends_at:
            return _("The deadline to %(action)s has passed (%(date)s).") % {
                "action": rule.label, "date": _deadline_text(p.ends_at)}
    return None


def require_allowed(call, action: str, at: datetime) -> None:
    reason = refusal(call, action, at)
    if reason:
        raise ActionNotAllowed(reason)


def _deadline_text(moment: datetime) -> str:
    from connaissance.formatting import long_datetime

    return long_datetime(moment)


# --- Deadlines -----------------------------------------------------------------------------

DEADLINE_KINDS = (PhaseKind.PRESELECTION, PhaseKind.FILING)


@dataclass(frozen=True)
class Deadline:
    phase: object
    at: datetime
    remaining: timedelta


def next_deadline(call, at: datetime) -> Deadline | None:
    """The nearest future end among the phases where collectives must act."""
    upcoming = [p for p in phases_of(call)
                if p.kind in DEADLINE_KINDS and p.ends_at and p.ends_at >= at]
    if not upcoming:
        return None
    first = min(upcoming, key=lambda p: p.ends_at)
    return Deadline(phase=first, at=first.ends_at, remaining=first.ends_at - at)


def time_left(call, at: datetime) -> timedelta | None:
    deadline = next_deadline(call, at)
    return deadline.remaining if deadline else None


# --- Closing, opening and reminders (read by the scheduled jobs) ------------------------------

# Reminders go out from this hour (Paris time) of their day, not at midnight.
REMINDER_TIME = time(9, 0)


def has_closed(p, at: datetime) -> bool:
    """A window is over only once `at` is past its end: 23:59:59 Paris time still belongs to a
    date-only end, 00:00:00 the next day does not (the rule `refusal` applies to filings)."""
    return p is not None and p.ends_at is not None and at > p.ends_at


def opened_at(call, action: str) -> datetime | None:
    """The moment `action` became (or becomes) possible: the latest start among its windows
    and milestones; None when the calendar lacks one of them."""
    rule = ACTIONS[action]
    moments = []
    for kind in rule.after:
        milestone = phase(call, kind)
        if milestone is None or milestone.anchor is None:
            return None
        moments.append(milestone.anchor)
    for kind in rule.within:
        p = phase(call, kind)
        if p is None or not is_interval(p):
            return None
        moments.append(p.starts_at)
    return max(moments)


def reminder_moment(deadline: datetime, days: int) -> datetime:
    """When the reminder `days` days before `deadline` is due: REMINDER_TIME (Paris) on the
    Paris calendar day that many days before the deadline's day (J-1 of a deadline on 15 May
    is due on 14 May at 09:00, summer or winter time)."""
    day = deadline.astimezone(PARIS).date() - timedelta(days=days)
    return datetime.combine(day, REMINDER_TIME, tzinfo=PARIS)


def due_reminder(deadline: datetime | None, offsets, at: datetime) -> int | None:
    """The reminder to send at `at`, as a number of days before `deadline`, or None.

    It is the due reminder closest to the deadline: after a scheduler outage, an earlier one
    that was missed (J-7) is sent late only while no later one (J-1) is due; once J-1 is due,
    J-7 is never sent. Nothing is due after the deadline."""
    if deadline is None or at > deadline:
        return None
    due = [days for days in offsets if reminder_moment(deadline, days) <= at]
    return min(due) if due else None


# --- Public stage of a call ----------------------------------------------------------------

class Stage:
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


def stage(call, at: datetime) -> str:
    """Upcoming before the first application window, open while one is, closed after."""
    windows = [p for p in phases_of(call) if p.kind in DEADLINE_KINDS and is_interval(p)]
    if not windows:
        return Stage.UPCOMING
    if any(is_open(p, at) for p in windows):
        return Stage.OPEN
    if all(at > p.ends_at for p in windows):
        return Stage.CLOSED
    return Stage.UPCOMING
