"""Render a Django template to a PDF with WeasyPrint (fonts embedded, French by default)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(template_name: str, context: dict, *, language: str | None = None) -> bytes:
    """Return the PDF bytes of `template_name`, which should extend `pdf/base.html`.

    Fonts are subset and embedded by WeasyPrint; static files resolve from STATIC_ROOT or
    the project's static folder.
    """
    from weasyprint import HTML

    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        html = render_to_string(template_name, context)
    base_url = str(settings.BASE_DIR / "static") + "/"
    return HTML(string=html, base_url=base_url).write_pdf()
