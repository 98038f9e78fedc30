"""The calendar PDF of the 2023 call: one page, French text and money, fonts embedded."""

import io
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from calls.presenters import timeline
from connaissance.pdf.rendering import render_pdf

pytestmark = pytest.mark.django_db
PNG_PREVIEW = Path("/tmp/connaissance-calendar-2023.png")


@pytest.fixture
def calendar_pdf(call_2023):
    now = timezone.now()
    return render_pdf("calls/calendar_pdf.html", {
        "call": call_2023, "timeline": timeline(call_2023, now), "generated_at": now,
    }, language="fr")


def plain(text: str) -> str:
    """Extracted text with its no-break spaces as plain spaces, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u202f", " ").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text)


def test_one_page_pdf_that_parses(calendar_pdf):
    assert calendar_pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(calendar_pdf), strict=True)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (
        210, 297)  # A4


def test_text_in_french_with_formatted_money_and_dates(calendar_pdf):
    text = plain(PdfReader(io.BytesIO(calendar_pdf)).pages[0].extract_text())
    assert "Connaissance Hauts-de-France" in text
    assert "3 900 000,00 €" in text
    assert "100 000,00 €" in text and "400 000,00 €" in text
    assert "70 % – 80 %" in text
    assert "juin 2023" in text and "septembre 2023" in text
    assert "13 février 2023" in text  # publication: Django's French month names
    assert "30 juin 2026" in text  # end of eligibility
    assert "Dépôt des demandes en continu." in text
    assert "Benoit.LEWYLLIE@hautsdefrance.fr" in text
    assert "23 h 59" in text
    assert re.search(r"\b1 / 1\b", text), "page footer"


def font_files(reader):
    """(font name, embedded font-file key) of every font of every page."""
    found = []
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            targets = [d.get_object() for d in descendants] if descendants else [font]
            for target in targets:
                descriptor = target.get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor else {}
                keys = [k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor]
                found.append((str(target.get("/BaseFont")), keys))
    return found


def test_fonts_are_embedded(calendar_pdf):
    fonts = font_files(PdfReader(io.BytesIO(calendar_pdf)))
    assert fonts
    assert all(keys for _, keys in fonts), fonts
    assert any("DejaVu-Sans" in name for name, _ in fonts), fonts


def test_png_preview(calendar_pdf, tmp_path):
    """pdftoppm (poppler) renders it: what an officer's viewer will show."""
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "poppler-utils is not installed (make test installs it)"
    source = tmp_path / "calendrier.pdf"
    source.write_bytes(calendar_pdf)
    subprocess.run([pdftoppm, "-png", "-r", "60", "-singlefile", str(source),
                    str(PNG_PREVIEW.with_suffix(""))], check=True, timeout=60)
    header = PNG_PREVIEW.read_bytes()[:24]
    assert header.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
    assert abs(width - 496) <= 1 and abs(height - 702) <= 1  # A4 at 60 dpi
