"""Drafts of opportunity notes and their canvases: saved as often as wanted, never lost."""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from connaissance.audit.services import record
from connaissance.files.services import store_generated, store_upload
from connaissance.pdf.rendering import render_pdf

from ..canvases import BLOCKS
from ..models import Canvas, NoteStatus, OpportunityNote
from .errors import ApplicationError, StaleDraft

TEXT_FIELDS = ("title", "summary", "territory_precision", "target_publics",
               "tiers_lieu_services", "estimated_total_cost", "requested_subsidy")
M2M_FIELDS = ("axes", "epcis", "communes", "partners")


def note_for(collective):
    """The collective's note, created as an empty draft the first time."""
    note, _created = OpportunityNote.objects.get_or_create(collective=collective)
    return note


def _locked_draft(note, version=None):
    locked = OpportunityNote.objects.select_for_update().get(pk=note.pk)
    if locked.status != NoteStatus.DRAFT:
        raise ApplicationError(_("This note has been filed; it can no longer be changed."))
    if version is not None and locked.version != version:
        raise StaleDraft(_("Someone else in your collective saved this note while you were "
                           "editing it. Your text is kept below: compare it with the saved "
                           "version, then save again."))
    return locked


@transaction.atomic
def save_draft(*, user, note, version, data):
    """Save what was typed (even incomplete) if nobody saved since `version` was read."""
    locked = _locked_draft(note, version)
    for name in TEXT_FIELDS:
        if name in data:
            setattr(locked, name, data[name])
    locked.version = F("version") + 1
    locked.save()
    for name in M2M_FIELDS:
        if name in data:
            getattr(locked, name).set(data[name])
    locked.refresh_from_db(fields=["version", "updated_at"])
    record(actor=user, obj=locked, action="note.draft_saved", data={"version": locked.version})
    return locked


def _canvas(note, kind):
    canvas, _created = Canvas.objects.get_or_create(note=note, kind=kind)
    return canvas


@transaction.atomic
def upload_canvas(*, user, note, kind, uploaded):
    """Keep an uploaded canvas (content-checked, size bounded by the call)."""
    locked = _locked_draft(note)
    max_bytes = locked.collective.call.upload_max_mb * 1024 * 1024
    stored = store_upload(uploaded=uploaded, owner=locked.collective, created_by=user,
                          max_bytes=max_bytes)
    canvas = _canvas(locked, kind)
    canvas.mode, canvas.file = Canvas.Mode.UPLOAD, stored
    canvas.save()
    record(actor=user, obj=locked, action="canvas.uploaded",
           data={"kind": kind, "file": str(stored.pk), "sha256": stored.sha256})
    return canvas


@transaction.atomic
def fill_canvas_online(*, user, note, kind, blocks):
    """Save the blocks typed online and render them to a one-page PDF."""
    locked = _locked_draft(note)
    allowed = {code for code, _label in BLOCKS[kind]}
    clean = {code: (text or "").strip() for code, text in blocks.items() if code in allowed}
    canvas = _canvas(locked, kind)
    canvas.mode, canvas.blocks = Canvas.Mode.ONLINE, clean
    content = render_pdf("applications/canvas_pdf.html", {
        "note": locked, "collective": locked.collective, "canvas": canvas,
        "blocks": [(label, clean.get(code, "")) for code, label in BLOCKS[kind]],
    })
    canvas.file = store_generated(content=content, name=f"{kind}-canvas.pdf",
                                  mime="application/pdf", owner=locked.collective,
                                  created_by=user)
    canvas.save()
    record(actor=user, obj=locked, action="canvas.filled_online", data={"kind": kind})
    return canvas
