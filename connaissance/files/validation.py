"""The upload validator: size, type proved by content, a PDF that parses."""

import os
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from . import sniffing


def safe_file_name(name: str, mime: str) -> str:
    """A name safe to show and to offer for download, with the extension the content proves."""
    # Both separators: a browser on Windows may send "C:\\Users\\...\\canvas.pdf".
    stem = os.path.splitext(re.split(r"[\\/]", name or "")[-1])[0]
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")[:80] or "document"
    return f"{stem}.{sniffing.EXTENSIONS.get(mime, 'bin')}"


def validate_upload(uploaded, *, allowed=sniffing.DOCUMENT_TYPES, max_bytes=None) -> str:
    """Check an uploaded file; return its proved MIME type or raise a French ValidationError."""
    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    uploaded.seek(0)
    head = uploaded.read(16)
    try:
        mime = sniffing.sniff(head, uploaded)
    except sniffing.UnrecognisedContent as exc:
        if str(exc) == "archive-too-large":
            raise ValidationError(
                _("This document expands to more than 100 MB once uncompressed; it is refused."),
                code="archive_too_large",
            ) from exc
        raise ValidationError(
            _("This file type is not accepted. Accepted: PDF, PNG, JPEG, OpenDocument or "
              "Office documents (the content is checked, not the name)."),
            code="bad_type",
        ) from exc
    finally:
        uploaded.seek(0)
    if mime not in allowed:
        raise ValidationError(_("This file type is not accepted here."), code="not_allowed")
    if mime == sniffing.PDF and not sniffing.pdf_parses(uploaded):
        uploaded.seek(0)
        raise ValidationError(
            _("This PDF cannot be read (damaged or incomplete). Please export it again."),
            code="bad_pdf",
        )
    uploaded.seek(0)
    return mime
