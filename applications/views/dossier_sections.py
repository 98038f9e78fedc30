"""The sections of the full dossier, for its collective: collective (commitments), project,
action plan and attachments; the budget has its own module. Each section saves as a draft
with its version number; the services decide, these views collect and show."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from calls.models import RequiredDocument
from consortia.models import ParticipationStatus

from ..forms.dossiers import (
    ActionPlanForm,
    AttachmentForm,
    CommitmentForm,
    IndicatorFormSet,
    MilestoneFormSet,
    ProjectForm,
    rows,
)
from ..models import DossierSection, SectionCode
from ..services.dossier_parts import attach_document, detach_document, save_commitment
from ..services.dossiers import low_supply_territories, save_section
from ..services.errors import ApplicationError, StaleDraft
from . import dossier_budget
from .dossier_common import CODES, NotPreselected, base_context, editable_codes, load_dossier
from .keep_typed import announce_kept, keep_typed


@keep_typed
@require_http_methods(["GET", "POST"])
def section_page(request, pk, section):
    code = CODES.get(section)
    if code is None:
        raise Http404
    try:
        dossier, can_change = load_dossier(request, pk)
    except NotPreselected as refused:
        return not_preselected(request, refused)
    editable = can_change and code.value in editable_codes(dossier)
    if request.method == "POST" and not editable:
        messages.error(request, _("This section can no longer be changed."))
        return redirect(request.path)
    handler = {SectionCode.COLLECTIVE: collective_section,
               SectionCode.PROJECT: project_section,
               SectionCode.ACTION_PLAN: action_plan_section,
               SectionCode.BUDGET: dossier_budget.budget_section,
               SectionCode.ATTACHMENTS: attachments_section}[code]
    return handler(request, dossier, editable)


def not_preselected(request, refused):
    """A member of a collective whose note was not pre-selected: say why, plainly."""
    return render(request, "applications/dossier/not_preselected.html",
                  {"collective": refused.collective, "note": refused.note,
                   "call": refused.collective.call}, status=403)


def _section(dossier, code):
    return DossierSection.objects.filter(dossier=dossier, code=code).first() or DossierSection(
        dossier=dossier, code=code)


def _differences(form, saved, yours):
    """(label, yours, saved) for each value that differs, labelled by the form's fields."""
    found = []
    for name in sorted(set(saved) | set(yours)):
        mine, theirs = yours.get(name), saved.get(name)
        if (mine or None) != (theirs or None):
            field = form.fields.get(name)
            found.append((field.label if field else name, _plain(mine), _plain(theirs)))
    return found


def _plain(value):
    if isinstance(value, list):
        return "\n".join(" — ".join(str(v) for v in item.values()) if isinstance(item, dict)
                         else str(item) for item in value)
    return "" if value is None else str(value)


def _save_json(request, dossier, code, form, data):
    """Save a JSON section; returns a response, or the context to re-render with."""
    try:
        save_section(user=request.user, dossier=dossier, code=code,
                     version=form.cleaned_data["version"], data=data)
    except StaleDraft as exc:
        retyped = request.POST.copy()
        retyped["version"] = str(exc.saved_version)
        return {"conflict": str(exc), "differences": _differences(form, exc.saved, exc.yours),
                "retyped": retyped}
    except ApplicationError as exc:
        form.add_error(None, str(exc))
        return {}
    messages.success(request, _("The section is saved as a draft. Nothing has been filed."))
    return redirect(request.path + request.POST.get("anchor", ""))


# --- Project ---------------------------------------------------------------------------------

def _project_form(dossier, data=None, initial=None):
    return ProjectForm(data, initial=initial, call=dossier.note.collective.call)


def project_section(request, dossier, editable):
    section = _section(dossier, SectionCode.PROJECT)
    extra = {}
    if request.method == "POST":
        form = _project_form(dossier, request.POST)
        if form.is_valid():
            if request.POST.get("action") in ("add_commune", "remove_commune") or (
                    form.removed_commune):
                request.POST = request.POST.copy()
                request.POST["anchor"] = "#territoire"
            result = _save_json(request, dossier, SectionCode.PROJECT, form,
                                form.section_data())
            if not isinstance(result, dict):
                return result
            extra = result
            if "retyped" in extra:
                form = _project_form(dossier, extra.pop("retyped"))
                form.is_valid()
    elif request.kept_typed is not None:
        form = _project_form(dossier, request.kept_typed)
        announce_kept(request)
    else:
        initial = ProjectForm.initial_for(section.data, dossier.note)
        form = _project_form(dossier, initial={**initial, "version": section.version})
    saved_communes = form.fields["communes"].queryset.filter(
        pk__in=form.initial.get("communes") or [])
    context = base_context(dossier, current=SectionCode.PROJECT)
    context.update(form=form, editable=editable, section=section,
                   communes=form.listed_communes(saved_communes),
                   low_supply=low_supply_territories(dossier), here=SectionCode.PROJECT.label,
                   **extra)
    return render(request, "applications/dossier/project.html", context)


# --- Action plan -----------------------------------------------------------------------------

def _plan_forms(data=None, initial=None):
    initial = initial or {}
    return (ActionPlanForm(data, initial=initial),
            MilestoneFormSet(data, prefix="milestones", initial=initial.get("milestones")),
            IndicatorFormSet(data, prefix="indicators", initial=initial.get("indicators")))


def action_plan_section(request, dossier, editable):
    section = _section(dossier, SectionCode.ACTION_PLAN)
    extra = {}
    if request.method == "POST" or request.kept_typed is not None:
        form, milestones, indicators = _plan_forms(
            request.POST if request.method == "POST" else request.kept_typed)
        if request.method == "GET":
            announce_kept(request)
        elif form.is_valid() and milestones.is_valid() and indicators.is_valid():
            data = {**form.section_data(), "milestones": rows(milestones, ("label", "date")),
                    "indicators": rows(indicators, ("label", "target"))}
            result = _save_json(request, dossier, SectionCode.ACTION_PLAN, form, data)
            if not isinstance(result, dict):
                return result
            extra = result
            if "retyped" in extra:
                form, milestones, indicators = _plan_forms(extra.pop("retyped"))
                form.is_valid()
    else:
        form, milestones, indicators = _plan_forms(
            initial={**section.data, "version": section.version})
    context = base_context(dossier, current=SectionCode.ACTION_PLAN)
    context.update(form=form, milestones=milestones, indicators=indicators,
                   editable=editable, section=section, here=SectionCode.ACTION_PLAN.label,
                   eligibility_end=context["call"].eligibility_end, **extra)
    return render(request, "applications/dossier/action_plan.html", context)


# --- Collective: roles and letters of commitment ---------------------------------------------

def _partners(dossier):
    commitments = {c.participation_id: c for c in dossier.commitments.select_related("letter")}
    participations = dossier.note.collective.participations.all()
    return [{"participation": p, "organisation": p.organisation,
             "commitment": commitments.get(p.pk),
             "needs_letter": p.role != "lead"}
            for p in sorted(participations, key=lambda p: (p.role != "lead",
                                                           p.organisation.legal_name))
            if p.status == ParticipationStatus.CONFIRMED]


def collective_section(request, dossier, editable):
    partners = _partners(dossier)
    errors = {}
    if request.method == "POST":
        target = request.POST.get("participation", "")
        form = CommitmentForm(request.POST, request.FILES, prefix=f"c{target}")
        if form.is_valid():
            try:
                save_commitment(user=request.user, dossier=dossier,
                                participation_id=int(target) if target.isdigit() else 0,
                                role=form.cleaned_data["role"],
                                letter=form.cleaned_data.get("letter"))
            except ApplicationError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved as a draft. Nothing has been filed."))
                return redirect(f"{request.path}#partner-{target}")
        errors[target] = form
    elif request.kept_typed is not None:
        target = request.kept_typed.get("participation", "")
        errors[target] = CommitmentForm(request.kept_typed, prefix=f"c{target}")
        announce_kept(request)
    for row in partners:
        key = str(row["participation"].pk)
        role = (row["commitment"].role if row["commitment"]
                else row["participation"].role_in_project)
        row["form"] = errors.get(key) or CommitmentForm(initial={"role": role},
                                                        prefix=f"c{key}")
    context = base_context(dossier, current=SectionCode.COLLECTIVE)
    context.update(partners=partners, editable=editable, here=SectionCode.COLLECTIVE.label,
                   max_mb=context["call"].upload_max_mb)
    return render(request, "applications/dossier/collective.html", context)


# --- Attachments -----------------------------------------------------------------------------

def attachments_section(request, dossier, editable):
    call = dossier.note.collective.call
    attached = {a.document_id: a for a in dossier.attachments.select_related("file")}
    failed = {}
    if request.method == "POST":
        target = request.POST.get("document", "")
        document_id = int(target) if target.isdigit() else 0
        try:
            if request.POST.get("action") == "remove":
                detach_document(user=request.user, dossier=dossier, document_id=document_id)
                messages.success(request, _("The file is removed from the dossier."))
                return redirect(f"{request.path}#document-{target}")
            form = AttachmentForm(request.POST, request.FILES, prefix=f"d{target}")
            if form.is_valid():
                attach_document(user=request.user, dossier=dossier, document_id=document_id,
                                uploaded=form.cleaned_data["file"])
                messages.success(request, _("The file is attached (draft: nothing has been "
                                            "filed)."))
                return redirect(f"{request.path}#document-{target}")
        except ApplicationError as exc:
            form = AttachmentForm(request.POST, prefix=f"d{target}")
            form.add_error(None, str(exc))
        failed[target] = form
    documents = [{"document": d, "attachment": attached.get(d.pk),
                  "form": failed.get(str(d.pk)) or AttachmentForm(prefix=f"d{d.pk}")}
                 for d in RequiredDocument.objects.filter(call=call)]
    context = base_context(dossier, current=SectionCode.ATTACHMENTS)
    context.update(documents=documents, editable=editable, max_mb=call.upload_max_mb,
                   here=SectionCode.ATTACHMENTS.label)
    return render(request, "applications/dossier/attachments.html", context)
