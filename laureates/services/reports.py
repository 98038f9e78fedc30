"""The follow-up reports of a project.

- `plan_reports` (when the project is opened): the operational launch follow-up, due at the end
  of the call's « operational launch follow-up » phase (30 September for the 2023 call);
  periodic reports every LAUREATES_REPORT_EVERY_MONTHS months (12) from the project's start
  while before its end; the final report, due LAUREATES_FINAL_REPORT_MONTHS months (2) after
  its end. Officers may move a due date (`reschedule_report`).
- The collective saves a report as a draft (`save_report`, with the version it read: a
  concurrent change is refused, nothing is lost) and files it (`submit_report`): what its kind
  asks for must be there. A late report can still be filed (it is marked late, not refused:
  the follow-up needs it all the more).
- Officers accept a filed report or send it back with a message (`accept_report`,
  `return_report`); accepting the final report closes the project.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from calls import calendar
from calls.models import PhaseKind
from connaissance.audit.services import record
from connaissance.formatting import money, to_paris
from connaissance.mail.services import queue_templated_mail
from consortia.rules import is_collective_member

from ..errors import LaureateError, StaleReport
from ..models import Project, ProjectStatus, Report, ReportKind, ReportStatus, TeamInPlace
from ..workflow import PROJECT_LIFECYCLE, REPORT_LIFECYCLE
from .common import add_months, as_date, paris_today, require_officer

EMAILS = "laureates/email/"
TEXT_FIELDS = ("team_details", "activities", "results", "difficulties", "next_steps")
# What the columns hold (PostgreSQL integer; 12 digits with 2 decimals).
MAX_COUNT = 2_147_483_647
MAX_EXPENSES = Decimal("9999999999.99")


@dataclass(frozen=True)
class Asks:
    required: tuple
    optional: tuple = ()

    @property
    def fields(self):
        return self.required + self.optional


FIELDS = {
    ReportKind.LAUNCH_FOLLOWUP: Asks(
        required=("team_in_place", "team_details", "sessions_held", "learners_reached"),
        optional=("first_session_on", "difficulties")),
    ReportKind.PERIODIC: Asks(
        required=("activities", "sessions_held", "learners_reached", "expenses_to_date"),
        optional=("difficulties", "next_steps")),
    ReportKind.FINAL: Asks(
        required=("activities", "results", "sessions_held", "learners_reached",
                  "expenses_to_date"),
        optional=("difficulties",)),
}


def every_months():
    return getattr(settings, "LAUREATES_REPORT_EVERY_MONTHS", 12)


def final_after_months():
    return getattr(settings, "LAUREATES_FINAL_REPORT_MONTHS", 2)


def deadline(report):
    """The end of the due day, Paris time (the whole-day rule), or None."""
    return calendar.end_of_day(report.due_on) if report.due_on else None


def is_late(report, *, today=None):
    return (report.status == ReportStatus.DRAFT and report.due_on is not None
            and report.due_on < (today or paris_today()))


# --- planning --------------------------------------------------------------------------------

def planned_reports(project):
    """[(kind, number, due_on)] for `project` (see the module's doc)."""
    followup = calendar.phase(project.collective.call, PhaseKind.LAUNCH_FOLLOWUP)
    due = (followup.ends_at or followup.starts_at) if followup is not None else None
    plan = [(ReportKind.LAUNCH_FOLLOWUP, 1, to_paris(due).date() if due else None)]
    if project.start_date and project.end_date:
        number, due_on = 1, add_months(project.start_date, every_months())
        while due_on < project.end_date:
            plan.append((ReportKind.PERIODIC, number, due_on))
            number += 1
            due_on = add_months(project.start_date, every_months() * number)
    final = add_months(project.end_date, final_after_months()) if project.end_date else None
    plan.append((ReportKind.FINAL, 1, final))
    return plan


def plan_reports(*, project):
    """Create the reports of `project` that do not exist yet (idempotent)."""
    existing = set(project.reports.values_list("kind", "number"))
    created = [Report.objects.create(project=project, kind=kind, number=number, due_on=due_on)
               for kind, number, due_on in planned_reports(project)
               if (kind, number) not in existing]
    return created


@transaction.atomic
def reschedule_report(*, officer, report, due_on):
    require_officer(officer)
    due_on = as_date(due_on)
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.due_on == due_on:
        return locked
    record(actor=officer, obj=locked.project, action="report.rescheduled",
           data={"report": str(locked), "from": locked.due_on, "to": due_on})
    locked.due_on = due_on
    locked.save(update_fields=["due_on"])
    return locked


# --- the collective's side -------------------------------------------------------------------

def can_write(user, report):
    return is_collective_member(user, report.project.collective)


def _clean(kind, values):
    """The values of the fields `kind` asks for, converted; LaureateError on a bad one."""
    clean = {}
    for name in FIELDS[kind].fields:
        value = values.get(name)
        if name in TEXT_FIELDS:
            clean[name] = (value or "").strip()
        elif name == "team_in_place":
            if value and value not in TeamInPlace.values:
                raise LaureateError(_("Say whether the project team is in place."))
            clean[name] = value or ""
        elif name in ("sessions_held", "learners_reached"):
            clean[name] = _count(value)
        elif name == "first_session_on":
            clean[name] = as_date(value)
            if clean[name] is not None and clean[name] > paris_today():
                raise LaureateError(_("The first session cannot be in the future."))
        elif name == "expenses_to_date":
            clean[name] = _euros(value)
    return clean


def _count(value):
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip().replace(" ", "").replace("\u202f", ""))
    except ValueError:
        raise LaureateError(_("Give the numbers of sessions and learners as whole numbers.")) \
            from None
    if number < 0:
        raise LaureateError(_("Give the numbers of sessions and learners as whole numbers."))
    if number > MAX_COUNT:
        raise LaureateError(_("%(number)s sessions or learners: check this number.")
                            % {"number": number})
    return number


def _euros(value):
    if value in (None, ""):
        return None
    if isinstance(value, float):
        raise LaureateError(_("Give the expenses in euros and cents."))
    try:
        amount = Decimal(str(value).strip().replace("\u202f", "").replace("\u00a0", "")
                         .replace(" ", "").replace("€", "").replace(",", "."))
        if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
            raise InvalidOperation
    except InvalidOperation:
        raise LaureateError(_("Give the expenses in euros and cents.")) from None
    if amount > MAX_EXPENSES:
        raise LaureateError(_("The expenses cannot exceed %(max)s: check the amount.")
                            % {"max": money(MAX_EXPENSES)})
    return amount


def _lock_draft(user, report, version):
    locked = Report.objects.select_for_update(of=("self",)).select_related(
        "project__collective").get(pk=report.pk)
    if not can_write(user, locked):
        raise LaureateError(_("Only a member of the collective can write its reports."))
    if locked.project.status == ProjectStatus.CLOSED:
        raise LaureateError(_("The project is closed: its reports can no longer change."))
    if locked.status != ReportStatus.DRAFT:
        raise LaureateError(_("This report is filed: it can no longer change."))
    if version is not None and int(version) != locked.version:
        raise StaleReport(_("Someone else saved this report while you were writing. Your "
                            "text is still in the form below; compare it with the saved "
                            "version, then save again."), locked.version)
    return locked


@transaction.atomic
def save_report(*, user, report, values, version):
    """Save the draft of `report` with `values` (only the fields its kind asks for)."""
    locked = _lock_draft(user, report, version)
    for name, value in _clean(locked.kind, values).items():
        setattr(locked, name, value)
    locked.version += 1
    locked.updated_by = user
    locked.save()
    return locked


def missing(report):
    """Labels of what `report` still lacks to be filed."""
    labels = []
    for name in FIELDS[report.kind].required:
        value = getattr(report, name)
        if value in (None, ""):
            labels.append(str(Report._meta.get_field(name).verbose_name))
    if (report.kind == ReportKind.LAUNCH_FOLLOWUP and report.sessions_held
            and report.first_session_on is None):
        labels.append(str(Report._meta.get_field("first_session_on").verbose_name))
    return labels


@transaction.atomic
def submit_report(*, user, report, version=None, now=None):
    """File `report` as saved. The final report needs the signed agreement."""
    now = now or timezone.now()
    locked = _lock_draft(user, report, version)
    lacking = missing(locked)
    if lacking:
        raise LaureateError(_("The report cannot be filed yet; missing: %(fields)s.")
                            % {"fields": ", ".join(lacking)})
    if locked.kind == ReportKind.FINAL and locked.project.status != ProjectStatus.RUNNING:
        raise LaureateError(_("The final report can be filed once the agreement is signed."))
    Report.objects.filter(pk=locked.pk).update(submitted_at=now, submitted_by=user)
    locked.submitted_at, locked.submitted_by = now, user
    REPORT_LIFECYCLE.apply(
        locked, to_state=ReportStatus.SUBMITTED, actor=user,
        data={"due_on": locked.due_on, "late": bool(locked.due_on and
                                                    to_paris(now).date()
                                                    > locked.due_on)},
        side_effects=[lambda: _tell_officers(locked.pk)])
    return locked


def _tell_officers(report_pk):
    report = Report.objects.select_related("project__collective__call").get(pk=report_pk)
    call = report.project.collective.call
    queue_templated_mail(
        to=[call.contact_email], template_prefix=EMAILS + "report_filed",
        cause="laureates:report_filed",
        dedup_key=f"report-filed:{report.pk}:{report.submitted_at:%Y%m%dT%H%M%S%f}",
        context={"report": report, "project": report.project, "call": call,
                 "link": settings.SITE_URL + reverse("admin:laureates_report_change",
                                                     args=[report.pk])})


# --- the officers' side ----------------------------------------------------------------------

def _lock_filed(officer, report):
    require_officer(officer)
    locked = Report.objects.select_for_update(of=("self",)).select_related(
        "project__collective__call").get(pk=report.pk)
    if locked.project.status == ProjectStatus.CLOSED:
        raise LaureateError(_("The project is closed: its reports can no longer change."))
    if locked.status != ReportStatus.SUBMITTED:
        raise LaureateError(_("Only a filed report can be accepted or sent back."))
    return locked


@transaction.atomic
def accept_report(*, officer, report, message="", now=None):
    """Accept a filed report; the final report's acceptance closes the project."""
    now = now or timezone.now()
    locked = _lock_filed(officer, report)
    if locked.kind == ReportKind.FINAL and Report.objects.filter(
            project=locked.project_id, status=ReportStatus.SUBMITTED).exclude(
            pk=locked.pk).exists():
        # Accepting it closes the project: nothing may be left waiting for a review.
        raise LaureateError(_("Accepting the final report closes the project: accept or send "
                              "back the other filed reports first."))
    Report.objects.filter(pk=locked.pk).update(officer_message=message.strip(),
                                               reviewed_at=now)
    locked.officer_message, locked.reviewed_at = message.strip(), now
    REPORT_LIFECYCLE.apply(locked, to_state=ReportStatus.ACCEPTED, actor=officer,
                           reason=message.strip(),
                           side_effects=[lambda: _tell_collective(locked.pk, "report_accepted")])
    if locked.kind == ReportKind.FINAL:
        PROJECT_LIFECYCLE.apply(Project.objects.get(pk=locked.project_id),
                                to_state=ProjectStatus.CLOSED, actor=officer,
                                reason=_("Final report accepted."),
                                data={"report": locked.pk})
    report.status = locked.status
    return locked


@transaction.atomic
def return_report(*, officer, report, message, now=None):
    """Send a filed report back to the collective (a draft again) with what to change."""
    message = (message or "").strip()
    if not message:
        raise LaureateError(_("Tell the collective what to change in its report."))
    now = now or timezone.now()
    locked = _lock_filed(officer, report)
    Report.objects.filter(pk=locked.pk).update(officer_message=message, reviewed_at=now,
                                               submitted_at=None)
    locked.officer_message, locked.reviewed_at, locked.submitted_at = message, now, None
    REPORT_LIFECYCLE.apply(locked, to_state=ReportStatus.DRAFT, actor=officer, reason=message,
                           side_effects=[lambda: _tell_collective(locked.pk, "report_returned")])
    report.status = locked.status
    return locked


def report_link(report):
    return settings.SITE_URL + reverse("laureates:report", args=[report.project.collective_id,
                                                                 report.pk])


def _tell_collective(report_pk, template):
    from .reminders import lead_admins

    report = Report.objects.select_related("project__collective__call").get(pk=report_pk)
    recipients = lead_admins(report.project.collective)
    if not recipients:
        return
    queue_templated_mail(
        to=recipients, template_prefix=EMAILS + template, cause=f"laureates:{template}",
        dedup_key=f"{template}:{report.pk}:{report.reviewed_at:%Y%m%dT%H%M%S%f}",
        context={"report": report, "project": report.project, "call": report.project.collective
                 .call, "link": report_link(report)})
