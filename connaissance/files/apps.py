from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "connaissance.files"
    label = "files"
