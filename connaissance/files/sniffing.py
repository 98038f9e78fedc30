"""Recognise a file's type by its content (magic bytes), never by its name."""

import io
import zipfile

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg", ODT: "odt", ODS: "ods", ODP: "odp",
              DOCX: "docx", XLSX: "xlsx", PPTX: "pptx"}
DOCUMENT_TYPES = frozenset(EXTENSIONS)

# Bound on what an Office or OpenDocument archive may expand to (zip bombs).
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024

_OOXML_MAIN = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
_ODF_TYPES = {ODT, ODS, ODP}


class UnrecognisedContent(ValueError):
    """The content is not of a recognised document type (or lies about it)."""


def sniff(head: bytes, fileobj=None) -> str:
    """Return the MIME type that the bytes prove, or raise UnrecognisedContent."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04") and fileobj is not None:
        return _sniff_zip_document(fileobj)
    raise UnrecognisedContent("unknown")


def _sniff_zip_document(fileobj) -> str:
    fileobj.seek(0)
    try:
        archive = zipfile.ZipFile(fileobj)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnrecognisedContent("broken-archive") from exc
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
        raise UnrecognisedContent("archive-too-large")
    names = {info.filename for info in infos}
    if any(_is_macro_part(name) for name in names):
        raise UnrecognisedContent("macros")
    if "mimetype" in names:
        declared = archive.read("mimetype").decode("ascii", "replace").strip()
        if declared in _ODF_TYPES and "content.xml" in names:
            return declared
        raise UnrecognisedContent("archive")
    if "[Content_Types].xml" in names:
        for prefix, mime in _OOXML_MAIN.items():
            if any(name.startswith(prefix) for name in names):
                return mime
    raise UnrecognisedContent("archive")


def _is_macro_part(name: str) -> bool:
    """Office macros (vbaProject.bin) or OpenDocument Basic/script folders."""
    return (name.rsplit("/", 1)[-1].lower() == "vbaproject.bin"
            or name.startswith(("Basic/", "Scripts/")))


# Pages whose content streams are decoded to prove the PDF is whole.
PDF_PAGES_CHECKED = 50


def pdf_parses(fileobj) -> bool:
    """The PDF opens, has pages, and the content of its (first) pages can be read: a PDF cut
    short, or one whose pages point to missing objects, does not pass."""
    from pypdf import PdfReader

    fileobj.seek(0)
    try:
        reader = PdfReader(io.BytesIO(fileobj.read()), strict=False)
        if len(reader.pages) == 0:
            return False
        for page in reader.pages[:PDF_PAGES_CHECKED]:
            page.mediabox  # noqa: B018 - reading it is the check
            if "/Contents" in page:
                contents = page.get_contents()
                if contents is None:
                    return False
                contents.get_data()
        return True
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on damaged files: all refuse
        return False
