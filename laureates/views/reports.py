"""A follow-up report as the collective writes it (a draft saved as often as needed, then
filed after a confirmation), and as the others allowed to see the project read it (the
amounts only for those who see the money)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applications.views.keep_typed import announce_kept, keep_typed

from ..errors import LaureateError, StaleReport
from ..forms import ReportForm
from ..models import ProjectStatus, Report, ReportStatus
from ..services import save_report, submit_report
from ..services.common import paris_today
from ..services.reports import FIELDS, can_write, deadline, is_late, missing
from .project import load_project

MONEY_FIELDS = {"expenses_to_date"}


def _shown(report, show_money):
    """(label, value, name) of what the report's kind asks for, for reading."""
    rows = []
    for name in FIELDS[report.kind].fields:
        if name in MONEY_FIELDS and not show_money:
            continue
        field = Report._meta.get_field(name)
        value = getattr(report, name)
        if name == "team_in_place":
            value = report.get_team_in_place_display()
        rows.append((field.verbose_name, value, name))
    return rows


def _context(request, project, report, form=None, **extra):
    show_money = request.user.has_perm("laureates.view_project_money", project)
    return {"project": project, "collective": project.collective,
            "call": project.collective.call, "report": report, "form": form,
            "deadline": deadline(report), "late": is_late(report, today=paris_today()),
            "shown": _shown(report, show_money), "missing": missing(report), **extra}


def _editable(request, project, report):
    return (report.status == ReportStatus.DRAFT and project.status != ProjectStatus.CLOSED
            and can_write(request.user, report))


@keep_typed
@require_http_methods(["GET", "POST"])
def report_page(request, pk, report):
    project = load_project(request, pk)
    report = Report.objects.filter(project=project, pk=report).first()
    if report is None:
        raise Http404
    report.project = project
    if not _editable(request, project, report):
        if request.method == "POST":
            messages.error(request, _("This report can no longer be changed."))
            return redirect("laureates:report", pk, report.pk)
        return render(request, "laureates/report.html", _context(request, project, report))
    if request.method == "POST":
        return _post(request, project, report)
    form = ReportForm(request.kept_typed, report=report)
    if request.kept_typed is not None:
        announce_kept(request)
    return render(request, "laureates/report.html", _context(request, project, report, form))


def _post(request, project, report):
    form = ReportForm(request.POST, report=report)
    filing = request.POST.get("action") == "file"
    if not form.is_valid():
        return render(request, "laureates/report.html",
                      _context(request, project, report, form))
    try:
        saved = save_report(user=request.user, report=report, values=form.values(),
                            version=form.cleaned_data["version"])
    except StaleReport as error:
        data = request.POST.copy()
        data["version"] = str(error.saved_version)
        fresh = Report.objects.get(pk=report.pk)
        fresh.project = project
        retyped = ReportForm(data, report=fresh)
        retyped.is_valid()
        return render(request, "laureates/report.html",
                      _context(request, project, fresh, retyped, conflict=str(error)))
    except LaureateError as error:
        form.add_error(None, str(error))
        return render(request, "laureates/report.html", _context(request, project, report, form))
    saved.project = project
    if not filing:
        messages.success(request, _("The draft is saved. It has NOT been filed: tick the "
                                    "confirmation and use “File the report” when it is "
                                    "complete."))
        return redirect("laureates:report", project.collective_id, saved.pk)
    if not form.cleaned_data.get("confirm"):
        form = ReportForm(None, report=saved)
        messages.error(request, _("Your draft is saved. To file it, tick the confirmation "
                                  "box."))
        return render(request, "laureates/report.html",
                      _context(request, project, saved, form, focus_confirm=True))
    try:
        submit_report(user=request.user, report=saved, version=saved.version)
    except LaureateError as error:
        messages.error(request, _("Your draft is saved, but not filed: %(reason)s")
                       % {"reason": error})
        return render(request, "laureates/report.html",
                      _context(request, project, saved, ReportForm(None, report=saved)))
    messages.success(request, _("The report is filed. The Region has been told."))
    return redirect("laureates:report", project.collective_id, saved.pk)
