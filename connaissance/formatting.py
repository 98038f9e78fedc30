"""French formatting of money, dates and times, shared by pages, e-mails and PDFs."""

from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format

PARIS = ZoneInfo("Europe/Paris")
NBSP = "\u00a0"
NNBSP = "\u202f"
CENT = Decimal("0.01")


def to_paris(value: datetime) -> datetime:
    return timezone.localtime(value, PARIS)


def money(value, *, cents=True) -> str:
    """`Decimal("400000")` → « 400 000,00 € » (narrow no-break spaces, comma for decimals)."""
    if value is None:
        return ""
    amount = Decimal(value).quantize(CENT if cents else Decimal(1), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    whole, _, frac = f"{abs(amount):f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = NNBSP.join(groups) or "0"
    if cents:
        text += "," + (frac or "00")
    return f"{sign}{text}{NBSP}€"


def percent(value) -> str:
    """`Decimal("70.00")` → « 70 % », `Decimal("72.5")` → « 72,5 % »."""
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}".replace(".", ",")
    return f"{text}{NBSP}%"


def long_date(value) -> str:
    """« 15 mai 2023 » in the active language, from a date or an aware datetime (Paris)."""
    if isinstance(value, datetime):
        value = to_paris(value).date()
    return date_format(value, "j F Y")


def paris_time(value: datetime) -> str:
    """« 23 h 59 » in French, « 11:59 pm » style left to the English format."""
    local = to_paris(value)
    from django.utils.translation import get_language

    if (get_language() or "fr").startswith("fr"):
        return f"{local.hour} h {local.minute:02d}"
    return date_format(local, "H:i")


def long_datetime(value: datetime) -> str:
    from django.utils.translation import gettext

    return gettext("%(date)s at %(time)s, Paris time") % {
        "date": long_date(value), "time": paris_time(value),
    }


def deadline_text(value) -> str:
    """A deadline as collectives read it: « 15 mai 2023 à 23 h 59, heure de Paris ».

    A date alone means the whole day in Paris (it closes at 23:59:59, shown as 23 h 59); an
    aware datetime is shown in Paris time, to the minute (seconds are dropped, not rounded up:
    23:59:59 stays « 23 h 59 »)."""
    if is_date(value):
        value = datetime.combine(value, time(23, 59), tzinfo=PARIS)
    return long_datetime(value)


def is_date(value) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def duration_left(delta) -> str:
    """« 12 jours et 4 heures », « 3 heures et 5 minutes », « moins d'une minute »."""
    from django.utils.translation import gettext, ngettext

    if delta is None:
        return ""
    seconds = max(int(delta.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(ngettext("%d day", "%d days", days) % days)
    if hours:
        parts.append(ngettext("%d hour", "%d hours", hours) % hours)
    if not days and minutes:
        parts.append(ngettext("%d minute", "%d minutes", minutes) % minutes)
    if not parts:
        return gettext("less than a minute")
    return gettext("%(first)s and %(second)s") % {"first": parts[0], "second": parts[1]} \
        if len(parts) == 2 else parts[0]
