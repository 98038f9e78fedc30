"""The partner directory (axis 2 of the call): signed-in users find organisations by kind and
territory and write to them through the portal; addresses are never shown."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ..errors import ConsortiaError
from ..forms.directory import DirectoryMessageForm, DirectorySearchForm
from ..models import MemberRole, Membership, Organisation
from ..services import directory as services

PAGE_SIZE = 20


@login_required
@require_GET
def search(request):
    form = DirectorySearchForm(request.GET)
    page = None
    if form.is_valid():
        page = Paginator(services.directory(**form.filters()), PAGE_SIZE).get_page(
            request.GET.get("page"))
    mine = list(Membership.objects.filter(user=request.user).select_related("organisation")
                .order_by("organisation__legal_name"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "consortia/directory/search.html", {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "my_organisations": mine,
        "my_ids": {m.organisation_id for m in mine},
        "listed_as_admin": [m.organisation for m in mine if m.organisation.in_directory
                            and m.role == MemberRole.ADMIN],
    })


@login_required
def contact(request, pk):
    recipient = get_object_or_404(
        Organisation.objects.select_related("commune__epci"), pk=pk, in_directory=True)
    mine = Organisation.objects.filter(memberships__user=request.user)
    senders = mine.exclude(pk=recipient.pk).order_by("legal_name")
    context = {"recipient": recipient, "has_organisation": mine.exists()}
    if not context["has_organisation"] or not senders.exists():
        return render(request, "consortia/directory/contact.html", context)
    form = DirectoryMessageForm(request.POST or None, senders=senders)
    if request.method == "POST" and form.is_valid():
        try:
            services.send_directory_message(
                user=request.user, sender_organisation=form.cleaned_data["sender_organisation"],
                recipient=recipient, subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"])
        except ConsortiaError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your message has been sent to %(org)s. Its "
                                        "administrators will answer you by e-mail.")
                             % {"org": recipient})
            return redirect("consortia:directory")
    context["form"] = form
    return render(request, "consortia/directory/contact.html", context)


@login_required
@require_POST
def leave(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    if not request.user.has_perm("consortia.change_organisation", organisation):
        raise Http404
    if organisation.in_directory:
        services.leave_directory(user=request.user, organisation=organisation)
        messages.success(request, _("%(org)s is no longer listed in the partner directory.")
                         % {"org": organisation})
    else:
        messages.info(request, _("%(org)s is not listed in the partner directory.")
                      % {"org": organisation})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = reverse("consortia:directory")
    return redirect(target)
