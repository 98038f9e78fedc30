"""Reminders of the reports (the scheduled job `laureates.tasks.remind_reports`): at the call's
reminder days before the due date (« 7,1 »: J-7 and J-1, from 09:00 Paris time) to the lead's
administrators of a project that has not filed, and one late notice the day after the due date
(not once it is more than 14 days old). Each notice goes once however often the job runs; a
due date moved by officers gets its own reminders; the whole-day rule holds across the change
to winter time."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import translation

from connaissance.formatting import PARIS
from connaissance.mail.models import OutgoingMail
from connaissance.ops.models import JobOutcome, JobRun
from consortia.models import ParticipationRole
from consortia.services.notify import admin_emails
from laureates import tasks
from laureates.models import Project, ProjectStatus, Report, ReportKind
from laureates.services import reschedule_report, save_report, submit_report
from laureates.services.reminders import remind_reports
from laureates.services.reports import report_link
from tests.consortia.factories import MembershipFactory
from tests.laureates.builders import sign
from tests.laureates.report_world import FOLLOWUP_END

pytestmark = pytest.mark.django_db
DUE = FOLLOWUP_END  # 30 September 2027
NOTHING = {"reminders": 0, "late_notices": 0}


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


def notices():
    return OutgoingMail.objects.filter(cause="laureates:report_reminder").order_by("pk")


def kinds():
    """The kind of each notice sent (« J-7 », « J-1 », « late »), in order."""
    return [key.rsplit(":", 1)[1] for key in notices().values_list("dedup_key", flat=True)]


def run(*when):
    return remind_reports(now=paris(*when))


@pytest.fixture
def due_world(followup_world):
    """The follow-up world (call with reminder days « 7,1 », launch follow-up phase ending on
    30 September 2027, project opened): its launch follow-up a draft due that day (its other
    reports, due in 2024-2026, are long past)."""
    w = followup_world
    assert w.call.reminder_days == "7,1"
    w.followup = Report.objects.get(project=w.project, kind=ReportKind.LAUNCH_FOLLOWUP)
    assert w.followup.due_on == DUE
    return w


def test_j7_from_09_00_paris_then_j1_each_once(due_world):
    w = due_world
    assert run(2027, 9, 23, 8, 59) == NOTHING
    assert not notices().exists()
    assert run(2027, 9, 23, 9, 0) == {"reminders": 1, "late_notices": 0}
    assert run(2027, 9, 23, 9, 0) == NOTHING  # the job run twice
    assert run(2027, 9, 23, 10, 0) == NOTHING
    assert run(2027, 9, 28, 9, 0) == NOTHING  # between J-7 and J-1
    assert kinds() == ["J-7"]
    assert run(2027, 9, 29, 8, 59) == NOTHING
    assert run(2027, 9, 29, 9, 0) == {"reminders": 1, "late_notices": 0}
    assert run(2027, 9, 29, 18, 0) == NOTHING
    assert run(2027, 9, 30, 23, 59, 59) == NOTHING  # the due day: no late notice yet
    assert kinds() == ["J-7", "J-1"]
    lead = w.collective.participations.get(role=ParticipationRole.LEAD).organisation
    assert [m.to for m in notices()] == [admin_emails(lead), admin_emails(lead)]
    assert admin_emails(lead) == [w.member.email]
    assert notices().first().dedup_key == (
        f"report-reminder:{w.followup.pk}:20270930T215959Z:J-7")


def test_the_reminder_names_the_report_the_deadline_and_the_link(due_world):
    w = due_world
    with translation.override("en"):
        run(2027, 9, 29, 9, 0)
    [mail] = notices()
    assert mail.subject == f"Operational launch follow-up to file — {w.project.title}"
    assert "30 September 2027" in mail.body_text
    assert report_link(w.followup) in mail.body_text
    assert report_link(w.followup) in mail.body_html


def test_only_the_lead_administrators_are_reminded(due_world):
    w = due_world
    partner = w.collective.participations.get(role=ParticipationRole.PARTNER).organisation
    partner_admin = MembershipFactory(organisation=partner, admin=True).user
    lead = w.collective.participations.get(role=ParticipationRole.LEAD).organisation
    second_admin = MembershipFactory(organisation=lead, admin=True).user
    MembershipFactory(organisation=lead)  # a plain member
    run(2027, 9, 23, 9, 0)
    [mail] = notices()
    assert sorted(mail.to) == sorted([w.member.email, second_admin.email])
    assert partner_admin.email not in mail.to


def test_a_filed_report_gets_no_reminder(due_world):
    w = due_world
    draft = save_report(user=w.member, report=w.followup, version=1, values={
        "team_in_place": "partly", "team_details": "Une coordinatrice recrutée.",
        "sessions_held": "0", "learners_reached": "0"})
    submit_report(user=w.member, report=draft, version=draft.version)
    for when in [(2027, 9, 23, 9, 0), (2027, 9, 29, 9, 0), (2027, 10, 1, 9, 0)]:
        assert run(*when) == NOTHING
    assert not notices().exists()


def test_the_final_report_is_reminded_only_once_the_agreement_is_signed(due_world):
    # It cannot be filed before: reminding the collective of it would only confuse.
    w = due_world
    final = Report.objects.get(project=w.project, kind=ReportKind.FINAL)
    reschedule_report(officer=w.officer, report=final, due_on=date(2027, 11, 30))
    assert w.project.status == ProjectStatus.AGREEMENT_PENDING
    assert run(2027, 11, 23, 9, 0) == NOTHING
    sign(w, w.project)
    assert run(2027, 11, 23, 9, 5) == {"reminders": 1, "late_notices": 0}
    [notice] = notices()
    assert notice.dedup_key.startswith(f"report-reminder:{final.pk}:")


def test_a_closed_project_gets_no_reminder(due_world):
    Project.objects.filter(pk=due_world.project.pk).update(status=ProjectStatus.CLOSED)
    for when in [(2027, 9, 23, 9, 0), (2027, 9, 29, 9, 0), (2027, 10, 1, 9, 0)]:
        assert run(*when) == NOTHING
    assert not notices().exists()


def test_the_late_notice_the_day_after_from_09_00_once(due_world):
    w = due_world
    assert run(2027, 10, 1, 0, 0) == NOTHING  # past the deadline, but night-time
    assert run(2027, 10, 1, 8, 59) == NOTHING
    assert run(2027, 10, 1, 9, 0) == {"reminders": 0, "late_notices": 1}
    assert run(2027, 10, 1, 10, 0) == NOTHING
    assert run(2027, 10, 5, 9, 0) == NOTHING
    assert kinds() == ["late"]
    with translation.override("en"):
        OutgoingMail.objects.all().delete()
        run(2027, 10, 2, 9, 0)
    [mail] = notices()
    assert mail.subject == f"Operational launch follow-up overdue — {w.project.title}"
    assert "was due and is not filed" in mail.body_text
    assert w.call.contact_email in mail.body_text


def test_no_late_notice_once_the_due_date_is_more_than_14_days_old(due_world):
    # The scheduler was down from the due date on: a notice this late would help nobody.
    assert run(2027, 10, 15, 0, 0) == NOTHING
    assert run(2027, 10, 20, 9, 0) == NOTHING
    assert not notices().exists()
    # Within the 14 days (until 14 October, 23:59:59 Paris time), it still goes.
    assert run(2027, 10, 14, 23, 59) == {"reminders": 0, "late_notices": 1}


def test_a_missed_j7_is_not_sent_once_j1_is_due(due_world):
    assert run(2027, 9, 29, 10, 0) == {"reminders": 1, "late_notices": 0}
    assert kinds() == ["J-1"]


def test_a_moved_due_date_gets_its_own_reminders(due_world):
    w = due_world
    run(2027, 9, 23, 9, 0)
    run(2027, 9, 29, 9, 0)
    assert kinds() == ["J-7", "J-1"]
    reschedule_report(officer=w.officer, report=w.followup, due_on=date(2027, 10, 15))
    # 1 October: no late notice, the report is due on the 15th.
    assert run(2027, 10, 1, 9, 0) == NOTHING
    assert run(2027, 10, 8, 8, 59) == NOTHING
    assert run(2027, 10, 8, 9, 0) == {"reminders": 1, "late_notices": 0}
    assert run(2027, 10, 14, 9, 0) == {"reminders": 1, "late_notices": 0}
    assert run(2027, 10, 16, 9, 0) == {"reminders": 0, "late_notices": 1}
    assert kinds() == ["J-7", "J-1", "J-7", "J-1", "late"]
    keys = list(notices().values_list("dedup_key", flat=True))
    assert keys[2] == f"report-reminder:{w.followup.pk}:20271015T215959Z:J-7"
    assert len(set(keys)) == 5


def test_a_report_without_a_due_date_gets_no_reminder(due_world):
    Report.objects.filter(pk=due_world.followup.pk).update(due_on=None)
    assert run(2027, 9, 29, 9, 0) == NOTHING
    assert run(2027, 10, 1, 9, 0) == NOTHING


def test_no_reminder_when_the_call_has_no_reminder_days_but_the_late_notice(due_world):
    due_world.call.reminder_days = ""
    due_world.call.save()
    assert run(2027, 9, 23, 9, 0) == NOTHING
    assert run(2027, 9, 29, 9, 0) == NOTHING
    assert run(2027, 10, 1, 9, 0) == {"reminders": 0, "late_notices": 1}


def test_a_due_date_on_the_last_sunday_of_october(due_world):
    # 31 October 2027: clocks go back from 03:00 to 02:00 that night. The report is due until
    # 23:59:59 winter time (UTC+1) that day; J-7 and J-1 fall in summer time (UTC+2), the late
    # notice in winter time.
    w = due_world
    sunday = date(2027, 10, 31)
    assert sunday.weekday() == 6 and (sunday + timedelta(days=7)).month == 11
    reschedule_report(officer=w.officer, report=w.followup, due_on=sunday)
    assert run(2027, 10, 24, 8, 59) == NOTHING
    assert run(2027, 10, 24, 9, 0) == {"reminders": 1, "late_notices": 0}
    assert run(2027, 10, 30, 8, 59) == NOTHING
    assert run(2027, 10, 30, 9, 0) == {"reminders": 1, "late_notices": 0}
    assert run(2027, 10, 31, 23, 59, 59) == NOTHING
    assert run(2027, 11, 1, 8, 59) == NOTHING
    assert run(2027, 11, 1, 9, 0) == {"reminders": 0, "late_notices": 1}
    assert kinds() == ["J-7", "J-1", "late"]
    # The deadline is 22:59:59 UTC: 23:59:59 in winter time.
    assert set(key.split(":")[2] for key in notices().values_list("dedup_key", flat=True)) == {
        "20271031T225959Z"}
    # The late notice is due until 14 November, 23:59:59 Paris time.
    OutgoingMail.objects.all().delete()
    assert run(2027, 11, 15, 0, 0) == NOTHING
    assert run(2027, 11, 14, 23, 59) == {"reminders": 0, "late_notices": 1}


# --- the scheduled job -----------------------------------------------------------------------

def test_the_scheduled_job_reminds_and_records_its_run(due_world, eager_celery):
    for moment in [paris(2027, 9, 23, 8, 59), paris(2027, 9, 23, 9, 5),
                   paris(2027, 9, 23, 10, 5)]:
        with time_machine.travel(moment, tick=False):
            tasks.remind_reports.delay()
    assert kinds() == ["J-7"]
    runs = list(JobRun.objects.filter(name="laureates.tasks.remind_reports")
                .order_by("started_at", "pk"))
    assert [(r.outcome, r.summary) for r in runs] == [
        (JobOutcome.OK, {"reminders": 0, "late_notices": 0}),
        (JobOutcome.OK, {"reminders": 1, "late_notices": 0}),
        (JobOutcome.OK, {"reminders": 0, "late_notices": 0})]
    assert runs[1].started_at == paris(2027, 9, 23, 9, 5)
    # Written in the portal's language (French), whatever the worker ran before.
    mail = notices().get()
    assert "30 septembre 2027" in mail.body_text
