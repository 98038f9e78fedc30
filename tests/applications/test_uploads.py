"""Uploading a canvas: real malformed files built here are refused by their content, in French,
with nothing stored; real documents are accepted under a sanitised name whose extension is the
one the content proves."""

import io
import os
import random
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from applications.models import Canvas, CanvasKind
from applications.services.drafts import upload_canvas
from applications.services.errors import ApplicationError
from connaissance.audit.models import AuditEvent
from connaissance.files.models import StoredFile
from connaissance.files.services import open_stored
from tests.applications.factories import NoteFactory, complete_collective, real_pdf

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


# --- Real files, built here -------------------------------------------------------------------

def image(fmt, size=(40, 30), noise=False) -> bytes:
    from PIL import Image

    if noise:
        pixels = random.Random(7).randbytes(size[0] * size[1] * 3)
        picture = Image.frombytes("RGB", size, pixels)
    else:
        picture = Image.new("RGB", size, (200, 30, 60))
    out = io.BytesIO()
    picture.save(out, fmt)
    return out.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>')
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:body><w:p><w:r><w:t>Business Model Canvas — proposition de valeur</w:t></w:r></w:p>'
    '</w:body></w:document>')


def docx(*, content_types=True, extra=None) -> bytes:
    """A minimal Word document (or, without [Content_Types].xml, a plain zip of its parts)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if content_types:
            archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", DOCUMENT)
        if extra:
            extra(archive)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A docx-shaped archive with a 150 MB part of zeros: small once deflated."""
    def zeros(archive):
        with archive.open("word/media/zeros.bin", "w") as part:
            chunk = bytes(MB)
            for _ in range(150):
                part.write(chunk)
    return docx(extra=zeros)


def odt() -> bytes:
    """A minimal OpenDocument text: `mimetype` first and stored, then its content."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
            'manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
            ' manifest:media-type="application/vnd.oasis.opendocument.text"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/'
            'xml"/></manifest:manifest>'))
        archive.writestr("content.xml", (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
            'office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
            'office:version="1.2"><office:body><office:text><text:p>Team Canvas — rôles'
            '</text:p></office:text></office:body></office:document-content>'))
    return out.getvalue()


def hand_built_pdf(contents_ref=b"4 0 R") -> bytes:
    """A one-page PDF with a compressed content stream and an exact xref table; its page may
    point to a content object that is not there (a file assembled from broken parts)."""
    stream = zlib.compress(b"BT 72 720 Td (Team Canvas) Tj ET")
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents " + contents_ref
               + b">>",
               b"<</Length %d/Filter/FlateDecode>>stream\n" % len(stream) + stream
               + b"\nendstream"]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj" % number + body + b"endobj\n"
    xref = len(out)
    out += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o
                                                          for o in offsets)
    return out + b"trailer<</Size 5/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref


def windows_exe() -> bytes:
    """A DOS/PE header: MZ, the DOS stub message, then the PE signature at 0x80."""
    head = bytearray(0x80)
    head[0:2] = b"MZ"
    head[0x3C:0x40] = (0x80).to_bytes(4, "little")
    head[0x40:0x40 + 39] = b"This program cannot be run in DOS mode.$"[:39]
    return bytes(head) + b"PE\x00\x00\x4c\x01" + bytes(2048)


def elf_binary() -> bytes:
    return (b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00\x01\x00\x00\x00"
            + bytes(4096))


SVG_WITH_SCRIPT = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
                   b'height="10"><script>alert(document.cookie)</script>'
                   b'<rect width="10" height="10"/></svg>')
HTML_PAGE = (b"<!DOCTYPE html><html><head><title>Canvas</title></head><body>"
             b"<script>fetch('/fichiers/')</script></body></html>")


# --- Fixtures and helpers --------------------------------------------------------------------

@pytest.fixture
def note_and_user():
    collective, admin = complete_collective()
    return NoteFactory(collective=collective), admin


def private_files() -> list[str]:
    root = storages["private"].location
    return [os.path.join(folder, name) for folder, _dirs, names in os.walk(root)
            for name in names]


def upload(note, user, name, content, *, kind=CanvasKind.TEAM, content_type=None):
    uploaded = SimpleUploadedFile(name, content, content_type=content_type or "application/pdf")
    return upload_canvas(user=user, note=note, kind=kind, uploaded=uploaded)


# --- Refusals --------------------------------------------------------------------------------

REFUSALS = {
    "windows-exe-renamed-pdf": ("canevas.pdf", windows_exe, "bad_type"),
    "svg-with-script": ("canevas.svg", lambda: SVG_WITH_SCRIPT, "bad_type"),
    "svg-with-script-renamed-png": ("canevas.png", lambda: SVG_WITH_SCRIPT, "bad_type"),
    "html-renamed-png": ("canevas.png", lambda: HTML_PAGE, "bad_type"),
    "truncated-pdf": ("canevas.pdf", lambda: (lambda pdf: pdf[:len(pdf) // 2])(real_pdf()),
                      "bad_pdf"),
    "pdf-first-half-lost": ("canevas.pdf",
                            lambda: (lambda pdf: b"%PDF-1.7\n" + pdf[len(pdf) // 2:])(real_pdf()),
                            "bad_pdf"),
    "pdf-page-content-missing": ("canevas.pdf", lambda: hand_built_pdf(b"9 0 R"), "bad_pdf"),
    "pdf-header-only": ("canevas.pdf", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "bad_pdf"),
    "zip-renamed-docx": ("canevas.docx", lambda: docx(content_types=False), "bad_type"),
    "docx-with-macros": ("canevas.docx",
                         lambda: docx(extra=lambda a: a.writestr("word/vbaProject.bin",
                                                                 b"\xd0\xcf\x11\xe0")),
                         "bad_type"),
    "zip-bomb-docx": ("canevas.docx", zip_bomb, "archive_too_large"),
    "elf-binary": ("canevas.pdf", elf_binary, "bad_type"),
    "empty": ("canevas.pdf", lambda: b"", "empty"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_malformed_file_is_refused_in_french_and_nothing_is_stored(case, note_and_user):
    note, user = note_and_user
    name, build, code = REFUSALS[case]
    content = build()
    files_before, events_before = StoredFile.objects.count(), AuditEvent.objects.count()

    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        upload(note, user, name, content)

    assert refused.value.code == code
    with translation.override("fr"):
        message = " ".join(refused.value.messages)
    assert message.strip()
    assert StoredFile.objects.count() == files_before
    assert private_files() == []
    assert not Canvas.objects.filter(note=note).exists()
    assert AuditEvent.objects.count() == events_before


def test_a_file_over_the_calls_limit_is_refused(note_and_user):
    note, user = note_and_user
    call = note.collective.call
    call.upload_max_mb = 1
    call.save(update_fields=["upload_max_mb"])
    big_png = image("PNG", size=(700, 600), noise=True)  # a real PNG, noise does not compress
    assert 1.15 * MB < len(big_png) < 1.3 * MB

    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        upload(note, user, "grand.png", big_png, content_type="image/png")

    assert refused.value.code == "too_large"
    with translation.override("fr"):
        message = refused.value.messages[0]
    assert "volumineux" in message  # this string is in the French catalogue
    assert "1,0" in message or "1.0" in message  # the limit of the call, not the default
    assert StoredFile.objects.count() == 0
    assert private_files() == []


def test_the_same_file_passes_under_the_default_limit(note_and_user):
    note, user = note_and_user
    canvas = upload(note, user, "grand.png", image("PNG", size=(700, 600), noise=True))
    assert canvas.file.content_type == "image/png"


def test_a_refused_upload_keeps_the_previous_canvas(note_and_user):
    note, user = note_and_user
    first = upload(note, user, "equipe.pdf", real_pdf())
    with pytest.raises(ValidationError):
        upload(note, user, "equipe.pdf", windows_exe())
    canvas = Canvas.objects.get(note=note, kind=CanvasKind.TEAM)
    assert canvas.file_id == first.file_id
    assert StoredFile.objects.count() == 1


def test_a_filed_note_takes_no_upload(note_and_user):
    from applications.models import NoteStatus, OpportunityNote

    note, user = note_and_user
    OpportunityNote.objects.filter(pk=note.pk).update(status=NoteStatus.SUBMITTED)
    with pytest.raises(ApplicationError):
        upload(note, user, "equipe.pdf", real_pdf())
    assert StoredFile.objects.count() == 0


# --- Accepted files ---------------------------------------------------------------------------

ACCEPTED = {
    "pdf": ("equipe.pdf", real_pdf, "application/pdf", "pdf"),
    "hand-built pdf": ("equipe.pdf", hand_built_pdf, "application/pdf", "pdf"),
    "png": ("equipe.png", lambda: image("PNG"), "image/png", "png"),
    "jpeg": ("equipe.jpeg", lambda: image("JPEG"), "image/jpeg", "jpg"),
    "docx": ("equipe.docx", docx,
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "odt": ("equipe.odt", odt, "application/vnd.oasis.opendocument.text", "odt"),
}


@pytest.mark.parametrize("case", list(ACCEPTED))
def test_real_documents_are_accepted_and_kept_privately(case, note_and_user, client):
    note, user = note_and_user
    name, build, mime, extension = ACCEPTED[case]
    content = build()

    canvas = upload(note, user, name, content, kind=CanvasKind.BUSINESS_MODEL)

    canvas.refresh_from_db()
    assert canvas.mode == Canvas.Mode.UPLOAD
    stored = canvas.file
    assert stored.content_type == mime
    assert stored.original_name == f"equipe.{extension}"
    assert stored.size == len(content)
    assert stored.owner == note.collective
    assert stored.created_by == user
    with open_stored(stored) as handle:
        assert handle.read() == content
    # Kept in the private storage, which no URL serves: only the permission-checked view.
    assert private_files() == [storages["private"].path(stored.storage_name)]
    client.force_login(user)
    assert client.get("/" + stored.storage_name).status_code == 404
    assert client.get(storages["private"].url(stored.storage_name)).status_code == 404
    event = AuditEvent.objects.for_object(note).get(action="canvas.uploaded")
    assert event.data["sha256"] == stored.sha256


@pytest.mark.parametrize(("sent", "content", "expected"), [
    ("../../etc/passwd.pdf", "pdf", "passwd.pdf"),
    ("C:\\Users\\Zoé\\Bureau\\canvas équipe.pdf", "pdf", "canvas-equipe.pdf"),
    ("Modèle économique\x00\x1b[31m.pdf", "pdf", "Modele-economique-31m.pdf"),
    ("Équipe\r\nContent-Disposition: x.pdf", "pdf", "Equipe-Content-Disposition-x.pdf"),
    ("\x00\x01 .pdf", "pdf", "document.pdf"),
    ("photo-de-l'équipe.pdf", "png", "photo-de-l-equipe.png"),  # the content decides
    ("canevas.exe", "jpeg", "canevas.jpg"),
])
def test_stored_name_is_sanitised_and_follows_the_content(sent, content, expected,
                                                          note_and_user):
    note, user = note_and_user
    data = {"pdf": real_pdf, "png": lambda: image("PNG"), "jpeg": lambda: image("JPEG")}[content]()
    canvas = upload(note, user, sent, data)
    name = canvas.file.original_name
    assert name == expected
    assert "/" not in name and "\\" not in name
    assert all(32 < ord(ch) < 127 for ch in name)
