"""Uploads are proved by their content, kept privately, and downloaded only with permission."""

import hashlib
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from calls.models import CallStatus
from connaissance.files import sniffing
from connaissance.files.models import StoredFile
from connaissance.files.services import (
    open_stored,
    private_storage,
    read_stored_files,
    store_upload,
)
from connaissance.files.validation import safe_file_name, validate_upload
from tests.core.factories_core import (
    docx_like,
    minimal_pdf,
    plain_zip,
    stored_file,
    svg_with_script,
    upload,
    windows_executable,
)
from tests.factories import CallFactory, UserFactory, officer

pytestmark = pytest.mark.django_db


def refused(uploaded, **kwargs):
    with pytest.raises(ValidationError) as info:
        validate_upload(uploaded, **kwargs)
    return info.value


# --- the validator -------------------------------------------------------------------------

def test_windows_executable_renamed_pdf_is_refused():
    error = refused(upload("devis.pdf", windows_executable(), "application/pdf"))
    assert error.code == "bad_type"


def test_svg_with_a_script_is_refused():
    error = refused(upload("logo.svg", svg_with_script(), "image/svg+xml"))
    assert error.code == "bad_type"
    # Renaming it does not help either: the content decides.
    assert refused(upload("logo.png", svg_with_script(), "image/png")).code == "bad_type"


def test_oversized_file_is_refused():
    pdf = minimal_pdf()
    error = refused(upload("gros.pdf", pdf, "application/pdf"), max_bytes=len(pdf) - 1)
    assert error.code == "too_large"
    assert validate_upload(upload("juste.pdf", pdf), max_bytes=len(pdf)) == sniffing.PDF


def test_default_limit_comes_from_settings(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    assert refused(upload("gros.pdf", minimal_pdf())).code == "too_large"


def test_oversized_upload_is_not_stored():
    with pytest.raises(ValidationError):
        store_upload(uploaded=upload("gros.pdf", minimal_pdf()), max_bytes=100)
    assert not StoredFile.objects.exists()
    location = Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    assert not location.exists() or not any(p.is_file() for p in location.rglob("*"))


def test_truncated_pdf_is_refused():
    pdf = minimal_pdf()
    error = refused(upload("coupe.pdf", pdf[: len(pdf) // 2], "application/pdf"))
    assert error.code == "bad_pdf"


def test_pdf_header_alone_is_refused():
    assert refused(upload("vide.pdf", b"%PDF-1.7\n%%EOF\n")).code == "bad_pdf"


def test_empty_file_is_refused():
    assert refused(upload("vide.pdf", b"", "application/pdf")).code == "empty"


def test_zip_that_is_not_an_office_document_is_refused():
    assert refused(upload("budget.docx", plain_zip(), "application/zip")).code == "bad_type"


def test_broken_zip_is_refused():
    assert refused(upload("budget.docx", docx_like()[:60])).code == "bad_type"


def test_office_archive_expanding_too_much_is_refused(monkeypatch):
    monkeypatch.setattr(sniffing, "MAX_UNCOMPRESSED_BYTES", 100)
    assert refused(upload("budget.docx", docx_like())).code == "archive_too_large"


def test_type_not_allowed_here():
    error = refused(upload("budget.docx", docx_like()), allowed={sniffing.PDF})
    assert error.code == "not_allowed"


def test_file_name_is_sanitised_and_takes_the_proved_extension():
    assert safe_file_name("../../Budget prévisionnel (v2)?.PDF", sniffing.PDF) == (
        "Budget-previsionnel-v2.pdf")
    assert safe_file_name("photo.png", sniffing.PDF) == "photo.pdf"
    assert safe_file_name("...", sniffing.DOCX) == "document.docx"
    assert safe_file_name("<script>.pdf", sniffing.PDF) == "script.pdf"
    assert safe_file_name("", sniffing.PDF) == "document.pdf"


# --- storing -------------------------------------------------------------------------------

def test_real_pdf_is_accepted_and_stored_privately(user, client):
    content = minimal_pdf("Attestation de régularité fiscale")
    stored = store_upload(
        uploaded=upload("../Attestation fiscale été 2023.pdf", content, "application/pdf"),
        created_by=user,
    )
    stored.refresh_from_db()
    assert stored.content_type == sniffing.PDF
    assert stored.original_name == "Attestation-fiscale-ete-2023.pdf"
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.created_by == user
    assert stored.owner is None

    # Kept through the named private storage, outside anything served as static files.
    storage = private_storage()
    assert storage.exists(stored.storage_name)
    path = Path(storage.path(stored.storage_name)).resolve()
    assert path.is_relative_to(Path(settings.STORAGES["private"]["OPTIONS"]["location"]))
    assert not path.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert not any(path.is_relative_to(Path(d).resolve()) for d in settings.STATICFILES_DIRS)
    # No URL serves the storage directly: only the permission-checked view.
    client.force_login(user)
    assert client.get(storage.url(stored.storage_name), secure=True).status_code == 404
    assert stored.id.hex in stored.storage_name
    assert "Attestation" not in stored.storage_name  # the user's name never reaches the disk
    with open_stored(stored) as handle:
        assert handle.read() == content


def test_docx_like_zip_is_accepted():
    content = docx_like()
    stored = store_upload(uploaded=upload("Budget.docx", content, "application/zip"))
    assert stored.content_type == sniffing.DOCX
    assert stored.original_name == "Budget.docx"
    assert stored.sha256 == hashlib.sha256(content).hexdigest()


def test_png_is_accepted():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "navy").save(buffer, format="PNG")
    stored = store_upload(uploaded=upload("logo.jpg", buffer.getvalue()))
    assert stored.content_type == sniffing.PNG
    assert stored.original_name == "logo.png"


def test_owner_is_recorded_and_files_read_back(call):
    stored = stored_file(owner=call, name="reglement.pdf")
    assert stored.owner == call
    [(name, content, mime)] = read_stored_files([stored.pk])
    assert (name, content, mime) == ("reglement.pdf", minimal_pdf(), "application/pdf")


# --- the download view ---------------------------------------------------------------------

def download(client, stored):
    return client.get(f"/fichiers/{stored.pk}/", secure=True)


def body(response):
    # Consuming the test client's wrapped stream closes the file (no explicit close(): it
    # would fire request_finished and close the test's database connection).
    return b"".join(response.streaming_content)


def test_anonymous_gets_a_404_not_a_redirect(client, user):
    stored = stored_file(created_by=user)
    response = download(client, stored)
    assert response.status_code == 404
    assert "Location" not in response


def test_unknown_file_is_a_404(client, user):
    client.force_login(user)
    assert client.get("/fichiers/00000000-0000-4000-8000-000000000000/",
                      secure=True).status_code == 404


def test_another_user_gets_a_404(client, user):
    stored = stored_file(created_by=user)
    client.force_login(UserFactory())
    assert download(client, stored).status_code == 404


def test_creator_of_an_ownerless_file_downloads_it(client, user):
    content = minimal_pdf("Note d’opportunité")
    stored = stored_file(content=content, name="note-opportunite.pdf", created_by=user)
    client.force_login(user)
    response = download(client, stored)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="note-opportunite.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == content


def test_file_of_a_published_call_is_downloadable_by_any_signed_in_user(client, user):
    published = CallFactory(status=CallStatus.PUBLISHED, calendar=False)
    stored = stored_file(owner=published, created_by=officer())
    client.force_login(user)
    response = download(client, stored)
    assert response.status_code == 200
    assert body(response) == minimal_pdf()
    client.logout()
    assert download(client, stored).status_code == 404


def test_file_of_a_draft_call_only_for_officers(client, user):
    draft = CallFactory(status=CallStatus.DRAFT, calendar=False)
    stored = stored_file(owner=draft, created_by=user)
    # Even its creator may not see it once it belongs to a call they cannot view.
    client.force_login(user)
    assert download(client, stored).status_code == 404
    client.force_login(officer())
    response = download(client, stored)
    assert response.status_code == 200
    assert body(response) == minimal_pdf()
