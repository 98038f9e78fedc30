"""Collectives for a call: the user's list, creation by the lead, the page with its
composition checklist, inviting and withdrawing partners. Anything not allowed is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from calls.models import Call
from connaissance.workflow import TransitionNotAllowed

from ..composition import check_composition
from ..errors import ConsortiaError
from ..forms.collectives import CollectiveForm, PartnerInvitationForm, ReasonForm
from ..models import (
    Collective,
    InvitationStatus,
    MemberRole,
    Organisation,
    ParticipationRole,
    ParticipationStatus,
)
from ..services import collectives as services
from ..services import invitations as invitation_services

REFUSALS = (ConsortiaError, TransitionNotAllowed)


def refusal_message(exc):
    """The user's sentence of a refused use case."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def administered_organisations(user):
    return Organisation.objects.filter(memberships__user=user,
                                       memberships__role=MemberRole.ADMIN).order_by("legal_name")


def with_next(url_name, next_url):
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _posted(request):
    return request.POST if request.method == "POST" else None


def get_collective(request, pk, perm="consortia.view_collective"):
    collective = get_object_or_404(services.with_composition_data(Collective.objects.all()),
                                   pk=pk)
    if not request.user.has_perm(perm, collective):
        raise Http404
    return collective


def _lead(collective):
    return next((p.organisation for p in collective.participations.all()
                 if p.role == ParticipationRole.LEAD), None)


@login_required
@require_GET
def my_collectives(request):
    collectives = services.with_composition_data(services.collectives_of(request.user))
    rows = [{"collective": c, "lead": _lead(c),
             "note": check_composition(c, count_pending=True),
             "full": check_composition(c, count_pending=False),
             "locked": services.membership_locked(c)} for c in collectives]
    return render(request, "consortia/collectives/list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def create(request, slug):
    call = get_object_or_404(Call.objects.with_calendar(), slug=slug)
    if not request.user.has_perm("calls.view_call", call):
        raise Http404
    organisations = administered_organisations(request.user)
    context = {"call": call,
               "organisation_create_url": with_next("consortia:organisation_create",
                                                    request.get_full_path())}
    if not organisations:
        return render(request, "consortia/collectives/no_organisation.html", context)
    form = CollectiveForm(_posted(request), organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            collective = services.create_collective(
                user=request.user, call=call, lead_organisation=data["lead_organisation"],
                name=data["name"], description=data["description"],
                territory=data["territory"], epcis=data["epcis"])
        except (*REFUSALS, ValidationError) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(request, _("The collective is created. Invite your partners."))
            return redirect("consortia:collective", collective.pk)
    return render(request, "consortia/collectives/create.html", {**context, "form": form})


def _participants(collective):
    order = {ParticipationRole.LEAD: 0, ParticipationRole.PARTNER: 1}
    return sorted(collective.participations.all(),
                  key=lambda p: (p.status != ParticipationStatus.CONFIRMED, order[p.role],
                                 p.organisation.legal_name.lower()))


@require_GET
def detail(request, pk):
    collective = get_collective(request, pk)
    now = timezone.now()
    can_manage = request.user.has_perm("consortia.manage_collective", collective)
    locked = services.membership_locked(collective, at=now)
    invitations = [{"invitation": i, "expired": i.expires_at <= now,
                    "pending": i.status == InvitationStatus.PENDING}
                   for i in collective.invitations.all()] if can_manage else []
    return render(request, "consortia/collectives/detail.html", {
        "collective": collective,
        "call": collective.call,
        "lead": _lead(collective),
        "note": check_composition(collective, count_pending=True, at=now),
        "full": check_composition(collective, count_pending=False, at=now),
        "participants": _participants(collective),
        "epcis": list(collective.epcis.all()),
        "can_manage": can_manage,
        "locked": locked,
        "invitations": invitations,
    })


@require_http_methods(["GET", "POST"])
def invite_partner(request, pk):
    collective = get_collective(request, pk, "consortia.manage_collective")
    form = PartnerInvitationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_services.invite_partner(
                user=request.user, collective=collective, **form.cleaned_data)
        except (*REFUSALS, ValidationError) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(request, _("The invitation has been sent to %(email)s.")
                             % {"email": invitation.email})
            return redirect("consortia:collective", collective.pk)
    return render(request, "consortia/collectives/invite.html", {
        "collective": collective, "call": collective.call, "form": form,
        "days": invitation_services.INVITATION_DAYS,
        "locked": services.membership_locked(collective)})


@require_http_methods(["GET", "POST"])
def withdraw_partner(request, pk, participation_pk):
    collective = get_collective(request, pk, "consortia.manage_collective")
    participation = next((p for p in collective.participations.all()
                          if p.pk == participation_pk), None)
    if participation is None:
        raise Http404
    participation.collective = collective
    form = ReasonForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_partner(user=request.user, participation=participation,
                                      reason=form.cleaned_data["reason"])
        except (*REFUSALS, ValidationError) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(request, _("%(org)s no longer takes part in the collective.")
                             % {"org": participation.organisation})
            return redirect("consortia:collective", collective.pk)
    return render(request, "consortia/collectives/withdraw.html", {
        "collective": collective, "call": collective.call, "participation": participation,
        "form": form, "locked": services.membership_locked(collective)})

