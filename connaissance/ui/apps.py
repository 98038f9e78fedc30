from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "connaissance.ui"
    label = "ui"
