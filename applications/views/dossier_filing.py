"""The dossier's overview (status, sections, correction rounds), its completeness page with
the filing, the receipt and the withdrawal, for its collective (officers may look)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from connaissance.mail.models import OutgoingMail
from connaissance.workflow import TransitionNotAllowed

from ..dossier_workflow import WITHDRAWABLE
from ..forms.dossiers import ConfirmDossierFilingForm, WithdrawForm
from ..models import SectionCode
from ..services.dossier_filing import completeness, submit_dossier
from ..services.dossiers import budget_figures, withdraw
from ..services.errors import ApplicationError, NotFileable
from .dossier_common import (
    NotPreselected,
    base_context,
    editable_codes,
    load_dossier,
    section_url,
)
from .dossier_sections import not_preselected


def _load(request, pk, *, change=False):
    try:
        return load_dossier(request, pk, change=change)
    except NotPreselected as refused:
        return not_preselected(request, refused), None


@login_required
@require_GET
def overview(request, pk):
    dossier, can_change = _load(request, pk)
    if can_change is None:
        return dossier
    rounds = list(dossier.corrections.order_by("round"))
    for correction in rounds:
        correction.section_labels = [SectionCode(code).label for code in correction.sections]
    context = base_context(dossier)
    context.update(can_change=can_change, figures=budget_figures(dossier), rounds=rounds,
                   can_withdraw=can_change and dossier.status in WITHDRAWABLE)
    return render(request, "applications/dossier/overview.html", context)


def problem_links(dossier, problems):
    """(section label or None, message, link) for each item of the completeness list."""
    return [(SectionCode(code).label if code else None, message,
             section_url(dossier, code) if code else None) for code, message in problems]


@login_required
@require_http_methods(["GET", "POST"])
def file_dossier(request, pk):
    dossier, can_change = _load(request, pk, change=True)
    if can_change is None:
        return dossier
    if not editable_codes(dossier):
        return redirect("applications:dossier", pk)
    form = ConfirmDossierFilingForm(request.POST if request.method == "POST" else None)
    problems = completeness(dossier)
    if request.method == "POST" and form.is_valid():
        try:
            submit_dossier(user=request.user, dossier=dossier, confirmed=True)
        except NotFileable:
            problems = completeness(dossier)
        except ApplicationError as exc:
            messages.error(request, str(exc))
            return redirect("applications:dossier", pk)
        else:
            messages.success(request, _("Your full dossier is filed."))
            return redirect("applications:dossier_receipt", pk)
    context = base_context(dossier, current="completeness", problems=problems)
    context.update(form=form, items=problem_links(dossier, problems),
                   figures=budget_figures(dossier), here=_("Completeness and filing"))
    return render(request, "applications/dossier/file.html", context)


@login_required
@require_GET
def receipt(request, pk):
    dossier, can_change = _load(request, pk)
    if can_change is None:
        return dossier
    if not dossier.reference:
        return redirect("applications:dossier", pk)
    mail = OutgoingMail.objects.filter(
        dedup_key__startswith=f"dossier-receipt-{dossier.pk}-").order_by("-pk").first()
    context = base_context(dossier)
    context.update(recipients=mail.to if mail else [], figures=budget_figures(dossier),
                   here=_("Receipt"))
    return render(request, "applications/dossier/receipt.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw_dossier(request, pk):
    dossier, can_change = _load(request, pk, change=True)
    if can_change is None:
        return dossier
    if dossier.status not in WITHDRAWABLE:
        messages.error(request, _("This dossier can no longer be withdrawn."))
        return redirect("applications:dossier", pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            withdraw(user=request.user, dossier=dossier, reason=form.cleaned_data["reason"])
        except (ApplicationError, TransitionNotAllowed) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The dossier is withdrawn."))
            return redirect("applications:dossier", pk)
    context = base_context(dossier)
    context.update(form=form, here=_("Withdraw the dossier"))
    return render(request, "applications/dossier/withdraw.html", context)
