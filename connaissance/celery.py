"""The Celery application: worker and beat read their settings from Django's (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connaissance.settings")

app = Celery("connaissance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
