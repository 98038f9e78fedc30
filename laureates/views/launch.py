"""The launch event as the invited see it: the details, the answers of the project's
organisations, a form for each organisation the user belongs to, and the .ics file."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from applications.views.keep_typed import announce_kept, keep_typed

from ..calendar_file import launch_event_ics
from ..errors import LaureateError
from ..forms import AnswerForm
from ..models import LaunchEvent, LaunchInvitation
from ..services import answer_invitation
from ..services.launch import answer_link, can_answer
from .project import load_project


def _event_and_invitations(project):
    event = (LaunchEvent.objects.filter(call_id=project.collective.call_id,
                                        invitations__project=project)
             .select_related("call").distinct().first())
    if event is None:
        raise Http404
    invitations = list(LaunchInvitation.objects.filter(event=event, project=project)
                       .select_related("organisation", "answered_by")
                       .order_by("role", "organisation__legal_name"))
    return event, invitations


def _form_for(invitation, data=None):
    initial = {"invitation": invitation.pk, "answer": "" if invitation.answer == "pending"
               else invitation.answer, "attendees": invitation.attendees or None,
               "attendee_names": invitation.attendee_names, "remarks": invitation.remarks}
    return AnswerForm(data, prefix=f"inv{invitation.pk}", initial=initial)


@keep_typed
@require_http_methods(["GET", "POST"])
def launch_page(request, pk):
    project = load_project(request, pk)
    event, invitations = _event_and_invitations(project)
    started = timezone.now() >= event.starts_at
    mine = {i.pk for i in invitations if can_answer(request.user, i)}
    forms = {}
    if request.method == "POST" and not started:
        posted = next((i for i in invitations if f"inv{i.pk}-invitation" in request.POST), None)
        if posted is None or posted.pk not in mine:
            raise Http404
        form = _form_for(posted, request.POST)
        if form.is_valid():
            try:
                answer_invitation(user=request.user, invitation=posted,
                                  answer=form.cleaned_data["answer"],
                                  attendees=form.cleaned_data.get("attendees"),
                                  attendee_names=form.cleaned_data.get("attendee_names", ""),
                                  remarks=form.cleaned_data.get("remarks", ""))
            except LaureateError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Your answer is recorded. You can change it until "
                                            "the event starts."))
                return redirect("laureates:launch", pk)
        forms[posted.pk] = form
    elif request.method == "POST":
        messages.error(request, _("The event has started: the answers are closed."))
        return redirect("laureates:launch", pk)
    elif request.kept_typed is not None:
        kept = next((i for i in invitations if i.pk in mine
                     and f"inv{i.pk}-invitation" in request.kept_typed), None)
        if kept is not None:
            forms[kept.pk] = _form_for(kept, request.kept_typed)
            announce_kept(request)
    rows = [{"invitation": i, "form": (forms.get(i.pk) or _form_for(i))
             if i.pk in mine and not started else None} for i in invitations]
    return render(request, "laureates/launch.html", {
        "project": project, "collective": project.collective, "call": project.collective.call,
        "event": event, "rows": rows, "started": started,
        "attending": sum(i.attendees for i in invitations)})


@require_GET
def launch_ics(request, pk):
    project = load_project(request, pk)
    event, _invitations = _event_and_invitations(project)
    response = HttpResponse(launch_event_ics(event, link=answer_link(project)),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="lancement.ics"'
    return response
