"""The budget section of the full dossier, for its collective: expense and resource lines, the
requested rate, and the figures of the subsidy rule, live (a JSON preview computed on the server
by `compute_budget`, nothing saved) and after each save. The service `replace_budget` decides;
these views collect and show.

`budget_section` is called by `dossier_sections.section_page`, which already checked the login,
the collective (404 otherwise), kept what was typed before an expired session and refused a POST
when the section cannot be changed."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from connaissance.formatting import money, percent

from ..budget import CallRules, compute_budget
from ..forms.budget import budget_forms, budget_partners
from ..models import DossierSection, SectionCode
from ..models.dossiers import ExpenseCategory, ResourceKind
from ..services.dossiers import low_supply_territories, replace_budget
from ..services.errors import ApplicationError, StaleDraft
from .dossier_common import NotPreselected, base_context, load_dossier, section_url
from .keep_typed import announce_kept

BUDGET = SectionCode.BUDGET
MORE = {"add_expenses": "expenses", "add_resources": "resources"}
ANCHORS = {"expenses": "#depenses", "resources": "#ressources"}


# --- The figures panel (the page and the live preview show the same values) -----------------

def _anchor(where):
    kind = where.partition(".")[0]
    if kind in ANCHORS:
        return ANCHORS[kind]
    return "#id_requested_rate" if where == "rate" else "#budget-figures"


def _typed_problems(budget_form, expenses, resources):
    """What cannot be counted in the typed rows, as problems of the panel (code "invalid")."""
    found = []
    for name in ("requested_rate",):
        for error in budget_form.errors.get(name, []):
            found.append({"code": "invalid", "message": f"{budget_form[name].label} : {error}",
                          "where": "rate", "anchor": f"#{budget_form[name].auto_id}"})
    for formset, line in ((expenses, _("Expense line %(number)s")),
                          (resources, _("Resource line %(number)s"))):
        for error in formset.non_form_errors():
            found.append({"code": "invalid", "message": str(error), "where": "budget",
                          "anchor": ANCHORS[formset.prefix]})
        for index, form in enumerate(formset.forms):
            if formset.can_delete and form.cleaned_data.get("DELETE"):
                continue
            for name, errors in form.errors.items():
                field = form[name] if name in form.fields else None
                label = line % {"number": index + 1}
                if field is not None:
                    label = f"{label}, {field.label}"
                found.append({"code": "invalid",
                              "message": f"{label} : {' '.join(errors)}",
                              "where": f"{formset.prefix}.{index}",
                              "anchor": f"#{field.auto_id}" if field else
                              ANCHORS[formset.prefix]})
    return found


def panel(call, figures, territories, *, rate, typed_problems=()):
    """The figures, formatted the French way, with every problem (for the template and JSON)."""
    difference = figures.total_resources - figures.total_expenses
    if figures.balanced:
        balance = _("Balanced: resources equal expenses.")
    elif difference < 0:
        balance = _("Not balanced: resources are %(amount)s short of the expenses.") % {
            "amount": money(-difference)}
    else:
        balance = _("Not balanced: resources exceed the expenses by %(amount)s.") % {
            "amount": money(difference)}
    problems = list(typed_problems)
    rate_refused = any(p["where"] == "rate" for p in problems)
    for problem in figures.problems:
        shown = {"code": problem.code, "message": problem.message, "where": problem.where,
                 "anchor": _anchor(problem.where)}
        if problem.code == "rate_out_of_range" and rate is None:
            if rate_refused:
                continue  # the typed rate is unreadable: said once, above
            shown.update(code="rate_missing", message=_(
                "Give the requested rate, between %(min)s and %(max)s.") % {
                "min": percent(call.min_rate), "max": percent(figures.rate_ceiling)})
        problems.append(shown)
    return {
        "values": {
            "total_expenses": money(figures.total_expenses),
            "training_costs": money(figures.training_costs),
            "eligible_base": money(figures.eligible_base),
            "total_resources": money(figures.total_resources),
            "difference": money(difference),
            "balance_status": balance,
            "requested_rate": percent(rate) if rate is not None else "—",
            "rate_min": percent(call.min_rate),
            "rate_max": percent(call.max_rate),
            "rate_ceiling": percent(figures.rate_ceiling),
            "requested_subsidy": money(figures.requested_subsidy),
            "min_award": money(call.min_award),
            "max_award": money(call.max_award),
        },
        "balanced": figures.balanced,
        "bonus_applied": figures.bonus_applied,
        "low_supply": [str(t) for t in territories],
        "problems": problems,
        "codes": sorted({p["code"] for p in problems}),
        "ok": not problems,
    }


def _compute(call, territories, expenses, resources, rate):
    return compute_budget(expenses=expenses, resources=resources,
                          requested_rate=rate if rate is not None else Decimal(0),
                          low_supply=bool(territories), rules=CallRules.from_call(call))


def typed_panel(call, territories, forms):
    """The panel of what was typed (bound, validated forms): readable amounts count, the
    others are listed as problems."""
    budget_form, expenses, resources = forms
    rate = budget_form.cleaned_data.get("requested_rate") if budget_form.is_bound else None
    figures = _compute(call, territories, expenses.amounts(), resources.amounts(), rate)
    return panel(call, figures, territories, rate=rate,
                 typed_problems=_typed_problems(budget_form, expenses, resources))


# --- The section page ------------------------------------------------------------------------

def _bound(data, partners, more=None):
    forms = budget_forms(data, partners=partners, more=more)
    valid = [form.is_valid() for form in forms]
    return forms, all(valid)


def _label(choices, value):
    try:
        return str(choices(value).label)
    except ValueError:
        return value or "—"


def _amount_text(value):
    try:
        return money(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value or "—")


def _payload_text(payload, names):
    """The lines and rate of a budget payload (what replace_budget keeps), as text."""
    expenses = [" — ".join(filter(None, [
        _label(ExpenseCategory, line.get("category")), names.get(str(line.get("partner")), "?"),
        line.get("label"), _amount_text(line.get("amount")),
        _("training cost") if line.get("is_training_cost") else ""]))
        for line in payload.get("expenses") or []]
    resources = [" — ".join(filter(None, [
        _label(ResourceKind, line.get("kind")), line.get("funder"),
        _amount_text(line.get("amount"))])) for line in payload.get("resources") or []]
    rate = payload.get("requested_rate") or ""
    try:
        rate = percent(Decimal(rate)) if rate else ""
    except InvalidOperation:
        pass
    return {"expenses": "\n".join(expenses), "resources": "\n".join(resources), "rate": rate}


def _differences(exc, partners):
    names = {str(o.pk): o.legal_name for o in partners}
    mine, saved = _payload_text(exc.yours or {}, names), _payload_text(exc.saved or {}, names)
    labels = {"expenses": _("Expense lines"), "resources": _("Resource lines"),
              "rate": _("Requested rate")}
    return [(label, mine[key], saved[key]) for key, label in labels.items()
            if mine[key] != saved[key]]


def _save(request, dossier, forms, partners):
    """Save the valid forms; returns a response, or the context to re-render with."""
    budget_form, expenses, resources = forms
    try:
        replace_budget(user=request.user, dossier=dossier,
                       version=budget_form.cleaned_data["version"],
                       expenses=expenses.rows(), resources=resources.rows(),
                       requested_rate=budget_form.cleaned_data["requested_rate"])
    except StaleDraft as exc:
        retyped = request.POST.copy()
        retyped["version"] = str(exc.saved_version)
        return {"conflict": str(exc), "differences": _differences(exc, partners),
                "retyped": retyped}
    except ApplicationError as exc:
        budget_form.add_error(None, str(exc))
        return {}
    action = request.POST.get("action", "")
    messages.success(request, _("The budget is saved as a draft. Nothing has been filed."))
    url = section_url(dossier, BUDGET)
    if action in MORE:
        return redirect(f"{url}?plus={MORE[action]}{ANCHORS[MORE[action]]}")
    return redirect(url)


def budget_section(request, dossier, can_change):
    """GET: the saved lines and figures; POST: save the whole budget at once (all or
    nothing), or re-render with what was typed, the errors and a conflict if any."""
    collective = dossier.note.collective
    call = collective.call
    partners = budget_partners(collective)
    territories = low_supply_territories(dossier)
    section = DossierSection.objects.filter(dossier=dossier, code=BUDGET).first()
    version = section.version if section else 0
    extra = {}
    if can_change and request.method == "POST":
        more = MORE.get(request.POST.get("action", ""))
        forms, valid = _bound(request.POST, partners, more)
        if valid:
            result = _save(request, dossier, forms, partners)
            if not isinstance(result, dict):
                return result
            extra = result
            if "retyped" in extra:
                forms, _valid = _bound(extra.pop("retyped"), partners, more)
        figures = typed_panel(call, territories, forms)
    elif can_change and request.kept_typed is not None:
        forms, _valid = _bound(request.kept_typed, partners)
        announce_kept(request)
        figures = typed_panel(call, territories, forms)
    else:
        expense_lines = list(dossier.expenses.select_related("partner"))
        resource_lines = list(dossier.resources.all())
        rate = dossier.requested_rate
        forms = budget_forms(expenses=expense_lines, resources=resource_lines, rate=rate,
                             version=version, partners=partners,
                             more=request.GET.get("plus"))
        figures = panel(call, _compute(call, territories, expense_lines, resource_lines,
                                       rate), territories, rate=rate)
        extra.update(expense_lines=expense_lines, resource_lines=resource_lines)
    budget_form, expenses, resources = forms
    context = base_context(dossier, current=BUDGET.value)
    context.update(
        editable=can_change, budget_form=budget_form, expenses=expenses, resources=resources,
        figures=figures, low_supply=territories, has_partners=bool(partners),
        here=BUDGET.label, version=version,
        form_errors=[p for p in figures["problems"] if p["code"] == "invalid"], **extra)
    return render(request, "applications/dossier/budget.html", context)


# --- The live preview ------------------------------------------------------------------------

@login_required
@require_POST
def budget_preview(request, pk):
    """The figures of what is typed in the budget form, as JSON, amounts formatted the French
    way; nothing is saved. Members of the collective only (404 otherwise)."""
    try:
        dossier, _can_change = load_dossier(request, pk, change=True)
    except NotPreselected:
        raise Http404 from None
    collective = dossier.note.collective
    forms, _valid = _bound(request.POST, budget_partners(collective))
    data = typed_panel(collective.call, low_supply_territories(dossier), forms)
    response = JsonResponse(data)
    response["Cache-Control"] = "no-store"
    return response
