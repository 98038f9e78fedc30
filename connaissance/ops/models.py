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
