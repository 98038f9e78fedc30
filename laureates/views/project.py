"""The project page of a laureate's collective (members with money; tiers-lieux staff who
incubated it without; anyone else a 404)."""

from decimal import Decimal

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..models import LaunchEvent, Project
from ..services import END_AFTER_ELIGIBILITY, eligibility_flag
from ..services.common import paris_today
from ..services.projects import margin_months
from ..services.reports import is_late


def load_project(request, pk, *related):
    """The project of collective `pk` if the user may see it, else a 404."""
    project = (Project.objects.select_related("collective__call", *related)
               .filter(collective_id=pk).first())
    if project is None or not request.user.has_perm("laureates.view_project", project):
        raise Http404
    return project


def _schedule(project):
    payments = list(project.payments.all())
    planned = sum((p.amount for p in payments), Decimal("0"))
    paid = sum((p.amount for p in payments if p.is_paid), Decimal("0"))
    return {"payments": payments, "planned": planned, "paid": paid,
            "unscheduled": project.awarded_amount - planned}


def report_rows(project, today):
    return [{"report": report, "late": is_late(report, today=today)}
            for report in project.reports.all()]


@require_GET
def project_page(request, pk):
    project = load_project(request, pk, "decision__dossier", "convention_file")
    today = paris_today()
    show_money = request.user.has_perm("laureates.view_project_money", project)
    milestones = [{"milestone": m, "status": m.effective_status(today)}
                  for m in project.milestones.all()]
    flag = eligibility_flag(project)
    event = LaunchEvent.objects.filter(call_id=project.collective.call_id,
                                       invitations__project=project).distinct().first()
    return render(request, "laureates/project.html", {
        "project": project, "collective": project.collective, "call": project.collective.call,
        "show_money": show_money, "schedule": _schedule(project) if show_money else None,
        "milestones": milestones, "flag": flag, "event": event,
        "reports": report_rows(project, today),
        "flag_after": flag == END_AFTER_ELIGIBILITY, "margin_months": margin_months(),
    })
