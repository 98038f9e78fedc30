"""The call's deadlines as an iCalendar file, times in Europe/Paris."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from connaissance.formatting import to_paris

from .calendar import DEADLINE_KINDS, phases_of
from .models import PhaseKind


def site_uid(local: str) -> str:
    """A calendar UID unique to this portal: `local`@the site's host."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/")[0]
    return f"{local}@{host}"


def _uid(call, suffix):
    return site_uid(f"{call.slug}-{suffix}")


def published_calendar(product: str) -> Calendar:
    """An empty published calendar (METHOD:PUBLISH: entries to add, not a meeting request)."""
    cal = Calendar()
    cal.add("prodid", f"-//Connaissance Hauts-de-France//{product}//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    return cal


def call_calendar(call, *, url: str) -> bytes:
    cal = published_calendar("Calendrier des appels")
    cal.add("x-wr-calname", call.title)
    cal.add("x-wr-timezone", "Europe/Paris")
    stamp = timezone.now()
    for phase in phases_of(call):
        label = str(PhaseKind(phase.kind).label)
        start = to_paris(phase.anchor)
        end = to_paris(phase.ends_at) if phase.starts_at and phase.ends_at else None
        event = Event()
        event.add("uid", _uid(call, phase.kind))
        event.add("dtstamp", stamp)
        summary = f"{label} — {call.title}"
        if phase.date_label:
            summary = f"{label} ({phase.date_label}) — {call.title}"
        event.add("summary", summary)
        event.add("dtstart", start)
        event.add("dtend", end or start + timedelta(minutes=30))
        event.add("url", url)
        if phase.note:
            event.add("description", phase.note)
        cal.add_component(event)
        if phase.kind in DEADLINE_KINDS and phase.ends_at:
            cal.add_component(_deadline_event(call, phase, label, url, stamp))
    cal.add_missing_timezones()
    return cal.to_ical()


def _deadline_event(call, phase, label, url, stamp):
    deadline = to_paris(phase.ends_at)
    event = Event()
    event.add("uid", _uid(call, f"{phase.kind}-deadline"))
    event.add("dtstamp", stamp)
    event.add("summary", _("Deadline: %(phase)s — %(call)s") % {"phase": label, "call": call.title})
    event.add("dtstart", deadline.replace(minute=0, second=0, microsecond=0))
    event.add("dtend", deadline.replace(microsecond=0))
    event.add("url", url)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _("Deadline tomorrow: %(phase)s") % {"phase": label})
    alarm.add("trigger", timedelta(days=-1))
    event.add_component(alarm)
    return event
