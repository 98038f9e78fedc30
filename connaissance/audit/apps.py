from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "connaissance.audit"
    label = "audit"
