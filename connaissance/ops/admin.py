from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from connaissance.accounts.roles import is_officer
from connaissance.ui.admin_readonly import OfficersOnlyMixin, ReadOnlyMixin

from .models import Heartbeat, JobRun
from .schedule import scheduled_jobs
from .services import beat_status


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "at"]

    def has_add_permission(self, request):
        return False


@admin.register(JobRun)
class JobRunAdmin(OfficersOnlyMixin, ReadOnlyMixin, admin.ModelAdmin):
    """The runs of the periodic jobs (read only) and the page of the beat schedule; both for
    Region officers only."""

    list_display = ["name", "started_at", "finished_at", "outcome", "summary"]
    list_filter = ["outcome", "name"]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in JobRun._meta.fields]

    def get_urls(self):
        return [path("schedule/", self.admin_site.admin_view(self.schedule_view),
                     name="ops_jobrun_schedule"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "schedule_url": reverse("admin:ops_jobrun_schedule")}
        return super().changelist_view(request, extra_context)

    def schedule_view(self, request):
        if not is_officer(request.user):
            raise PermissionDenied
        return TemplateResponse(request, "admin/ops/jobrun/schedule.html", {
            **self.admin_site.each_context(request),
            "title": _("Schedule of the background jobs"),
            "opts": self.model._meta,
            "jobs": scheduled_jobs(),
            "beat": beat_status(),
            "timezone": settings.CELERY_TIMEZONE,
            "runs_url": reverse("admin:ops_jobrun_changelist"),
        })
