"""The page of one canvas of the note: upload it, or fill its nine blocks online (the portal
then renders it to a one-page PDF). A refused upload says why, in French, on the field, and
keeps the blocks typed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..canvases import missing_blocks
from ..forms.canvases import CanvasForm
from ..models import Canvas, CanvasKind
from ..services.drafts import fill_canvas_online, upload_canvas
from ..services.errors import ApplicationError
from .keep_typed import announce_kept, keep_typed
from .notes import lead_of, load_note


def _saved(request, note, kind, form):
    """Run the use case the button asked for; None when the form must be shown again."""
    try:
        if form.action == CanvasForm.UPLOAD:
            canvas = upload_canvas(user=request.user, note=note, kind=kind,
                                   uploaded=form.cleaned_data["file"])
            messages.success(request, _("The %(canvas)s is uploaded (%(name)s).") % {
                "canvas": kind.label, "name": canvas.file.original_name})
        else:
            canvas = fill_canvas_online(user=request.user, note=note, kind=kind,
                                        blocks=form.blocks())
            missing = missing_blocks(kind, canvas.blocks)
            if missing:
                messages.warning(request, _(
                    "The %(canvas)s is saved and rendered to PDF, but some blocks are empty: "
                    "%(blocks)s. Every block is needed to file the note.") % {
                    "canvas": kind.label, "blocks": ", ".join(str(m) for m in missing)})
            else:
                messages.success(request, _("The %(canvas)s is saved and rendered to PDF.")
                                 % {"canvas": kind.label})
    except ValidationError as exc:
        form.add_error("file", exc)
        return None
    return canvas


@keep_typed
@require_http_methods(["GET", "POST"])
def canvas_page(request, pk, kind):
    if kind not in CanvasKind.values:
        raise Http404
    kind = CanvasKind(kind)
    note, _can_change = load_note(request, pk, change=True)
    note_url = reverse("applications:note", args=[pk])
    if not note.is_editable:
        messages.info(request, _("This note has been filed; its canvases can no longer be "
                                 "changed."))
        return redirect(note_url)
    current = note.canvases.select_related("file").filter(kind=kind).first()
    max_mb = note.collective.call.upload_max_mb
    if request.method == "POST":
        form = CanvasForm(request.POST, request.FILES, kind=kind, max_mb=max_mb)
        if form.is_valid():
            try:
                if _saved(request, note, kind, form) is not None:
                    return redirect(note_url + "#canevas")
            except ApplicationError as exc:
                messages.error(request, str(exc))
                return redirect(note_url)
    elif request.kept_typed is not None:
        form = CanvasForm(request.kept_typed, kind=kind, max_mb=max_mb)
        announce_kept(request)
    else:
        form = CanvasForm(initial=current.blocks if current else {}, kind=kind, max_mb=max_mb)
    return render(request, "applications/canvas.html", {
        "note": note, "collective": note.collective, "call": note.collective.call,
        "lead": lead_of(note.collective), "kind": kind, "canvas": current, "form": form,
        "online": Canvas.Mode.ONLINE,
        "missing": (missing_blocks(kind, current.blocks)
                    if current and current.mode == Canvas.Mode.ONLINE else []),
    })
