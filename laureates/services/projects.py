"""Opening the projects of a call's laureates, recording their signed agreement, following
their milestones and flagging an end date too close to (or past) the call's eligibility end.

Projects are opened by `open_projects`, an idempotent step officers run once the decisions are
announced (the announcement itself lives in `evaluation`, which may not know this app): each
announced selected decision without a project gets one, with the award copied from the
decision and the dates and milestones copied from the action plan *as filed*.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from applications.dossier_documents import row_title, view_of
from applications.models import SectionCode
from calls.models import Call
from connaissance.audit.services import record
from connaissance.files.services import store_upload
from connaissance.files.validation import validate_upload
from connaissance.formatting import long_date, to_paris
from evaluation.models import Decision, DecisionOutcome

from ..errors import LaureateError
from ..models import Milestone, MilestoneStatus, Project, ProjectStatus
from ..workflow import CONVENTION_LIFECYCLE, PROJECT_LIFECYCLE
from .common import add_months, as_date, paris_today, require_officer
from .reports import plan_reports

END_AFTER_ELIGIBILITY = "after_eligibility_end"
END_CLOSE_TO_ELIGIBILITY = "close_to_eligibility_end"
DEFAULT_MARGIN_MONTHS = 6


def action_plan(dossier):
    """(start, end, [(label, date)]) of the dossier's action plan as filed."""
    data = ((view_of(dossier).get("sections") or {}).get(SectionCode.ACTION_PLAN) or {})
    data = data.get("data") or {}
    milestones = [(str(m.get("label") or "").strip()[:255], as_date(m.get("date")))
                  for m in data.get("milestones") or [] if isinstance(m, dict)]
    return (as_date(data.get("start_date")) or dossier.start_date,
            as_date(data.get("end_date")) or dossier.end_date,
            [(label, due) for label, due in milestones if label or due])


def laureate_decisions(call):
    """The announced selected decisions of `call` (the laureates)."""
    return (Decision.objects.filter(dossier__note__collective__call=call,
                                    outcome=DecisionOutcome.SELECTED,
                                    announced_at__isnull=False)
            .select_related("dossier__note__collective__call"))


@transaction.atomic
def open_projects(*, officer, call):
    """Open the project of every laureate of `call` that has none yet; returns the projects
    opened now (none when run again). The reports of projects opened earlier that lack some
    (opened before the reports existed) are planned too."""
    require_officer(officer)
    # One run at a time per call: two officers opening at once plan nothing twice.
    Call.objects.select_for_update().filter(pk=call.pk).first()
    for project in Project.objects.filter(collective__call=call).select_related(
            "collective__call").prefetch_related("collective__call__phases"):
        plan_reports(project=project)
    decisions = (laureate_decisions(call).filter(project__isnull=True)
                 .select_for_update(of=("self",)).order_by("dossier__reference", "pk"))
    opened = []
    for decision in decisions:
        if Project.objects.filter(decision=decision).exists():
            continue  # opened by a concurrent run while this one waited for the lock
        dossier = decision.dossier
        start, end, milestones = action_plan(dossier)
        project = Project.objects.create(
            decision=decision, collective=dossier.note.collective,
            title=(row_title(dossier) or str(dossier.note.collective))[:200],
            awarded_amount=decision.awarded_amount, awarded_rate=decision.awarded_rate,
            start_date=start, end_date=end, opened_by=officer)
        Milestone.objects.bulk_create([
            Milestone(project=project, position=index, label=label or "—", due_on=due)
            for index, (label, due) in enumerate(milestones, start=1)])
        plan_reports(project=project)
        record(actor=officer, obj=project, action="project.opened",
               to_state=project.status,
               data={"dossier": dossier.reference, "decision": decision.pk,
                     "amount": project.awarded_amount, "rate": project.awarded_rate})
        opened.append(project)
    return opened


def _max_bytes(project):
    return project.collective.call.upload_max_mb * 1024 * 1024


def check_signature(*, project, signed_on, uploaded):
    """The checks of a signed agreement, without storing anything (the admin form runs them
    before saving): returns the signature date or raises LaureateError."""
    if project.is_signed:
        raise LaureateError(_("The signed agreement of this project is already recorded."))
    signed_on = as_date(signed_on)
    if signed_on is None:
        raise LaureateError(_("Give the date the agreement was signed."))
    if signed_on > paris_today():
        raise LaureateError(_("The signature date cannot be in the future."))
    announced = project.decision.announced_at
    if announced is not None and signed_on < to_paris(announced).date():
        raise LaureateError(_("The agreement cannot be signed before the decision was "
                              "announced (%(date)s).") % {"date": long_date(announced)})
    if uploaded is None:
        raise LaureateError(_("Choose the file of the signed agreement."))
    try:
        validate_upload(uploaded, max_bytes=_max_bytes(project))
    except ValidationError as error:
        raise LaureateError(" ".join(error.messages)) from None
    return signed_on


@transaction.atomic
def record_signed_convention(*, officer, project, uploaded, signed_on):
    """Record the agreement signed by both parties (the Region signs last): the document goes
    through the upload validator into the private storage (owned by the collective, whose
    members may download it), the agreement becomes signed and the project starts."""
    require_officer(officer)
    locked = (Project.objects.select_for_update(of=("self",))
              .select_related("collective__call", "decision").get(pk=project.pk))
    signed_on = check_signature(project=locked, signed_on=signed_on, uploaded=uploaded)
    try:
        stored = store_upload(uploaded=uploaded, owner=locked.collective, created_by=officer,
                              max_bytes=_max_bytes(locked))
    except ValidationError as error:
        raise LaureateError(" ".join(error.messages)) from None
    Project.objects.filter(pk=locked.pk).update(convention_file=stored,
                                                convention_signed_on=signed_on)
    locked.convention_file, locked.convention_signed_on = stored, signed_on
    data = {"file": str(stored.pk), "sha256": stored.sha256, "signed_on": signed_on}
    CONVENTION_LIFECYCLE.apply(locked, to_state="signed", actor=officer, data=data)
    PROJECT_LIFECYCLE.apply(locked, to_state=ProjectStatus.RUNNING, actor=officer, data=data)
    for name in ("convention_file", "convention_signed_on", "convention_status", "status"):
        setattr(project, name, getattr(locked, name))
    return project


@transaction.atomic
def set_milestone_status(*, officer, milestone, status, done_on=None):
    """Officers follow a milestone: planned, done (on a date, today by default) or late."""
    require_officer(officer)
    if status not in MilestoneStatus.values:
        raise LaureateError(_("Choose the status of the milestone."))
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    done_on = as_date(done_on)
    if status == MilestoneStatus.DONE:
        done_on = done_on or paris_today()
        if done_on > paris_today():
            raise LaureateError(_("A milestone cannot be done on a future date."))
    else:
        done_on = None
    if (locked.status, locked.done_on) == (status, done_on):
        return locked
    record(actor=officer, obj=locked.project, action="project.milestone",
           from_state=locked.status, to_state=status,
           data={"milestone": locked.label, "done_on": done_on})
    locked.status, locked.done_on = status, done_on
    locked.save(update_fields=["status", "done_on"])
    milestone.status, milestone.done_on = status, done_on
    return locked


def months_before(day, months):
    return add_months(day, -months)


def margin_months():
    return getattr(settings, "LAUREATES_END_MARGIN_MONTHS", DEFAULT_MARGIN_MONTHS)


def eligibility_flag(project, *, months=None):
    """Why the project's end date needs watching, or None:
    - END_AFTER_ELIGIBILITY: it ends after the call's eligibility end (always flagged);
    - END_CLOSE_TO_ELIGIBILITY: it is not closed and ends within `months` months (by default
      LAUREATES_END_MARGIN_MONTHS, 6) of the eligibility end, leaving no margin for a delay."""
    limit = project.collective.call.eligibility_end
    if limit is None or project.end_date is None:
        return None
    if project.end_date > limit:
        return END_AFTER_ELIGIBILITY
    months = margin_months() if months is None else months
    if project.status != ProjectStatus.CLOSED and project.end_date > months_before(limit,
                                                                                   months):
        return END_CLOSE_TO_ELIGIBILITY
    return None
