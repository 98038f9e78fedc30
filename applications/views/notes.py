"""Pages of the opportunity note, for its collective: the draft, filing (with a confirmation
step), the receipt, and the frozen note with its status once filed. Anything not allowed is a
404; the services decide, these views only collect and show."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from calls import calendar
from calls.models import PhaseKind
from calls.territories import low_supply_match
from connaissance.formatting import money
from connaissance.mail.models import OutgoingMail
from consortia.composition import check_composition
from consortia.models import Collective, ParticipationRole
from consortia.services.collectives import with_composition_data

from ..canvases import missing_blocks
from ..forms.notes import ConfirmFilingForm, NoteForm
from ..models import Canvas, CanvasKind, OpportunityNote
from ..services import filing
from ..services.drafts import note_for, save_draft
from ..services.errors import ApplicationError, NotFileable, StaleDraft
from ..services.incubation import shared_sessions
from .keep_typed import announce_kept, keep_typed


def load_note(request, pk, *, change=False):
    """(note, can_change) of the collective `pk`. Its members see and edit the note (created
    as an empty draft on their first visit); officers only see an existing one."""
    collective = get_object_or_404(with_composition_data(Collective.objects.all()), pk=pk)
    probe = OpportunityNote(collective=collective)
    can_change = request.user.has_perm("applications.change_opportunitynote", probe)
    if can_change:
        note = note_for(collective)
    elif not change and request.user.has_perm("applications.view_opportunitynote", probe):
        note = OpportunityNote.objects.filter(collective=collective).first()
        if note is None:
            raise Http404
    else:
        raise Http404
    note.collective = collective
    return note, can_change


def lead_of(collective):
    return next((p.organisation for p in collective.participations.all()
                 if p.role == ParticipationRole.LEAD), None)


def _related(note):
    """The note's relations, each loaded once."""
    return {"axes": list(note.axes.order_by("number")),
            "epcis": list(note.epcis.order_by("name")),
            "communes": list(note.communes.order_by("name")),
            "partners": list(note.partners.order_by("legal_name"))}


def canvas_rows(note):
    canvases = {c.kind: c for c in note.canvases.select_related("file")}
    rows = []
    for kind in CanvasKind:
        canvas = canvases.get(kind)
        missing = (missing_blocks(kind, canvas.blocks)
                   if canvas and canvas.mode == Canvas.Mode.ONLINE else [])
        rows.append({"kind": kind, "canvas": canvas, "missing": missing,
                     "ready": bool(canvas and canvas.file_id and not missing)})
    return rows


def _base_context(note):
    collective = note.collective
    call = collective.call
    preselection = calendar.phase(call, PhaseKind.PRESELECTION)
    return {"note": note, "collective": collective, "call": call, "lead": lead_of(collective),
            "deadline": preselection.ends_at if preselection else None}


# --- The draft ------------------------------------------------------------------------------

def _form(note, data=None, *, initial=None):
    return NoteForm(data, initial=initial, call=note.collective.call,
                    collective=note.collective)


def _names(values):
    return ", ".join(str(v) for v in values) or "—"


def _differences(form, fresh, related):
    """(label, what you typed, what was saved) for each field that differs."""
    mine = form.cleaned_data
    rows = []
    for name in NoteForm.TEXT_FIELDS:
        typed, saved = mine.get(name), getattr(fresh, name)
        if isinstance(typed, str):
            typed = typed.strip()
        if (typed or None) != (saved or None):
            show = money if name in ("estimated_total_cost", "requested_subsidy") else str
            rows.append((form.fields[name].label, show(typed) if typed is not None else "",
                         show(saved) if saved is not None else ""))
    for name in ("axes", "epcis", "communes", "partners"):
        typed, saved = list(mine.get(name) or []), related[name]
        if {o.pk for o in typed} != {o.pk for o in saved}:
            rows.append((form.fields[name].label, _names(typed),
                         _names(saved)))
    return rows


def _render_draft(request, note, form, related, **extra):
    context = _base_context(note)
    call = context["call"]
    context.update(
        form=form, canvases=canvas_rows(note),
        communes=form.listed_communes(related["communes"]),
        low_supply=low_supply_match(call, epcis=related["epcis"],
                                    communes=related["communes"]),
        refusal=calendar.refusal(call, "submit_note", timezone.now()), **extra)
    return render(request, "applications/note.html", context)


def _conflict(request, note, form, exc):
    """Someone saved meanwhile: keep what this user typed, show the saved version beside it,
    and take the new version number so that saving again works."""
    fresh = OpportunityNote.objects.get(pk=note.pk)
    fresh.collective = note.collective
    related = _related(fresh)
    differences = _differences(form, fresh, related)
    data = request.POST.copy()
    data["version"] = str(fresh.version)
    retyped = _form(fresh, data)
    retyped.is_valid()
    return _render_draft(request, fresh, retyped, related, conflict=str(exc),
                         differences=differences)


def _after_save(request, note, form):
    url = reverse("applications:note", args=[note.collective.pk])
    if request.POST.get("action") == "file":
        return redirect("applications:file", note.collective.pk)
    if form.removed_commune:
        messages.success(request, _("The commune is removed and the draft saved."))
        return redirect(url + "#territoire")
    if form.cleaned_data.get("add_commune"):
        messages.success(request, _("%(commune)s is added and the draft saved.")
                         % {"commune": form.cleaned_data["add_commune"]})
        return redirect(url + "#territoire")
    messages.success(request, _("The draft is saved. It has NOT been filed: use “File…” when "
                                "the note is complete."))
    return redirect(url)


@keep_typed
@require_http_methods(["GET", "POST"])
def note_page(request, pk):
    note, can_change = load_note(request, pk)
    if not (can_change and note.is_editable):
        if request.method == "POST":
            messages.error(request, _("This note has been filed; it can no longer be changed."))
            return redirect("applications:note", pk)
        return _render_frozen(request, note)
    related = _related(note)
    if request.method == "POST":
        form = _form(note, request.POST)
        if form.is_valid():
            try:
                note = save_draft(user=request.user, note=note,
                                  version=form.cleaned_data["version"],
                                  data=form.draft_data())
            except StaleDraft as exc:
                return _conflict(request, note, form, exc)
            except ApplicationError as exc:
                messages.error(request, str(exc))
                return redirect("applications:note", pk)
            return _after_save(request, note, form)
    elif request.kept_typed is not None:
        form = _form(note, request.kept_typed)
        announce_kept(request)
    else:
        form = _form(note, initial=NoteForm.initial_for(note, **related))
    return _render_draft(request, note, form, related)


# --- Once filed (or expired): frozen, with the status ---------------------------------------

def _amount(value):
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


def _shown(snapshot):
    """The snapshot, ready for the template."""
    shown = dict(snapshot)
    for name in ("estimated_total_cost", "requested_subsidy"):
        shown[name] = _amount(snapshot.get(name))
    shown["canvases"] = [{**c, "label": CanvasKind(c["kind"]).label,
                          "mode_label": Canvas.Mode(c["mode"]).label}
                         for c in snapshot.get("canvases", [])]
    return shown


def _render_frozen(request, note):
    context = _base_context(note)
    context.update(
        shown=_shown(note.snapshot or filing.snapshot(note)),
        filed=note.snapshot is not None,
        sessions=list(shared_sessions(note)),
    )
    return render(request, "applications/note_frozen.html", context)


# --- Filing, with a confirmation step ---------------------------------------------------------

def fix_links(note, found):
    """(problem, link to where it is fixed) for each reason the note cannot be filed."""
    pk = note.collective.pk
    note_url = reverse("applications:note", args=[pk])
    links = {_("Fill in %(field)s.") % {"field": label}: f"{note_url}#id_{name}"
             for name, label in filing.REQUIRED.items()}
    links[_("Choose at least one intervention axis.")] = note_url + "#axes"
    links[_("Give the territory (EPCI or communes).")] = note_url + "#territoire"
    links[_("The requested subsidy cannot exceed the estimated total cost.")] = (
        note_url + "#id_requested_subsidy")
    for kind in CanvasKind:
        url = reverse("applications:canvas", args=[pk, kind.value])
        links[_("Add the %(canvas)s (upload it or fill it online).")
              % {"canvas": kind.label}] = url
        links[_("Complete every block of the %(canvas)s.") % {"canvas": kind.label}] = url
    for item in check_composition(note.collective, count_pending=True).missing:
        links[item.detail] = reverse("consortia:collective", args=[pk])
    return [(problem, links.get(str(problem))) for problem in found]


@login_required
@require_http_methods(["GET", "POST"])
def file_note(request, pk):
    note, _can_change = load_note(request, pk, change=True)
    if not note.is_editable:
        if note.reference:
            return redirect("applications:receipt", pk)
        return redirect("applications:note", pk)
    form = ConfirmFilingForm(request.POST if request.method == "POST" else None)
    found = filing.problems(note)
    if request.method == "POST" and form.is_valid():
        try:
            filing.submit_note(user=request.user, note=note, confirmed=True)
        except NotFileable as exc:
            found = exc.problems
        except ApplicationError as exc:
            messages.error(request, str(exc))
            return redirect("applications:note", pk)
        else:
            messages.success(request, _("Your opportunity note is filed."))
            return redirect("applications:receipt", pk)
    context = _base_context(note)
    context.update(form=form, problems=fix_links(note, found), canvases=canvas_rows(note),
                   related=_related(note))
    return render(request, "applications/file.html", context)


@login_required
@require_GET
def receipt(request, pk):
    note, _can_change = load_note(request, pk)
    if not note.reference:
        return redirect("applications:note", pk)
    mail = OutgoingMail.objects.filter(dedup_key=f"note-receipt-{note.pk}").first()
    context = _base_context(note)
    context.update(recipients=mail.to if mail else [])
    return render(request, "applications/receipt.html", context)
