"""Helpers of the tests of the note pages (test_note_views, test_note_filing_views)."""

import io

from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from connaissance.files.services import open_stored
from tests.applications.factories import complete_collective


def url(name, collective, *args):
    return reverse(f"applications:{name}", args=[collective.pk, *args])


def signed_in_member(client):
    """A signed-in administrator of the lead of a complete collective."""
    collective, user = complete_collective()
    client.force_login(user)
    return collective, user


def draft_post(note, **fields):
    data = {"version": note.version, "action": "save", "title": "", "summary": ""}
    data.update(fields)
    return data


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def stored_bytes(stored):
    with open_stored(stored) as handle:
        return handle.read()
