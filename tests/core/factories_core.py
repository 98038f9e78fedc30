"""Factories and file builders for the cross-cutting services (audit, mail, files, ops).

tests/factories.py belongs to the domain apps; these live next to the tests that use them.
"""

import io
import zipfile

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from connaissance.mail.models import OutgoingMail
from connaissance.ops.models import Heartbeat
from connaissance.ops.services import BEAT


class OutgoingMailFactory(factory.django.DjangoModelFactory):
    """A row of the outbox, as queue_mail writes it (without scheduling a delivery)."""

    class Meta:
        model = OutgoingMail

    to = factory.Sequence(lambda n: [f"destinataire{n}@example.org"])
    subject = factory.Sequence(lambda n: f"Avis n° {n} : réception de votre dossier")
    body_text = "Bonjour,\n\nVotre dossier a bien été reçu.\n"
    body_html = ""
    cause = "tests"


class HeartbeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Heartbeat
        django_get_or_create = ("name",)

    name = BEAT
    at = factory.LazyFunction(timezone.now)


def stored_file(*, content=None, name="piece.pdf", owner=None, created_by=None):
    """A StoredFile kept through the real service (the private storage), a PDF by default."""
    from connaissance.files.services import store_generated

    content = minimal_pdf() if content is None else content
    mime = "application/pdf" if content.startswith(b"%PDF-") else "application/octet-stream"
    return store_generated(content=content, name=name, mime=mime, owner=owner,
                           created_by=created_by)


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


_PDF_CACHE = {}


def minimal_pdf(text="Pièce justificative") -> bytes:
    """A real one-page PDF, produced by WeasyPrint."""
    if text not in _PDF_CACHE:
        from weasyprint import HTML

        _PDF_CACHE[text] = HTML(
            string=f"<html lang='fr'><body><p>{text}</p></body></html>"
        ).write_pdf()
    return _PDF_CACHE[text]


def docx_like() -> bytes:
    """The smallest OOXML word-processing package: [Content_Types].xml and word/document.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Budget prévisionnel</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "pas un document bureautique")
        archive.writestr("photos/readme.md", "# rien")
    return buffer.getvalue()


def windows_executable() -> bytes:
    """The start of a PE file: the MZ (DOS) header, its stub, then the PE signature."""
    dos_header = bytearray(64)
    dos_header[0:2] = b"MZ"
    dos_header[60:64] = (64 + 64).to_bytes(4, "little")  # e_lfanew: where the PE header is
    stub = b"This program cannot be run in DOS mode.\r\r\n$".ljust(64, b"\x00")
    return bytes(dos_header) + stub + b"PE\x00\x00" + b"\x4c\x01" + bytes(400)


def svg_with_script() -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
    )
