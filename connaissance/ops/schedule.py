"""The beat schedule (settings.CELERY_BEAT_SCHEDULE) in words, for the officers' admin page.

Crontab entries are read in Celery's timezone (CELERY_TIMEZONE, Europe/Paris): « every day at
07:00 » means 07:00 Paris time, summer and winter alike.
"""

from dataclasses import dataclass
from datetime import timedelta

from celery.schedules import crontab
from celery.schedules import schedule as interval_schedule
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from .jobs import last_runs

WEEKDAYS = {0: pgettext_lazy("every", "Sunday"), 1: pgettext_lazy("every", "Monday"),
            2: pgettext_lazy("every", "Tuesday"), 3: pgettext_lazy("every", "Wednesday"),
            4: pgettext_lazy("every", "Thursday"), 5: pgettext_lazy("every", "Friday"),
            6: pgettext_lazy("every", "Saturday"), 7: pgettext_lazy("every", "Sunday")}


@dataclass(frozen=True)
class ScheduledJob:
    key: str
    task: str
    when: str
    last_run: object  # JobRun or None


def _every(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 86400 and seconds % 86400 == 0:
        count = seconds // 86400
        return _("every day") if count == 1 else ngettext(
            "every %(count)d day", "every %(count)d days", count) % {"count": count}
    if seconds >= 3600 and seconds % 3600 == 0:
        count = seconds // 3600
        return _("every hour") if count == 1 else ngettext(
            "every %(count)d hour", "every %(count)d hours", count) % {"count": count}
    if seconds >= 60 and seconds % 60 == 0:
        count = seconds // 60
        return _("every minute") if count == 1 else ngettext(
            "every %(count)d minute", "every %(count)d minutes", count) % {"count": count}
    return ngettext("every %(count)d second", "every %(count)d seconds", seconds) % {
        "count": seconds}


def _single(value):
    text = str(value).strip()
    return int(text) if text.isdigit() else None


def _describe_crontab(cron) -> str:
    minute, hour = str(cron._orig_minute), str(cron._orig_hour)
    dow, dom = str(cron._orig_day_of_week), str(cron._orig_day_of_month)
    month = str(cron._orig_month_of_year)
    m, h, day = _single(minute), _single(hour), _single(dow)
    if dom == "*" and month == "*":
        if hour == "*" and dow == "*":
            if m is not None:
                return _("every hour, at minute %(minute)02d") % {"minute": m}
            if minute.startswith("*/") and minute[2:].isdigit():
                return _every(int(minute[2:]) * 60)
        if m is not None and h is not None:
            at = f"{h:02d}:{m:02d}"
            if dow == "*":
                return _("every day at %(time)s") % {"time": at}
            if day is not None and day in WEEKDAYS:
                return _("every %(day)s at %(time)s") % {"day": WEEKDAYS[day], "time": at}
    return _("cron « %(fields)s » (minute hour day month weekday)") % {
        "fields": f"{minute} {hour} {dom} {month} {dow}"}


def describe(when) -> str:
    """A beat entry's schedule in words (« every 5 minutes », « every day at 07:00 »)."""
    if isinstance(when, crontab):
        return _describe_crontab(when)
    if isinstance(when, interval_schedule):
        return _every(when.run_every.total_seconds())
    if isinstance(when, timedelta):
        return _every(when.total_seconds())
    if isinstance(when, int | float):
        return _every(when)
    return str(when)


def scheduled_jobs(beat_schedule=None) -> list[ScheduledJob]:
    """Every entry of the beat schedule, in words, with the last recorded run of its task."""
    entries = beat_schedule if beat_schedule is not None else settings.CELERY_BEAT_SCHEDULE
    runs = last_runs(entry["task"] for entry in entries.values())
    return [ScheduledJob(key=key, task=entry["task"], when=describe(entry["schedule"]),
                         last_run=runs.get(entry["task"]))
            for key, entry in entries.items()]
