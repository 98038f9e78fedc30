"""The public open data of the awards, and the project page of a laureate's collective
(members with money; tiers-lieux staff who incubated it without; anyone else a 404)."""

from decimal import Decimal

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from calls.models import Call

from .models import Project
from .services import END_AFTER_ELIGIBILITY, eligibility_flag
from .services.common import paris_today
from .services.projects import margin_months
from .transparency import scdl_csv as build_scdl_csv


@require_GET
def scdl_csv(request, slug):
    """The awards of a call (signed agreements) as SCDL « subventions » 2.1.1 CSV: public,
    like the call page (a draft call is a 404 for the public)."""
    call = get_object_or_404(Call, slug=slug)
    if not request.user.has_perm("calls.view_call", call):
        raise Http404
    response = HttpResponse(build_scdl_csv(call).encode("utf-8"),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="subventions-{call.slug}.csv"'
    return response


def _schedule(project):
    payments = list(project.payments.all())
    planned = sum((p.amount for p in payments), Decimal("0"))
    paid = sum((p.amount for p in payments if p.is_paid), Decimal("0"))
    return {"payments": payments, "planned": planned, "paid": paid,
            "unscheduled": project.awarded_amount - planned}


@require_GET
def project_page(request, pk):
    project = (Project.objects.select_related("collective__call", "decision__dossier",
                                              "convention_file")
               .prefetch_related("collective__participations", "milestones", "payments")
               .filter(collective_id=pk).first())
    if project is None or not request.user.has_perm("laureates.view_project", project):
        raise Http404
    today = paris_today()
    show_money = request.user.has_perm("laureates.view_project_money", project)
    milestones = [{"milestone": m, "status": m.effective_status(today)}
                  for m in project.milestones.all()]
    flag = eligibility_flag(project)
    return render(request, "laureates/project.html", {
        "project": project, "collective": project.collective, "call": project.collective.call,
        "show_money": show_money, "schedule": _schedule(project) if show_money else None,
        "milestones": milestones, "flag": flag,
        "flag_after": flag == END_AFTER_ELIGIBILITY, "margin_months": margin_months(),
    })
