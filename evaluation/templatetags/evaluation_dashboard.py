"""`{% evaluation_dashboard %}`: on the admin's home page, for Region officers only, the
evaluation progress of each published call (dossiers admissible and under evaluation,
« 5/8 évaluations reçues », dossiers lacking evaluators, disagreements) with links to the
« assign evaluators » and ranking pages. Three queries whatever the number of calls and
dossiers; nothing (and no query) for anybody else."""

from collections import defaultdict

from django import template
from django.db.models import F
from django.urls import reverse

from applications.models import Dossier, DossierStatus
from calls.models import Call, CallStatus
from calls.rules import is_officer

from ..scoring import Progress, scored_dossiers
from ..services.assignments import ASSIGNABLE

register = template.Library()


def call_progress(calls):
    """One dict per call: counts and the summed progress of its assignable dossiers."""
    scored = scored_dossiers(
        Dossier.objects.filter(note__collective__call__in=[c.pk for c in calls],
                               status__in=ASSIGNABLE)
        .annotate(call_ref=F("note__collective__call_id"))) if calls else []
    by_call = defaultdict(list)
    for item in scored:
        by_call[item.dossier.call_ref].append(item)
    rows = []
    for call in calls:
        items = by_call[call.pk]
        submitted = sum(i.progress.submitted for i in items)
        expected = sum(i.progress.expected for i in items)
        rows.append({
            "call": call, "dossiers": len(items),
            "admissible": sum(i.dossier.status == DossierStatus.ADMISSIBLE for i in items),
            "under_evaluation": sum(i.dossier.status == DossierStatus.UNDER_EVALUATION
                                    for i in items),
            "submitted": submitted, "expected": expected,
            "progress": str(Progress(submitted=submitted, assigned=expected)),
            "understaffed": sum(bool(i.progress.missing_evaluators) for i in items),
            "disagreements": sum(i.summary.disagreement for i in items),
            "assign_url": reverse("admin:evaluation_assignment_assign", args=[call.pk]),
            "ranking_url": reverse("admin:evaluation_ranking_call", args=[call.pk]),
        })
    return rows


@register.inclusion_tag("admin/evaluation/assign/_dashboard.html", takes_context=True)
def evaluation_dashboard(context):
    user = context.get("user")
    if user is None or not user.is_authenticated or not is_officer(user):
        return {"calls": None}
    calls = list(Call.objects.filter(status=CallStatus.PUBLISHED).order_by("-pk"))
    return {"calls": call_progress(calls)}
