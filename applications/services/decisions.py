"""Officers pre-select (or not) the filed notes; the collective is told with the message."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connaissance.mail.services import queue_templated_mail

from ..models import Incubation, NoteStatus, OpportunityNote
from ..workflow import NOTE_LIFECYCLE
from .errors import ApplicationError

DECISIONS = {NoteStatus.PRESELECTED, NoteStatus.NOT_RETAINED}


def decide_note(*, officer, note, decision, message):
    """Record the decision through the note's transition table; a message is mandatory."""
    if decision not in DECISIONS:
        raise ApplicationError(_("Unknown decision."))
    if not (message or "").strip():
        raise ApplicationError(_("A message to the collective is required with the decision."))
    with transaction.atomic():
        NOTE_LIFECYCLE.apply(note, to_state=decision, actor=officer, reason=message)
        OpportunityNote.objects.filter(pk=note.pk).update(decision_message=message.strip(),
                                                         decided_at=timezone.now())
        note.refresh_from_db()
        if decision == NoteStatus.PRESELECTED:
            Incubation.objects.get_or_create(note=note)
        _mail_decision(note)
    return note


def _mail_decision(note):
    from consortia.services.notify import admin_emails

    lead = note.collective.participations.get(role="lead").organisation
    queue_templated_mail(
        to=admin_emails(lead), template_prefix="applications/email/note_decision",
        context={"note": note, "call": note.collective.call, "collective": note.collective,
                 "SITE_URL": settings.SITE_URL},
        cause="applications:note_decision", dedup_key=f"note-decision-{note.pk}",
        # Officers may want to read decision mails in the outbox before they go.
        hold=note.collective.call.hold_decision_mails)
