"""The launch event as an iCalendar file (RFC 5545), attached to the invitations and
downloadable from the project page.

The file is published (METHOD:PUBLISH), not a meeting request: the answer is given on the
portal, where officers count it, not by a calendar's reply mail. Every version sent keeps the
event's UID and raises its SEQUENCE, so that calendar programs replace the entry they hold.
Times are given in Europe/Paris with the zone's definition included.
"""

from datetime import UTC

from django.conf import settings
from django.utils import timezone
from icalendar import Event, vCalAddress, vText

from calls.ics import published_calendar
from connaissance.formatting import to_paris


def _location(event):
    return ", ".join(part for part in (event.place, event.address) if part)


def launch_event_ics(event, *, link="", stamp=None) -> bytes:
    """The .ics of `event`; `link` (the page where the invited answer) goes in URL and in the
    description."""
    calendar = published_calendar("Lancement des projets")
    entry = Event()
    entry.add("uid", event.uid)
    entry.add("dtstamp", (stamp or timezone.now()).astimezone(UTC))
    entry.add("dtstart", to_paris(event.starts_at))
    entry.add("dtend", to_paris(event.ends_at))
    entry.add("sequence", event.sequence)
    entry.add("summary", event.title)
    entry.add("location", _location(event))
    description = event.programme.strip()
    if event.online_url:
        description += f"\n\n{event.online_url}"
    if link:
        description += f"\n\n{link}"
        entry.add("url", link)
    entry.add("description", description)
    organizer = vCalAddress(f"mailto:{event.call.contact_email}")
    organizer.params["cn"] = vText(settings.REGION_NAME)
    entry.add("organizer", organizer)
    entry.add("status", "CONFIRMED")
    calendar.add_component(entry)
    calendar.add_missing_timezones()
    return calendar.to_ical()
