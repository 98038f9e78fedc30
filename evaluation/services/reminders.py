"""Reminders to evaluators before the call's evaluation due date (`Call.evaluation_due`, the
whole day in Paris), at the call's reminder days, for the dossiers under evaluation whose
evaluation they have not submitted.

One mail per evaluator, call and reminder day (listing their dossiers still to evaluate), with
a deduplication key: run twice, or by two beats at once, it is written once. The rule after a
scheduler outage is the collectives' one (`calls.calendar.due_reminder`): only the due reminder
closest to the deadline is sent, never a stale earlier one.
"""

from django.conf import settings
from django.urls import reverse

from applications.models import DossierStatus
from calls import calendar
from calls.models import Call, CallStatus
from connaissance.mail.models import OutgoingMail
from connaissance.mail.services import queue_templated_mail

from ..models import Assignment, EvaluationStatus


def pending_assignments(call):
    """Assignments of `call` whose evaluation is still to submit (conflict declaration
    included), on dossiers under evaluation."""
    return (Assignment.objects
            .filter(dossier__note__collective__call=call,
                    dossier__status=DossierStatus.UNDER_EVALUATION,
                    evaluator__is_active=True)
            .exclude(evaluation__status=EvaluationStatus.SUBMITTED)
            .select_related("evaluator", "dossier__note__collective")
            .order_by("evaluator_id", "assigned_at", "pk"))


def _rows(assignments):
    return [{"reference": a.dossier.reference, "collective": a.dossier.note.collective.name,
             "declared": a.cleared_at is not None,
             "link": settings.SITE_URL + reverse("evaluation:assignment", args=[a.pk])}
            for a in assignments]


def remind_call(*, call, now) -> int:
    offsets = call.reminder_offsets
    if not offsets or call.evaluation_due is None:
        return 0
    deadline = calendar.end_of_day(call.evaluation_due)
    days = calendar.due_reminder(deadline, offsets, now)
    if days is None:
        return 0
    by_evaluator = {}
    for assignment in pending_assignments(call):
        by_evaluator.setdefault(assignment.evaluator, []).append(assignment)
    keys = {evaluator.pk: (f"evaluation-reminder:{call.pk}:{evaluator.pk}:"
                           f"{call.evaluation_due:%Y%m%d}:J-{days}")
            for evaluator in by_evaluator}
    done = set(OutgoingMail.objects.filter(dedup_key__in=list(keys.values()))
               .values_list("dedup_key", flat=True))
    sent = 0
    for evaluator, assignments in by_evaluator.items():
        if keys[evaluator.pk] in done or not evaluator.email:
            continue
        queue_templated_mail(
            to=[evaluator.email], template_prefix="evaluation/email/evaluation_reminder",
            cause="evaluation:reminder", dedup_key=keys[evaluator.pk],
            context={"call": call, "evaluator": evaluator, "rows": _rows(assignments),
                     "deadline": deadline, "time_left": deadline - now, "days": days,
                     "link": settings.SITE_URL + reverse("evaluation:assignments"),
                     "SITE_URL": settings.SITE_URL})
        sent += 1
    return sent


def remind_evaluators(*, now) -> dict:
    """The reminders due now, for every published call with an evaluation due date."""
    calls = Call.objects.filter(status=CallStatus.PUBLISHED, evaluation_due__isnull=False)
    return {"evaluator_reminders": sum(remind_call(call=call, now=now)
                                       for call in calls.order_by("pk"))}
