"""Filing an opportunity note: every check again on the server, in one transaction."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls import calendar
from calls.territories import low_supply_match
from connaissance.files.services import store_generated
from connaissance.mail.services import queue_templated_mail
from connaissance.pdf.rendering import render_pdf
from consortia.composition import check_composition

from ..canvases import missing_blocks
from ..models import Canvas, CanvasKind, NoteStatus, OpportunityNote
from ..workflow import NOTE_LIFECYCLE
from .errors import ApplicationError, NotFileable
from .references import next_reference

REQUIRED = {
    "title": gettext_lazy("the project title"),
    "summary": gettext_lazy("the summary"),
    "target_publics": gettext_lazy("the target publics"),
    "tiers_lieu_services": gettext_lazy("the services the tiers-lieu will bring together"),
    "estimated_total_cost": gettext_lazy("the estimated total cost"),
    "requested_subsidy": gettext_lazy("the requested subsidy"),
}


def problems(note, *, at=None) -> list[str]:
    """Everything that prevents filing, in plain language (empty list: ready to file)."""
    at = at or timezone.now()
    found = []
    refusal = calendar.refusal(note.collective.call, "submit_note", at)
    if refusal:
        found.append(refusal)
    for name, label in REQUIRED.items():
        if getattr(note, name) in (None, ""):
            found.append(_("Fill in %(field)s.") % {"field": label})
    if not note.axes.exists():
        found.append(_("Choose at least one intervention axis."))
    if not note.epcis.exists() and not note.communes.exists():
        found.append(_("Give the territory (EPCI or communes)."))
    if (note.requested_subsidy is not None and note.estimated_total_cost is not None
            and note.requested_subsidy > note.estimated_total_cost):
        found.append(_("The requested subsidy cannot exceed the estimated total cost."))
    canvases = {c.kind: c for c in note.canvases.all()}
    for kind in CanvasKind:
        canvas = canvases.get(kind)
        if canvas is None or canvas.file_id is None:
            found.append(_("Add the %(canvas)s (upload it or fill it online).")
                         % {"canvas": kind.label})
        elif canvas.mode == Canvas.Mode.ONLINE and missing_blocks(kind, canvas.blocks):
            found.append(_("Complete every block of the %(canvas)s.") % {"canvas": kind.label})
    composition = check_composition(note.collective, count_pending=True, at=at)
    found += [item.detail for item in composition.missing]
    return found


def snapshot(note) -> dict:
    """What was filed, frozen: values, partners, territory and canvas file hashes."""
    return {
        "title": note.title, "summary": note.summary,
        "axes": [str(a) for a in note.axes.all()],
        "epcis": [{"code": e.code, "name": e.name} for e in note.epcis.all()],
        "communes": [{"code": c.code, "name": c.name} for c in note.communes.all()],
        "territory_precision": note.territory_precision,
        "low_supply": [str(t) for t in low_supply_match(
            note.collective.call, epcis=note.epcis.all(), communes=note.communes.all())],
        "target_publics": note.target_publics,
        "tiers_lieu_services": note.tiers_lieu_services,
        "estimated_total_cost": str(note.estimated_total_cost),
        "requested_subsidy": str(note.requested_subsidy),
        "partners": [{"name": o.legal_name, "siret": o.siret} for o in note.partners.all()],
        "canvases": [{"kind": c.kind, "mode": c.mode, "file": str(c.file_id),
                      "sha256": c.file.sha256, "blocks": c.blocks}
                     for c in note.canvases.select_related("file")],
    }


def submit_note(*, user, note, confirmed: bool):
    """File the note. The deadline and everything else are checked here, in the transaction
    that files it; a late or stopped scheduler can never let a late filing in."""
    if not confirmed:
        raise ApplicationError(_("Confirm that you want to file the note."))
    with transaction.atomic():
        locked = OpportunityNote.objects.select_for_update().select_related(
            "collective__call").get(pk=note.pk)
        if locked.status != NoteStatus.DRAFT:
            raise ApplicationError(_("This note has already been filed."))
        now = timezone.now()
        found = problems(locked, at=now)
        if found:
            raise NotFileable(found)
        call = locked.collective.call
        locked.reference = next_reference(call=call, kind="N")
        locked.submitted_at, locked.submitted_by = now, user
        locked.snapshot = snapshot(locked)
        locked.save(update_fields=["reference", "submitted_at", "submitted_by", "snapshot"])
        NOTE_LIFECYCLE.apply(locked, to_state=NoteStatus.SUBMITTED, actor=user,
                             data={"reference": locked.reference})
        receipt = render_pdf("applications/receipt_pdf.html", {"note": locked, "call": call})
        locked.receipt = store_generated(content=receipt, name=f"{locked.reference}.pdf",
                                         mime="application/pdf", owner=locked.collective,
                                         created_by=user)
        locked.save(update_fields=["receipt"])
        _mail_receipt(locked, user)
    return locked


def _mail_receipt(note, user):
    from consortia.services.notify import admin_emails

    call = note.collective.call
    lead = note.collective.participations.get(role="lead").organisation
    recipients = sorted(set(admin_emails(lead)) | {user.email})
    context = {"note": note, "call": call, "collective": note.collective, "lead": lead,
               "SITE_URL": settings.SITE_URL}
    queue_templated_mail(to=recipients, template_prefix="applications/email/note_receipt",
                         context=context, cause="applications:note_receipt",
                         attachment_ids=[note.receipt_id],
                         dedup_key=f"note-receipt-{note.pk}")
    queue_templated_mail(to=[call.contact_email],
                         template_prefix="applications/email/note_filed_contact",
                         context=context, cause="applications:note_filed",
                         dedup_key=f"note-filed-{note.pk}")
