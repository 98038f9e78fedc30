from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "connaissance.mail"
    label = "mail"
