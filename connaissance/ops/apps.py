from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "connaissance.ops"
    label = "ops"
