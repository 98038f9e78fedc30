from django.apps import AppConfig


class PdfConfig(AppConfig):
    name = "connaissance.pdf"
    label = "pdf"
