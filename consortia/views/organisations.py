"""Organisation pages: each view collects input, calls one service and renders.

Anything the user may not see or do is a 404 (never a 403 that confirms it exists)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..errors import ConsortiaError, SiretTaken
from ..forms.organisations import (
    DigitalProofForm,
    JoinRequestForm,
    MemberInvitationForm,
    OrganisationEditForm,
    OrganisationForm,
)
from ..models import (
    DigitalProof,
    Invitation,
    InvitationStatus,
    JoinRequest,
    MemberRole,
    Membership,
    Organisation,
    RequestStatus,
)
from ..services import organisations as services

GET_POST = require_http_methods(["GET", "HEAD", "POST"])


def _organisation(request, pk, perm, queryset=None):
    organisation = get_object_or_404(queryset or Organisation.objects, pk=pk)
    if not request.user.has_perm(perm, organisation):
        raise Http404
    return organisation


def _data(request):
    return request.POST if request.method == "POST" else None


def _files(request):
    return request.FILES if request.method == "POST" else None


def _add_errors(form, exc, field=None):
    """Show a refusal of a service on the form, keeping everything the user typed."""
    if isinstance(exc, ValidationError):
        form.add_error(field, exc)
    else:
        form.add_error(field, str(exc))


@login_required
def my_organisations(request):
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("organisation__commune", "organisation__digital_proof")
        .annotate(pending_requests=Count(
            "organisation__join_requests",
            filter=Q(organisation__join_requests__status=RequestStatus.PENDING)))
        .order_by("organisation__legal_name")
    )
    requests = (JoinRequest.objects.filter(user=request.user, status=RequestStatus.PENDING)
                .select_related("organisation").order_by("-created_at"))
    return render(request, "consortia/organisations/list.html", {
        "memberships": memberships, "join_requests": requests,
        "admin_role": MemberRole.ADMIN,
    })


@login_required
@GET_POST
def create(request):
    form = OrganisationForm(_data(request))
    taken = None
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.create_organisation(user=request.user,
                                                        **form.service_fields())
        except SiretTaken as exc:
            taken = exc.organisation
            _add_errors(form, exc, "siret")
        except (ConsortiaError, ValidationError) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("%(org)s is registered; you are its administrator.")
                             % {"org": organisation})
            if organisation.is_training_body:
                messages.info(request, _("Now describe the digitalisation of your training "
                                         "offer (proof of digitalisation)."))
                return redirect("consortia:digital_proof", pk=organisation.pk)
            return redirect("consortia:organisation", pk=organisation.pk)
    return render(request, "consortia/organisations/form.html", {
        "form": form, "taken": taken,
        "taken_is_mine": taken is not None
        and request.user.has_perm("consortia.view_organisation", taken),
    })


@login_required
def detail(request, pk):
    organisation = _organisation(
        request, pk, "consortia.view_organisation",
        Organisation.objects.select_related("commune__departement", "commune__epci"))
    is_admin = request.user.has_perm("consortia.change_organisation", organisation)
    proof = (DigitalProof.objects.filter(organisation=organisation)
             .select_related("document").first())
    context = {
        "organisation": organisation, "proof": proof, "is_admin": is_admin,
        "members": organisation.memberships.select_related("user").order_by(
            "role", "user__last_name", "user__email"),
    }
    if is_admin:
        context["join_requests"] = (organisation.join_requests
                                    .filter(status=RequestStatus.PENDING)
                                    .select_related("user").order_by("created_at"))
        context["invitations"] = (organisation.member_invitations
                                  .filter(purpose=Invitation.Purpose.MEMBER,
                                          status=InvitationStatus.PENDING)
                                  .order_by("-created_at"))
        context["now"] = timezone.now()
    return render(request, "consortia/organisations/detail.html", context)


@login_required
@GET_POST
def edit(request, pk):
    organisation = _organisation(request, pk, "consortia.change_organisation")
    form = OrganisationEditForm(_data(request),
                                initial=OrganisationEditForm.initial_for(organisation))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organisation(user=request.user, organisation=organisation,
                                         **form.service_fields())
        except (ConsortiaError, ValidationError) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The organisation is updated."))
            return redirect("consortia:organisation", pk=organisation.pk)
    return render(request, "consortia/organisations/form.html", {
        "form": form, "organisation": organisation,
    })


@login_required
@GET_POST
def digital_proof(request, pk):
    organisation = _organisation(request, pk, "consortia.change_organisation")
    if not organisation.is_training_body:
        raise Http404
    proof = (DigitalProof.objects.filter(organisation=organisation)
             .select_related("document").first())
    form = DigitalProofForm(_data(request), _files(request),
                            initial=DigitalProofForm.initial_for(proof))
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_digital_proof(user=request.user, organisation=organisation,
                                           **form.service_fields())
        except ValidationError as exc:  # the upload, checked by its content
            _add_errors(form, exc, "document")
        except ConsortiaError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Your proof of digitalisation is declared. The "
                                        "Region's officers will verify it."))
            return redirect("consortia:organisation", pk=organisation.pk)
    return render(request, "consortia/organisations/digital_proof.html", {
        "form": form, "organisation": organisation, "proof": proof,
    })


@login_required
@GET_POST
def invite_member(request, pk):
    organisation = _organisation(request, pk, "consortia.manage_members")
    form = MemberInvitationForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite_member(admin=request.user, organisation=organisation,
                                                **form.cleaned_data)
        except (ConsortiaError, ValidationError) as exc:
            _add_errors(form, exc, "email")
        else:
            messages.success(request, _("An invitation was sent to %(email)s.")
                             % {"email": invitation.email})
            return redirect("consortia:organisation", pk=organisation.pk)
    return render(request, "consortia/organisations/invite.html", {
        "form": form, "organisation": organisation,
    })


@login_required
@GET_POST
def ask_to_join(request, pk):
    """Reachable by any signed-in user: reveals only the legal name and the SIRET, which the
    "SIRET already registered" answer of the creation form has already shown."""
    organisation = get_object_or_404(Organisation, pk=pk)
    if Membership.objects.filter(user=request.user, organisation=organisation).exists():
        messages.info(request, _("You are already a member of %(org)s.") % {"org": organisation})
        return redirect("consortia:organisation", pk=organisation.pk)
    form = JoinRequestForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.request_to_join(user=request.user, organisation=organisation,
                                     message=form.cleaned_data["message"].strip())
        except (ConsortiaError, ValidationError) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Your request was sent to the administrators of "
                                        "%(org)s. You will receive an e-mail when they "
                                        "answer.") % {"org": organisation})
            return redirect("consortia:organisations")
    return render(request, "consortia/organisations/ask_to_join.html", {
        "form": form, "organisation": organisation,
    })


@login_required
@require_POST
def decide_join_request(request, pk):
    join = get_object_or_404(JoinRequest.objects.select_related("organisation", "user"), pk=pk)
    if not request.user.has_perm("consortia.manage_members", join.organisation):
        raise Http404
    decision = request.POST.get("decision")
    if decision not in ("approve", "refuse"):
        return HttpResponseBadRequest()
    try:
        services.decide_join_request(admin=request.user, join_request=join,
                                     approve=decision == "approve")
    except ConsortiaError as exc:
        messages.error(request, str(exc))
    else:
        who = join.user.get_full_name() or join.user.email
        if decision == "approve":
            messages.success(request, _("%(user)s is now a member.") % {"user": who})
        else:
            messages.info(request, _("The request of %(user)s is refused.") % {"user": who})
    return redirect("consortia:organisation", pk=join.organisation_id)
