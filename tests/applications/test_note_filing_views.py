"""The canvases of the note (filled online to a one-page PDF, uploaded, refused), filing
through the confirmation step, the receipt, the frozen note with its status and decision, and
the link from the collective's page."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from applications.canvases import BLOCKS
from applications.models import Canvas, CanvasKind, NoteStatus
from applications.services.decisions import decide_note
from applications.services.drafts import fill_canvas_online, note_for
from calls.models import PhaseKind
from connaissance.mail.models import OutgoingMail
from tests.applications.factories import (
    IncubationSessionFactory,
    filable_note,
    filed_note,
    filled_blocks,
)
from tests.applications.note_pages import (
    blank_pdf,
    draft_post,
    pdf_text,
    signed_in_member,
    stored_bytes,
    url,
)
from tests.consortia.factories import MembershipFactory
from tests.factories import officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    return signed_in_member(client)

# --- The canvases -----------------------------------------------------------------------------

def test_filling_a_canvas_online_renders_a_one_page_landscape_pdf(client, member):
    collective, _user = member
    note = note_for(collective)
    long_blocks = {code: ("Texte assez long, accentué : éèàç. " * 40)[:1200]
                   for code, _label in BLOCKS[CanvasKind.BUSINESS_MODEL]}
    response = client.post(url("canvas", collective, "business_model"),
                           {"action": "online", **long_blocks})
    assert response.status_code == 302
    assert response["Location"].endswith("#canevas")
    canvas = Canvas.objects.get(note=note, kind=CanvasKind.BUSINESS_MODEL)
    assert canvas.mode == Canvas.Mode.ONLINE
    assert canvas.blocks == long_blocks
    reader = PdfReader(io.BytesIO(stored_bytes(canvas.file)))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert box.width > box.height  # landscape
    assert "accentué" in reader.pages[0].extract_text()
    page = client.get(url("note", collective)).content.decode()
    assert 'data-canvas="business_model" data-ready="true"' in page
    assert reverse("files:download", args=[canvas.file.pk]) in page


def test_a_canvas_partly_filled_is_saved_and_says_what_is_missing(client, member):
    collective, _user = member
    note = note_for(collective)
    client.post(url("canvas", collective, "team"), {"action": "online", "purpose": "Former"})
    canvas = Canvas.objects.get(note=note, kind=CanvasKind.TEAM)
    assert canvas.blocks["purpose"] == "Former"
    page = client.get(url("note", collective)).content.decode()
    assert 'data-canvas="team" data-ready="false"' in page


def test_a_refused_upload_says_why_on_the_field_and_keeps_the_blocks(client, member):
    collective, _user = member
    note = note_for(collective)
    exe = SimpleUploadedFile("canevas.pdf", b"MZ\x90\x00" + b"\x00" * 200,
                             content_type="application/pdf")
    response = client.post(url("canvas", collective, "team"),
                           {"action": "upload", "file": exe, "purpose": "Texte gardé"})
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors and "PDF" in errors[0]
    html = response.content.decode()
    assert "Texte gardé" in html
    assert not Canvas.objects.filter(note=note).exists()


def test_an_uploaded_canvas_is_listed_with_its_name(client, member):
    collective, _user = member
    note = note_for(collective)
    response = client.post(url("canvas", collective, "team"), {
        "action": "upload", "file": SimpleUploadedFile("Mon équipe.pdf", blank_pdf())})
    assert response.status_code == 302
    canvas = Canvas.objects.get(note=note, kind=CanvasKind.TEAM)
    assert canvas.mode == Canvas.Mode.UPLOAD
    page = client.get(url("canvas", collective, "team")).content.decode()
    assert 'data-mode="upload"' in page and canvas.file.original_name in page
    assert client.get(reverse("files:download", args=[canvas.file.pk])).status_code == 200


def test_upload_without_a_file_is_an_error_and_unknown_kind_a_404(client, member):
    collective, _user = member
    response = client.post(url("canvas", collective, "team"), {"action": "upload"})
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert client.get(url("canvas", collective, "swot")).status_code == 404


# --- Filing ------------------------------------------------------------------------------------

def test_the_file_button_saves_then_lists_what_is_missing_with_links(client, member):
    collective, _user = member
    note = note_for(collective)
    response = client.post(url("note", collective), draft_post(note, title="Titre",
                                                               action="file"))
    assert response.status_code == 302 and response["Location"] == url("file", collective)
    note.refresh_from_db()
    assert note.title == "Titre"
    response = client.get(url("file", collective))
    html = response.content.decode()
    assert 'id="problems"' in html and 'id="file-form"' not in html
    links = dict((str(p), link) for p, link in response.context["problems"])
    assert f'{url("note", collective)}#id_summary' in links.values()
    assert url("canvas", collective, "team") in links.values()
    assert url("canvas", collective, "business_model") in links.values()


def test_filing_needs_the_confirmation_then_shows_the_receipt(client):
    note, user = filable_note()
    collective = note.collective
    client.force_login(user)
    response = client.get(url("file", collective))
    html = response.content.decode()
    assert 'id="summary"' in html and 'id="confirm-filing"' in html
    response = client.post(url("file", collective), {})
    assert response.status_code == 200 and "confirm" in response.context["form"].errors
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT

    response = client.post(url("file", collective), {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == url("receipt", collective)
    note.refresh_from_db()
    assert note.status == NoteStatus.SUBMITTED
    assert note.reference.startswith(collective.call.reference_prefix + "-N-")
    receipt = client.get(url("receipt", collective))
    html = receipt.content.decode()
    assert note.reference in html
    assert user.email in html
    assert reverse("files:download", args=[note.receipt_id]) in html
    text = pdf_text(stored_bytes(note.receipt))
    assert note.reference in text and collective.name in text
    mail = OutgoingMail.objects.get(cause="applications:note_receipt")
    assert mail.attachment_ids == [str(note.receipt_id)]
    assert note.reference in mail.subject and note.reference in mail.body_text
    assert url("note", collective) in mail.body_text
    contact = OutgoingMail.objects.get(cause="applications:note_filed")
    assert contact.to == [collective.call.contact_email]
    # filing twice leads to the receipt, never a second filing
    assert client.post(url("file", collective), {"confirm": "on"})["Location"] == \
        url("receipt", collective)


def test_filing_after_the_deadline_is_refused_by_the_server(client):
    note, user = filable_note()
    client.force_login(user)
    page = client.get(url("file", note.collective))
    assert 'id="confirm-filing"' in page.content.decode()
    note.collective.call.phases.filter(kind=PhaseKind.PRESELECTION).update(
        ends_at=timezone.now() - timedelta(seconds=1))
    response = client.post(url("file", note.collective), {"confirm": "on"})
    assert response.status_code == 200
    assert response.context["problems"]
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT and note.reference == ""


def test_the_filed_note_is_frozen_and_shows_its_status_then_the_decision(client):
    note = filed_note()
    collective = note.collective
    user = MembershipFactory(organisation=collective.participations.get(role="lead")
                             .organisation).user
    client.force_login(user)
    page = client.get(url("note", collective)).content.decode()
    assert 'data-status="submitted"' in page and 'id="draft-banner"' not in page
    assert 'id="filed-note"' in page and 'id="note-form"' not in page
    assert note.snapshot["canvases"][0]["sha256"] in page
    # a late POST changes nothing
    response = client.post(url("note", collective), {"version": note.version, "title": "x"})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.title != "x"
    assert client.get(url("canvas", collective, "team")).status_code == 302

    decide_note(officer=officer(), note=note, decision=NoteStatus.PRESELECTED,
                message="Bravo : projet présélectionné.")
    IncubationSessionFactory(incubation=note.incubation, notes="Atelier partagé")
    IncubationSessionFactory(incubation=note.incubation, notes="Note interne", shared=False)
    page = client.get(url("note", collective)).content.decode()
    assert 'data-status="preselected"' in page
    assert "Bravo : projet présélectionné." in page
    assert "Atelier partagé" in page and "Note interne" not in page
    mail = OutgoingMail.objects.get(cause="applications:note_decision")
    assert "Bravo" in mail.body_text and url("note", collective) in mail.body_text


def test_the_collective_page_links_to_the_note(client, member):
    collective, _user = member
    page = client.get(reverse("consortia:collective", args=[collective.pk])).content.decode()
    assert 'id="opportunity-note"' in page and url("note", collective) in page
    note_for(collective)
    page = client.get(reverse("consortia:collective", args=[collective.pk])).content.decode()
    assert 'data-status="draft"' in page


def test_canvas_blocks_are_prefilled_from_the_saved_canvas(client, member):
    collective, user = member
    note = note_for(collective)
    fill_canvas_online(user=user, note=note, kind=CanvasKind.TEAM,
                       blocks=filled_blocks(CanvasKind.TEAM, "Déjà écrit"))
    page = client.get(url("canvas", collective, "team")).content.decode()
    assert "Déjà écrit" in page and 'data-mode="online"' in page


def test_blocks_typed_in_an_expired_session_come_back_after_signing_in(client, member):
    collective, user = member
    note_for(collective)
    client.logout()
    address = url("canvas", collective, "team")
    response = client.post(address, {"action": "online", "purpose": "Écrit avant l’expiration"})
    assert response.status_code == 302 and "next=" in response["Location"]
    client.force_login(user)  # signing in keeps the session's data
    page = client.get(address).content.decode()
    assert "Écrit avant l’expiration" in page
    assert not Canvas.objects.filter(note__collective=collective).exists()  # not saved yet
