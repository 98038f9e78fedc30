"""Reminders of the reports, run by the periodic task `laureates.tasks.remind_reports`.

Before a report's due date, at each of the call's reminder days (« 7,1 »: J-7 and J-1, from
09:00 Paris time), the lead organisation's administrators of a project that has not filed are
reminded; the day after the due date, they are told once that the report is late (not when
the due date is more than LATE_NOTICE_WITHIN old: a stale notice helps nobody). Each notice
has a deduplication key in the outbox, so a job run twice, or two runs at once, send nothing
twice; a due date moved by officers is a new deadline with its own reminders.
Officers see who has not filed in the reports' admin (filter « not filed »).
"""

from datetime import UTC, timedelta

from django.db.models import Q

from calls import calendar
from connaissance.mail.models import OutgoingMail
from connaissance.mail.services import queue_templated_mail
from consortia.models import ParticipationRole
from consortia.services.notify import admin_emails

from ..models import ProjectStatus, Report, ReportKind, ReportStatus
from .reports import EMAILS, deadline, report_link

LATE_NOTICE_WITHIN = timedelta(days=14)
LATE = "late"


def lead_admins(collective):
    lead = next((p.organisation for p in collective.participations.all()
                 if p.role == ParticipationRole.LEAD), None)
    return admin_emails(lead) if lead is not None else []


def _stamp(moment):
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def due_notice(report, now):
    """The notice due now for `report`: a number of days before its deadline, LATE, or None."""
    end = deadline(report)
    if end is None:
        return None
    if now > end:
        late_from = calendar.reminder_moment(end, -1)
        return LATE if late_from <= now <= end + LATE_NOTICE_WITHIN else None
    offsets = report.project.collective.call.reminder_offsets
    return calendar.due_reminder(end, offsets, now) if offsets else None


def _waiting():
    # The final report can only be filed once the agreement is signed (project running).
    return (Report.objects.filter(status=ReportStatus.DRAFT, due_on__isnull=False)
            .exclude(project__status=ProjectStatus.CLOSED)
            .exclude(Q(kind=ReportKind.FINAL) & ~Q(project__status=ProjectStatus.RUNNING))
            .select_related("project__collective__call")
            .prefetch_related("project__collective__participations__organisation")
            .order_by("due_on", "pk"))


def remind_reports(*, now) -> dict:
    counts = {"reminders": 0, "late_notices": 0}
    due = [(report, notice) for report in _waiting()
           if (notice := due_notice(report, now)) is not None]
    keys = {report.pk: f"report-reminder:{report.pk}:{_stamp(deadline(report))}:"
                       + ("late" if notice == LATE else f"J-{notice}")
            for report, notice in due}
    done = set(OutgoingMail.objects.filter(dedup_key__in=list(keys.values()))
               .values_list("dedup_key", flat=True))
    for report, notice in due:
        recipients = lead_admins(report.project.collective)
        if keys[report.pk] in done or not recipients:
            continue
        late = notice == LATE
        queue_templated_mail(
            to=recipients, template_prefix=EMAILS + ("report_late" if late else
                                                     "report_reminder"),
            cause="laureates:report_reminder", dedup_key=keys[report.pk],
            context={"report": report, "project": report.project,
                     "call": report.project.collective.call, "days": 0 if late else notice,
                     "deadline": deadline(report), "link": report_link(report)})
        counts["late_notices" if late else "reminders"] += 1
    return counts

