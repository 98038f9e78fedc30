from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time a periodic process proved it was alive (one row per process name)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    at = models.DateTimeField(_("last tick"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        from connaissance.formatting import to_paris

        return f"{self.name} @ {to_paris(self.at):%Y-%m-%d %H:%M:%S}"


class JobOutcome(models.TextChoices):
    RUNNING = "running", _("running")
    OK = "ok", _("ok")
    FAILED = "failed", _("failed")


class JobRun(models.Model):
    """One run of a periodic job (a Celery task started by beat): when, how it ended, a short
    summary of what it did (counts) and, on failure, the error."""

    name = models.CharField(_("job"), max_length=150, db_index=True)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=JobOutcome.choices,
                               default=JobOutcome.RUNNING)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["name", "-started_at"], name="jobrun_name_started")]

    def __str__(self):
        from connaissance.formatting import to_paris

        return f"{self.name} @ {to_paris(self.started_at):%Y-%m-%d %H:%M:%S}"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None
