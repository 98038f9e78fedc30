"""Invitations: the lead resends or retracts them; the invited person answers through the
signed link of the e-mail."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..errors import InvitationError
from ..forms.collectives import AcceptPartnerForm, ReasonForm
from ..models import Collective, Invitation, ParticipationRole
from ..services import collectives as collective_services
from ..services import invitations as services
from .collectives import REFUSALS, administered_organisations, refusal_message, with_next


def _managed_invitation(request, pk):
    """The invitation and the page to go back to, if the user may manage it (else a 404)."""
    invitation = get_object_or_404(Invitation.objects.select_related("organisation"), pk=pk)
    if invitation.purpose == Invitation.Purpose.PARTNER:
        collective = get_object_or_404(
            collective_services.with_composition_data(Collective.objects.all()),
            pk=invitation.collective_id)
        if not request.user.has_perm("consortia.manage_collective", collective):
            raise Http404
        invitation.collective = collective
        return invitation, reverse("consortia:collective", args=[collective.pk])
    if not request.user.has_perm("consortia.manage_members", invitation.organisation):
        raise Http404
    return invitation, reverse("consortia:organisation", args=[invitation.organisation_id])


@require_POST
def resend(request, pk):
    invitation, back = _managed_invitation(request, pk)
    try:
        services.resend_invitation(user=request.user, invitation=invitation)
    except (*REFUSALS, ValidationError) as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(request, _("The invitation has been sent again to %(email)s; it is "
                                    "valid for %(days)d more days.")
                         % {"email": invitation.email, "days": services.INVITATION_DAYS})
    return redirect(back)


@require_POST
def retract(request, pk):
    invitation, back = _managed_invitation(request, pk)
    try:
        services.retract_invitation(user=request.user, invitation=invitation)
    except (*REFUSALS, ValidationError) as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(request, _("The invitation sent to %(email)s is withdrawn; its link "
                                    "no longer works.") % {"email": invitation.email})
    return redirect(back)


def _problem(request, message, *, status=400, invitation=None):
    return render(request, "consortia/invitations/problem.html",
                  {"message": message, "invitation": invitation}, status=status)


@require_http_methods(["GET", "POST"])
def answer(request, token):
    try:
        invitation = services.resolve_invitation(token)
    except InvitationError as exc:
        return _problem(request, str(exc))
    if not request.user.is_authenticated:
        messages.info(request, _(
            "Sign in to answer the invitation sent to %(email)s. No account yet? Sign up "
            "with this address (link above the form), then open the invitation link again.")
            % {"email": invitation.email})
        return redirect_to_login(request.get_full_path())
    try:
        services.check_addressee(request.user, invitation)
    except InvitationError as exc:
        return _problem(request, str(exc), status=403, invitation=invitation)
    if invitation.purpose == Invitation.Purpose.MEMBER:
        return _answer_member(request, invitation)
    return _answer_partner(request, invitation)


def _decline(request, invitation, decline_form):
    try:
        services.decline_invitation(user=request.user, invitation=invitation,
                                    reason=decline_form.cleaned_data["reason"])
    except (*REFUSALS, ValidationError) as exc:
        decline_form.add_error(None, refusal_message(exc))
        return None
    messages.success(request, _("You have declined the invitation. The sender is informed."))
    return redirect("home")


def _answer_member(request, invitation):
    action = request.POST.get("action")
    decline_form = ReasonForm(request.POST if action == "decline" else None)
    error = None
    if action == "decline" and decline_form.is_valid():
        response = _decline(request, invitation, decline_form)
        if response:
            return response
    elif action == "accept":
        try:
            services.accept_member_invitation(user=request.user, invitation=invitation)
        except (*REFUSALS, ValidationError) as exc:
            error = refusal_message(exc)
        else:
            messages.success(request, _("You are now a member of %(org)s.")
                             % {"org": invitation.organisation})
            return redirect("consortia:organisation", invitation.organisation_id)
    return render(request, "consortia/invitations/answer_member.html", {
        "invitation": invitation, "organisation": invitation.organisation,
        "decline_form": decline_form, "error": error})


def _answer_partner(request, invitation):
    collective = get_object_or_404(
        collective_services.with_composition_data(Collective.objects.all()),
        pk=invitation.collective_id)
    invitation.collective = collective
    organisations = administered_organisations(request.user)
    action = request.POST.get("action")
    accepting = action in {"review", "confirm", "edit"}
    form = AcceptPartnerForm(request.POST if accepting else None, organisations=organisations)
    decline_form = ReasonForm(request.POST if action == "decline" else None)
    confirming = False
    if accepting and action != "edit" and form.is_valid():
        if action == "review":
            confirming = True
        else:
            try:
                services.accept_partner_invitation(
                    user=request.user, invitation=invitation, **form.cleaned_data)
            except (*REFUSALS, ValidationError) as exc:
                form.add_error(None, refusal_message(exc))
            else:
                messages.success(request, _("%(org)s now takes part in the collective "
                                            "“%(collective)s”.")
                                 % {"org": form.cleaned_data["organisation"],
                                    "collective": collective})
                return redirect("consortia:collective", collective.pk)
    elif action == "decline" and decline_form.is_valid():
        response = _decline(request, invitation, decline_form)
        if response:
            return response
    lead = next((p.organisation for p in collective.participations.all()
                 if p.role == ParticipationRole.LEAD), None)
    return render(request, "consortia/invitations/answer_partner.html", {
        "invitation": invitation, "collective": collective, "call": collective.call,
        "lead": lead, "organisations": organisations, "form": form,
        "decline_form": decline_form, "confirming": confirming,
        "locked": collective_services.membership_locked(collective),
        "organisation_create_url": with_next("consortia:organisation_create",
                                             request.get_full_path()),
    })
