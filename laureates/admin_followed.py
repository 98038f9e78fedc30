"""The projects of the collectives they incubated, for the Compagnie des tiers-lieux staff: a
read-only list without any amount, each leading to the project page (shown to them without
money, see `rules`)."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from applications.models import Incubation, IncubationStatus
from applications.rules import is_tiers_lieux_staff
from connaissance.ui.admin_readonly import ReadOnlyMixin

from . import services
from .models import FollowedProject
from .transparency import lead_field

FLAGS = {services.END_AFTER_ELIGIBILITY: _("ends after the end of eligibility"),
         services.END_CLOSE_TO_ELIGIBILITY: _("ends close to the end of eligibility")}


@admin.register(FollowedProject)
class FollowedProjectAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["collective_name", "lead", "call", "status", "convention_status",
                    "end_date", "flag", "page"]
    list_display_links = None
    list_filter = ["status", "collective__call"]
    search_fields = ["collective__name", "title"]

    def has_module_permission(self, request):
        return is_tiers_lieux_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return is_tiers_lieux_staff(request.user)

    def get_queryset(self, request):
        incubated = Incubation.objects.exclude(status=IncubationStatus.NOT_NEEDED).values(
            "note__collective")
        return (super().get_queryset(request).filter(collective__in=incubated)
                .select_related("collective__call")
                .annotate(lead_name=lead_field("collective", "legal_name")))

    @admin.display(description=_("collective"), ordering="collective__name")
    def collective_name(self, project):
        return project.collective.name

    @admin.display(description=_("lead"), ordering="lead_name")
    def lead(self, project):
        return project.lead_name or "—"

    @admin.display(description=_("call"))
    def call(self, project):
        return project.collective.call.title

    @admin.display(description=_("end date"))
    def flag(self, project):
        flag = services.eligibility_flag(project)
        return FLAGS[flag] if flag else "—"

    @admin.display(description=_("project page"))
    def page(self, project):
        return format_html('<a href="{}">{}</a>', project.get_absolute_url(), project.title)
