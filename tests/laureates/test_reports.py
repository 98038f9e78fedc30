"""The follow-up reports of a project: planned when it is opened (the launch follow-up at the
end of the call's « operational launch follow-up » phase, periodic reports, the final report),
written by the collective as drafts with a version (a concurrent save refused), filed when
complete (late ones too, marked late), accepted or sent back by officers; accepting the final
report closes the project. The officers and the collective are told by mail after the commit."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from calls.calendar import start_of_day
from calls.models import PhaseKind
from connaissance.audit.models import AuditEvent
from laureates.errors import LaureateError, StaleReport
from laureates.models import Project, Report
from laureates.services import (
    open_projects,
    plan_reports,
    reschedule_report,
    save_report,
    submit_report,
)
from laureates.services.common import paris_today
from laureates.services.reports import planned_reports
from tests.factories import PhaseFactory
from tests.laureates.builders import sign
from tests.laureates.report_world import (
    FINAL,
    FOLLOWUP,
    FOLLOWUP_END,
    PERIODIC,
    K,
    S,
    filed,
    fresh,
    paris,
    report,
    saved,
)

pytestmark = pytest.mark.django_db


# --- planning --------------------------------------------------------------------------------

def test_the_reports_are_planned_when_the_project_opens(followup_world):
    project = followup_world.project  # 1 September 2023 → 30 June 2026
    plan = {(r.kind, r.number): (r.due_on, r.status, r.version)
            for r in project.reports.all()}
    assert plan == {
        (K.LAUNCH_FOLLOWUP, 1): (FOLLOWUP_END, S.DRAFT, 1),
        (K.PERIODIC, 1): (date(2024, 9, 1), S.DRAFT, 1),
        (K.PERIODIC, 2): (date(2025, 9, 1), S.DRAFT, 1),
        (K.FINAL, 1): (date(2026, 8, 30), S.DRAFT, 1),  # the end + 2 months
    }


def test_planning_again_creates_nothing(followup_world):
    project = followup_world.project
    assert plan_reports(project=project) == []
    assert open_projects(officer=followup_world.officer, call=followup_world.call) == []
    assert project.reports.count() == 4


def test_no_follow_up_due_date_without_the_phase(laureate_world):
    project = laureate_world.project
    assert report(project, K.LAUNCH_FOLLOWUP).due_on is None
    assert report(project, K.FINAL).due_on == date(2026, 8, 30)


def test_the_follow_up_is_due_on_the_paris_date_of_the_phase_end(laureate_world):
    # The phase ends at 00:30 on 1 October, Paris time: still 30 September in UTC.
    PhaseFactory(call=laureate_world.call, kind=PhaseKind.LAUNCH_FOLLOWUP,
                 starts_at=start_of_day(date(2027, 9, 1)), ends_at=paris(2027, 10, 1, 0, 30))
    project = Project.objects.get(pk=laureate_world.project.pk)
    project.reports.filter(kind=K.LAUNCH_FOLLOWUP).delete()
    [followup] = plan_reports(project=project)
    assert (followup.kind, followup.due_on) == (K.LAUNCH_FOLLOWUP, date(2027, 10, 1))
    assert project.reports.count() == 4


def test_a_follow_up_phase_without_an_end_is_due_on_its_start(laureate_world):
    PhaseFactory(call=laureate_world.call, kind=PhaseKind.LAUNCH_FOLLOWUP,
                 starts_at=start_of_day(date(2027, 9, 15)), ends_at=None)
    project = Project.objects.get(pk=laureate_world.project.pk)
    assert planned_reports(project)[0] == (K.LAUNCH_FOLLOWUP, 1, date(2027, 9, 15))


def test_periodic_reports_stop_before_the_end(laureate_world):
    project = Project.objects.get(pk=laureate_world.project.pk)
    project.start_date, project.end_date = date(2023, 9, 1), date(2025, 9, 1)
    assert planned_reports(project)[1:] == [
        (K.PERIODIC, 1, date(2024, 9, 1)),  # 1 September 2025 is the end: no report then
        (K.FINAL, 1, date(2025, 11, 1))]
    project.start_date, project.end_date = date(2023, 9, 1), date(2024, 3, 31)
    assert planned_reports(project)[1:] == [(K.FINAL, 1, date(2024, 5, 31))]
    project.start_date = project.end_date = None
    assert planned_reports(project)[1:] == [(K.FINAL, 1, None)]


def test_the_period_and_the_final_delay_are_settings(laureate_world, settings):
    settings.LAUREATES_REPORT_EVERY_MONTHS = 6
    settings.LAUREATES_FINAL_REPORT_MONTHS = 3
    project = Project.objects.get(pk=laureate_world.project.pk)
    project.reports.exclude(kind=K.LAUNCH_FOLLOWUP).delete()
    created = plan_reports(project=project)
    assert [(r.kind, r.number, r.due_on) for r in created] == [
        (K.PERIODIC, 1, date(2024, 3, 1)), (K.PERIODIC, 2, date(2024, 9, 1)),
        (K.PERIODIC, 3, date(2025, 3, 1)), (K.PERIODIC, 4, date(2025, 9, 1)),
        (K.PERIODIC, 5, date(2026, 3, 1)), (K.FINAL, 1, date(2026, 9, 30))]


def test_officers_move_a_due_date(followup_world):
    w = followup_world
    followup = report(w.project, K.LAUNCH_FOLLOWUP)
    with pytest.raises(LaureateError):
        reschedule_report(officer=w.member, report=followup, due_on=date(2027, 10, 15))
    moved = reschedule_report(officer=w.officer, report=followup, due_on="2027-10-15")
    assert fresh(moved).due_on == date(2027, 10, 15)
    [row] = AuditEvent.objects.filter(action="report.rescheduled")
    assert (row.data["from"], row.data["to"]) == ("2027-09-30", "2027-10-15")
    reschedule_report(officer=w.officer, report=followup, due_on=date(2027, 10, 15))
    assert AuditEvent.objects.filter(action="report.rescheduled").count() == 1


# --- the collective writes -------------------------------------------------------------------

def test_a_member_saves_a_draft_with_the_version_read(followup_world):
    w = followup_world
    followup = report(w.project, K.LAUNCH_FOLLOWUP)
    draft = save_report(user=w.member, report=followup,
                        values={**FOLLOWUP, "expenses_to_date": "5 000,00"}, version=1)
    draft = fresh(draft)
    assert (draft.version, draft.updated_by, draft.status) == (2, w.member, S.DRAFT)
    assert (draft.team_in_place, draft.team_details) == ("yes", FOLLOWUP["team_details"])
    assert (draft.sessions_held, draft.learners_reached) == (3, 42)
    assert draft.first_session_on == date(2024, 10, 7)
    # The launch follow-up does not ask for the expenses: what is not asked is not saved.
    assert draft.expenses_to_date is None


def test_a_stale_version_is_refused(followup_world):
    w = followup_world
    followup = report(w.project, K.LAUNCH_FOLLOWUP)
    save_report(user=w.member, report=followup, values=FOLLOWUP, version=1)
    with translation.override("en"), pytest.raises(StaleReport) as refused:
        save_report(user=w.member, report=followup,
                    values={**FOLLOWUP, "team_details": "Écrasé ?"}, version=1)
    assert "Someone else saved this report" in str(refused.value)
    assert refused.value.saved_version == 2
    assert (fresh(followup).team_details, fresh(followup).version) == (
        FOLLOWUP["team_details"], 2)
    # Filing what another read is refused the same way.
    with pytest.raises(StaleReport):
        submit_report(user=w.member, report=followup, version=1)
    assert fresh(followup).status == S.DRAFT


def test_only_the_collective_writes_its_reports(followup_world, other_collective_member):
    w = followup_world
    followup = report(w.project, K.LAUNCH_FOLLOWUP)
    for user in (other_collective_member.user, w.officer):
        with pytest.raises(LaureateError):
            save_report(user=user, report=followup, values=FOLLOWUP, version=1)
        with pytest.raises(LaureateError):
            submit_report(user=user, report=followup)
    assert fresh(followup).version == 1 and fresh(followup).team_details == ""


def test_the_values_are_converted(followup_world):
    draft = fresh(saved(followup_world, K.PERIODIC, PERIODIC))
    assert draft.expenses_to_date == Decimal("1234.50")
    assert (draft.sessions_held, draft.learners_reached) == (12, 1050)
    assert (draft.activities, draft.next_steps) == ("Ateliers hebdomadaires.",
                                                    "Ouvrir un second site.")
    draft = fresh(saved(followup_world, K.PERIODIC,
                        {**PERIODIC, "expenses_to_date": "2\u202f000,05\u00a0€"}))
    assert draft.expenses_to_date == Decimal("2000.05")
    draft = fresh(saved(followup_world, K.PERIODIC,
                        {**PERIODIC, "expenses_to_date": Decimal("10.10")}))
    assert draft.expenses_to_date == Decimal("10.10")


@pytest.mark.parametrize("values", [
    {"expenses_to_date": 1234.5},
    {"expenses_to_date": "-5,00"},
    {"expenses_to_date": "12,345"},
    {"expenses_to_date": "douze"},
    {"sessions_held": "-1"},
    {"learners_reached": "-3"},
    {"learners_reached": "4,5"},
    {"expenses_to_date": "1E+30"},
    {"expenses_to_date": "123456789012"},
    {"expenses_to_date": "Infinity"},
    {"sessions_held": "3000000000"},
    {"learners_reached": "99999999999999999999"},
], ids=["float", "negative-euros", "fraction-of-cent", "words", "negative-sessions",
        "negative-learners", "decimal-count", "exponent", "too-many-euros", "infinity",
        "too-many-sessions", "too-many-learners"])
def test_bad_values_are_refused(followup_world, values):
    periodic = report(followup_world.project, K.PERIODIC)
    with pytest.raises(LaureateError):
        save_report(user=followup_world.member, report=periodic,
                    values={**PERIODIC, **values}, version=1)
    assert fresh(periodic).version == 1 and fresh(periodic).activities == ""


def test_the_first_session_cannot_be_in_the_future(followup_world):
    followup = report(followup_world.project, K.LAUNCH_FOLLOWUP)
    tomorrow = paris_today() + timedelta(days=1)
    with translation.override("en"), pytest.raises(LaureateError) as refused:
        save_report(user=followup_world.member, report=followup,
                    values={**FOLLOWUP, "first_session_on": tomorrow}, version=1)
    assert str(refused.value) == "The first session cannot be in the future."
    saved_today = save_report(user=followup_world.member, report=followup,
                              values={**FOLLOWUP, "first_session_on": paris_today()},
                              version=1)
    assert fresh(saved_today).first_session_on == paris_today()


# --- filing ----------------------------------------------------------------------------------

def test_what_is_missing_is_listed_in_english(followup_world):
    followup = report(followup_world.project, K.LAUNCH_FOLLOWUP)
    with translation.override("en"), pytest.raises(LaureateError) as refused:
        submit_report(user=followup_world.member, report=followup)
    assert str(refused.value) == (
        "The report cannot be filed yet; missing: is the project team in place?, the team, "
        "training sessions held, learners reached.")
    assert fresh(followup).status == S.DRAFT


def test_what_is_missing_is_listed_in_the_language_of_the_user(followup_world):
    draft = saved(followup_world, K.PERIODIC, {"activities": "Ateliers."})
    with translation.override("fr"), pytest.raises(LaureateError) as refused:
        submit_report(user=followup_world.member, report=draft)
    with translation.override("fr"):
        labels = [str(Report._meta.get_field(name).verbose_name)
                  for name in ("sessions_held", "learners_reached", "expenses_to_date")]
    message = str(refused.value)
    assert message.endswith(": " + ", ".join(labels) + ".")
    assert str(Report._meta.get_field("activities").verbose_name) not in message


def test_the_first_session_is_needed_once_sessions_were_held(followup_world):
    w = followup_world
    draft = saved(w, K.LAUNCH_FOLLOWUP, {**FOLLOWUP, "first_session_on": None})
    with translation.override("en"), pytest.raises(LaureateError) as refused:
        submit_report(user=w.member, report=draft, version=draft.version)
    assert str(refused.value) == ("The report cannot be filed yet; missing: date of the first "
                                  "session.")
    # No session held yet: no first session to give.
    draft = saved(w, K.LAUNCH_FOLLOWUP, {**FOLLOWUP, "sessions_held": "0",
                                         "first_session_on": None})
    submitted = submit_report(user=w.member, report=draft, version=draft.version)
    assert fresh(submitted).status == S.SUBMITTED


def test_filing_on_time_and_late(followup_world):
    w = followup_world
    on_time = filed(w, K.PERIODIC, PERIODIC, number=1, now=paris(2024, 9, 1, 23, 59))
    late = filed(w, K.PERIODIC, PERIODIC, number=2, now=paris(2025, 9, 2, 0, 0))
    for row, due, is_late, when in [(on_time, "2024-09-01", False, paris(2024, 9, 1, 23, 59)),
                                    (late, "2025-09-01", True, paris(2025, 9, 2, 0, 0))]:
        stored = fresh(row)
        assert (stored.status, stored.submitted_by, stored.submitted_at) == (
            S.SUBMITTED, w.member, when)
        [event] = AuditEvent.objects.filter(action="report.submit", object_id=str(row.pk))
        assert (event.from_state, event.to_state, event.actor) == ("draft", "submitted",
                                                                   w.member)
        assert event.data == {"due_on": due, "late": is_late}


def test_a_filed_report_can_no_longer_change(followup_world):
    w = followup_world
    submitted = filed(w, K.LAUNCH_FOLLOWUP, FOLLOWUP)
    with translation.override("en"), pytest.raises(LaureateError) as refused:
        save_report(user=w.member, report=submitted, values=FOLLOWUP,
                    version=fresh(submitted).version)
    assert str(refused.value) == "This report is filed: it can no longer change."
    with pytest.raises(LaureateError):
        submit_report(user=w.member, report=submitted)
    assert AuditEvent.objects.filter(action="report.submit").count() == 1


def test_the_final_report_needs_the_signed_agreement(followup_world):
    w = followup_world
    draft = saved(w, K.FINAL, FINAL)  # writing it is possible
    assert fresh(draft).expenses_to_date == Decimal("198500.00")
    with translation.override("en"), pytest.raises(LaureateError) as refused:
        submit_report(user=w.member, report=draft)
    assert str(refused.value) == "The final report can be filed once the agreement is signed."
    assert fresh(draft).status == S.DRAFT
    sign(w, w.project)
    submit_report(user=w.member, report=draft)
    assert fresh(draft).status == S.SUBMITTED
