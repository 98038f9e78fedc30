"""The launch event's tests: its values, and helpers reading its mails and .ics files."""

from datetime import datetime, timedelta

from icalendar import Calendar

from connaissance.audit.models import AuditEvent
from connaissance.files.models import StoredFile
from connaissance.files.services import open_stored
from connaissance.formatting import PARIS
from connaissance.mail.models import OutgoingMail

START = datetime(2031, 6, 12, 14, 0, tzinfo=PARIS)


END = datetime(2031, 6, 12, 17, 30, tzinfo=PARIS)


ONE_US = timedelta(microseconds=1)


VALUES = {
    "title": "Lancement des projets lauréats",
    "starts_at": START,
    "ends_at": END,
    "place": "Hôtel de Région",
    "address": "151 avenue du Président Hoover, Lille",
    "online_url": "https://visio.example.org/lancement",
    "programme": "Accueil des collectifs.\nPrésentation des projets.",
}


def invitation_mails():
    return OutgoingMail.objects.filter(cause="laureates:launch_invitation").order_by("pk")


def ics_of(mail):
    """(stored file, parsed calendar) of the one attachment of `mail`."""
    [file_id] = mail.attachment_ids
    stored = StoredFile.objects.get(pk=file_id)
    with open_stored(stored) as handle:
        return stored, Calendar.from_ical(handle.read())


def vevent(calendar):
    [entry] = calendar.walk("VEVENT")
    return entry


def audit(action):
    return AuditEvent.objects.filter(action=action).order_by("pk")
