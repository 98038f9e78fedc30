"""The collective section's commitments (each confirmed partner's role and letter) and the
required documents attached to a dossier. Uploads go through the files service (content
checked, private storage, size bounded by the call); a refused file changes nothing."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from calls.models import RequiredDocument
from connaissance.audit.services import record
from connaissance.files.services import store_upload
from consortia.models import ParticipationStatus

from ..models import DossierAttachment, PartnerCommitment, SectionCode
from .dossiers import _locked_editable, call_of
from .errors import ApplicationError


def _max_bytes(dossier):
    return call_of(dossier).upload_max_mb * 1024 * 1024


def _store(locked, uploaded, user):
    try:
        return store_upload(uploaded=uploaded, owner=locked.note.collective, created_by=user,
                            max_bytes=_max_bytes(locked))
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages)) from None


def _confirmed_participation(locked, participation_id):
    participation = locked.note.collective.participations.filter(
        pk=participation_id, status=ParticipationStatus.CONFIRMED).select_related(
        "organisation").first()
    if participation is None:
        raise ApplicationError(_("This organisation is not a confirmed partner of the "
                                 "collective."))
    return participation


@transaction.atomic
def save_commitment(*, user, dossier, participation_id, role, letter=None):
    """Save a confirmed partner's role (may be left empty in a draft) and, when given, its
    letter of commitment (an uploaded file, replacing the previous one)."""
    locked = _locked_editable(dossier, SectionCode.COLLECTIVE)
    participation = _confirmed_participation(locked, participation_id)
    stored = _store(locked, letter, user) if letter is not None else None
    commitment, _created = PartnerCommitment.objects.get_or_create(
        dossier=locked, participation=participation, defaults={"role": ""})
    commitment.role = (role or "").strip()
    if stored is not None:
        commitment.letter = stored
    commitment.save()
    record(actor=user, obj=locked, action="dossier.commitment_saved",
           data={"organisation": participation.organisation_id,
                 "letter": str(stored.pk) if stored else None})
    return commitment


@transaction.atomic
def attach_document(*, user, dossier, document_id, uploaded):
    """Attach (or replace) the file of one of the call's required documents."""
    locked = _locked_editable(dossier, SectionCode.ATTACHMENTS)
    document = RequiredDocument.objects.filter(pk=document_id, call=call_of(locked)).first()
    if document is None:
        raise ApplicationError(_("This document is not asked for by the call."))
    if uploaded is None:
        raise ApplicationError(_("Choose the file to attach."))
    stored = _store(locked, uploaded, user)
    attachment, _created = DossierAttachment.objects.update_or_create(
        dossier=locked, document=document, defaults={"file": stored})
    record(actor=user, obj=locked, action="dossier.document_attached",
           data={"document": document.label, "file": str(stored.pk), "sha256": stored.sha256})
    return attachment


@transaction.atomic
def detach_document(*, user, dossier, document_id):
    """Remove the file attached for a required document (the stored file is kept)."""
    locked = _locked_editable(dossier, SectionCode.ATTACHMENTS)
    deleted, _detail = DossierAttachment.objects.filter(dossier=locked,
                                                        document_id=document_id).delete()
    if deleted:
        record(actor=user, obj=locked, action="dossier.document_detached",
               data={"document": document_id})
    return bool(deleted)
