from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from connaissance.pdf.rendering import render_pdf
from connaissance.pdf.views import pdf_response

from . import calendar, ics
from .calendar_checks import check_calendar
from .models import Call, CallStatus
from .presenters import timeline


def _visible_call(request, slug):
    call = get_object_or_404(
        Call.objects.with_calendar().prefetch_related("axes", "programmes"), slug=slug
    )
    if not request.user.has_perm("calls.view_call", call):
        raise Http404
    return call


@require_GET
def home(request):
    now = timezone.now()
    calls = Call.objects.with_calendar().filter(
        status__in=[CallStatus.PUBLISHED, CallStatus.ARCHIVED]
    )
    groups = {calendar.Stage.OPEN: [], calendar.Stage.UPCOMING: [], calendar.Stage.CLOSED: []}
    for call in calls:
        groups[calendar.stage(call, now)].append(
            {"call": call, "deadline": calendar.next_deadline(call, now),
             "current": calendar.current_phase(call, now)}
        )
    return render(request, "calls/home.html", {
        "open_calls": groups[calendar.Stage.OPEN],
        "upcoming_calls": groups[calendar.Stage.UPCOMING],
        "closed_calls": groups[calendar.Stage.CLOSED],
    })


@require_GET
def call_detail(request, slug):
    call = _visible_call(request, slug)
    now = timezone.now()
    return render(request, "calls/call_detail.html", {
        "call": call,
        "stage": calendar.stage(call, now),
        "timeline": timeline(call, now),
        "deadline": calendar.next_deadline(call, now),
        "warnings": check_calendar(call) if request.user.has_perm("calls.change_call", call)
        else [],
    })


@require_GET
def call_ics(request, slug):
    call = _visible_call(request, slug)
    url = request.build_absolute_uri(reverse("calls:detail", args=[call.slug]))
    response = HttpResponse(ics.call_calendar(call, url=url),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{call.slug}.ics"'
    return response


@require_GET
def call_calendar_pdf(request, slug):
    call = _visible_call(request, slug)
    now = timezone.now()
    content = render_pdf("calls/calendar_pdf.html", {
        "call": call, "timeline": timeline(call, now), "generated_at": now,
    })
    return pdf_response(content, f"calendrier-{call.slug}.pdf")
