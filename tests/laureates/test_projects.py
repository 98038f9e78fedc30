"""Projects of the laureates (issue 8): opened from the announced selected decisions (the award
copied, the decision staying the source), the agreement signed with its document, the
lifecycle table, milestones and the end-date flag."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from connaissance.audit.models import AuditEvent
from connaissance.files.models import StoredFile
from connaissance.workflow import TransitionNotAllowed
from laureates.errors import LaureateError
from laureates.models import (
    ConventionStatus,
    Milestone,
    MilestoneStatus,
    Project,
    ProjectStatus,
)
from laureates.services import (
    END_AFTER_ELIGIBILITY,
    END_CLOSE_TO_ELIGIBILITY,
    eligibility_flag,
    open_projects,
    record_signed_convention,
    set_milestone_status,
)
from laureates.services.projects import months_before
from laureates.workflow import CONVENTION_LIFECYCLE, PROJECT_LIFECYCLE
from tests.evaluation.builders import evaluator
from tests.laureates.builders import announce_laureates, selected, sign, signed_pdf

pytestmark = pytest.mark.django_db
S = ProjectStatus


# --- opening ---------------------------------------------------------------------------------

def test_open_projects_copies_the_award_dates_and_milestones(laureate_world):
    project = laureate_world.project
    decision = laureate_world.decision
    decision.refresh_from_db()
    assert project.decision_id == decision.pk
    assert project.collective == laureate_world.collective
    assert project.awarded_amount == decision.awarded_amount == Decimal("200000.00")
    assert project.awarded_rate == decision.awarded_rate == Decimal("80.00")
    assert project.title == "Tiers-lieu apprenant"
    assert (project.start_date, project.end_date) == (date(2023, 9, 1), date(2026, 6, 30))
    assert [(m.label, m.due_on, m.status) for m in project.milestones.all()] == [
        ("Lancement", date(2023, 9, 15), MilestoneStatus.PLANNED)]
    assert (project.status, project.convention_status) == (S.AGREEMENT_PENDING,
                                                           ConventionStatus.TO_SIGN)
    assert AuditEvent.objects.filter(action="project.opened", object_id=str(project.pk)).exists()


def test_open_projects_is_idempotent(laureate_world):
    assert open_projects(officer=laureate_world.officer, call=laureate_world.call) == []
    assert Project.objects.count() == 1
    assert Milestone.objects.count() == 1


def test_only_announced_selected_decisions_become_projects(world):
    staged = selected(world, dossier=world.dossier)
    assert open_projects(officer=world.officer, call=world.call) == []  # not announced yet
    announce_laureates(world)
    rejected = selected(world)  # a second dossier, staged « selected »: not announced
    opened = open_projects(officer=world.officer, call=world.call)
    assert [p.decision_id for p in opened] == [staged.pk]
    assert not Project.objects.filter(decision=rejected).exists()


def test_only_officers_open_projects(world):
    selected(world, dossier=world.dossier)
    announce_laureates(world)
    with pytest.raises(LaureateError):
        open_projects(officer=evaluator(), call=world.call)
    assert not Project.objects.exists()


# --- the lifecycle, pair by pair ---------------------------------------------------------------

ALLOWED = {(S.AGREEMENT_PENDING, S.RUNNING), (S.RUNNING, S.CLOSED)}


def test_the_table_is_exactly_the_allowed_moves():
    assert set(PROJECT_LIFECYCLE.table) == ALLOWED
    assert set(CONVENTION_LIFECYCLE.table) == {(ConventionStatus.TO_SIGN,
                                                ConventionStatus.SIGNED)}


@pytest.mark.parametrize("source", S.values)
@pytest.mark.parametrize("target", S.values)
def test_every_pair_of_states(laureate_world, source, target):
    project = laureate_world.project
    Project.objects.filter(pk=project.pk).update(status=source)
    project.refresh_from_db()
    if (source, target) in ALLOWED:
        PROJECT_LIFECYCLE.apply(project, to_state=target, actor=laureate_world.officer)
        project.refresh_from_db()
        assert project.status == target
        assert AuditEvent.objects.filter(object_id=str(project.pk), from_state=source,
                                         to_state=target).exists()
    else:
        with pytest.raises(TransitionNotAllowed):
            PROJECT_LIFECYCLE.apply(project, to_state=target, actor=laureate_world.officer)
        project.refresh_from_db()
        assert project.status == source


# --- the signed agreement ----------------------------------------------------------------------

def test_recording_the_signed_agreement_starts_the_project(laureate_world):
    project = laureate_world.project
    record_signed_convention(officer=laureate_world.officer, project=project,
                             uploaded=signed_pdf(), signed_on=date.today())
    project.refresh_from_db()
    assert project.convention_status == ConventionStatus.SIGNED
    assert project.status == S.RUNNING
    assert project.convention_signed_on == date.today()
    stored = StoredFile.objects.get(pk=project.convention_file_id)
    assert stored.owner == laureate_world.collective  # members download it, nobody else
    assert len(stored.sha256) == 64
    actions = set(AuditEvent.objects.filter(object_id=str(project.pk))
                  .values_list("action", flat=True))
    assert {"convention.sign", "project.start"} <= actions


def test_the_agreement_is_recorded_once(laureate_world):
    sign(laureate_world, laureate_world.project)
    with translation.override("en"), pytest.raises(LaureateError, match="already recorded"):
        sign(laureate_world, laureate_world.project)


def test_a_refused_file_changes_nothing(laureate_world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("convention.pdf", b"MZ\x90\x00 not a pdf at all",
                              content_type="application/pdf")
    with pytest.raises(LaureateError):
        record_signed_convention(officer=laureate_world.officer,
                                 project=laureate_world.project, uploaded=fake,
                                 signed_on=date.today())
    project = Project.objects.get(pk=laureate_world.project.pk)
    assert (project.status, project.convention_status) == (S.AGREEMENT_PENDING,
                                                           ConventionStatus.TO_SIGN)
    assert project.convention_file_id is None


@pytest.mark.parametrize("on, message", [
    (None, "Give the date"),
    (date.today() + timedelta(days=1), "future"),
    (date(2000, 1, 1), "before the decision was announced"),
])
def test_the_signature_date_is_checked(laureate_world, on, message):
    with translation.override("en"), pytest.raises(LaureateError, match=message):
        record_signed_convention(officer=laureate_world.officer,
                                 project=laureate_world.project, uploaded=signed_pdf(),
                                 signed_on=on)


def test_only_officers_record_the_agreement(laureate_world):
    with pytest.raises(LaureateError):
        record_signed_convention(officer=laureate_world.member, project=laureate_world.project,
                                 uploaded=signed_pdf(), signed_on=date.today())


# --- milestones --------------------------------------------------------------------------------

def test_milestone_status_and_late_display(laureate_world):
    milestone = laureate_world.project.milestones.get()
    assert milestone.effective_status(date(2023, 9, 15)) == MilestoneStatus.PLANNED
    assert milestone.effective_status(date(2023, 9, 16)) == MilestoneStatus.LATE
    set_milestone_status(officer=laureate_world.officer, milestone=milestone, status="done",
                         done_on=date(2023, 9, 20))
    milestone.refresh_from_db()
    assert (milestone.status, milestone.done_on) == ("done", date(2023, 9, 20))
    assert milestone.effective_status(date(2024, 1, 1)) == MilestoneStatus.DONE
    set_milestone_status(officer=laureate_world.officer, milestone=milestone, status="late")
    milestone.refresh_from_db()
    assert (milestone.status, milestone.done_on) == ("late", None)
    with pytest.raises(LaureateError):
        set_milestone_status(officer=laureate_world.member, milestone=milestone,
                             status="done")


# --- the end-date flag -------------------------------------------------------------------------

def test_months_before():
    assert months_before(date(2026, 6, 30), 6) == date(2025, 12, 30)
    assert months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert months_before(date(2026, 3, 15), 3) == date(2025, 12, 15)


def _with_end(project, end, eligibility_end, status=S.RUNNING):
    call = project.collective.call
    call.eligibility_end = eligibility_end
    project.end_date, project.status = end, status
    return project


@pytest.mark.parametrize("end, status, expected", [
    (date(2026, 7, 1), S.RUNNING, END_AFTER_ELIGIBILITY),       # one day after
    (date(2026, 7, 1), S.CLOSED, END_AFTER_ELIGIBILITY),        # closed or not
    (date(2026, 6, 30), S.RUNNING, END_CLOSE_TO_ELIGIBILITY),   # on the day: no margin
    (date(2025, 12, 31), S.RUNNING, END_CLOSE_TO_ELIGIBILITY),  # within 6 months
    (date(2025, 12, 30), S.RUNNING, None),                      # exactly 6 months before
    (date(2026, 6, 30), S.CLOSED, None),                        # closed in time
    (None, S.RUNNING, None),
])
def test_end_date_flag(laureate_world, end, status, expected):
    project = _with_end(laureate_world.project, end, date(2026, 6, 30), status)
    assert eligibility_flag(project, months=6) == expected


def test_the_margin_is_a_setting(laureate_world, settings):
    project = _with_end(laureate_world.project, date(2025, 12, 1), date(2026, 6, 30))
    settings.LAUREATES_END_MARGIN_MONTHS = 6
    assert eligibility_flag(project) is None
    settings.LAUREATES_END_MARGIN_MONTHS = 12
    assert eligibility_flag(project) == END_CLOSE_TO_ELIGIBILITY
