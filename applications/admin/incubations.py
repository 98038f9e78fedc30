"""Incubation of the pre-selected collectives, for the Compagnie des tiers-lieux staff.

Their group sees only incubations of pre-selected notes, with who the collective is and how to
reach it; never a score, a decision, an officer's message or a link to the notes' admin.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from connaissance.accounts.roles import Role
from consortia.models import MemberRole, Membership, Participation, ParticipationRole

from ..models import Incubation, IncubationMilestone, IncubationSession, NoteStatus
from .common import lead_name


class SessionInline(admin.TabularInline):
    model = IncubationSession
    fields = ["date", "format", "notes", "shared"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("incubation__note__collective")


class MilestoneInline(admin.TabularInline):
    model = IncubationMilestone
    fields = ["title", "due", "done"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("incubation__note__collective")


@admin.register(Incubation)
class IncubationAdmin(admin.ModelAdmin):
    list_display = ["collective", "lead", "territory", "status", "coach", "updated_at"]
    list_filter = ["status", "note__collective__call"]
    search_fields = ["note__collective__name"]
    fieldsets = [
        (_("Collective"), {"fields": ["collective", "lead", "territory", "project_territory",
                                     "contact"]}),
        (_("Incubation"), {"fields": ["needs", "status", "coach"]}),
    ]
    readonly_fields = ["collective", "lead", "territory", "project_territory", "contact"]
    inlines = [SessionInline, MilestoneInline]

    def get_queryset(self, request):
        return (super().get_queryset(request)
                .filter(note__status=NoteStatus.PRESELECTED)
                .select_related("note__collective__call", "coach")
                .annotate(lead_name=lead_name("note__collective")))

    def has_add_permission(self, request):
        return False  # created by the pre-selection (services.decisions.decide_note)

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "coach":
            kwargs["queryset"] = get_user_model().objects.filter(
                groups__name=Role.TIERS_LIEUX_STAFF.value, is_active=True).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("collective"), ordering="note__collective__name")
    def collective(self, incubation):
        return incubation.note.collective.name

    @admin.display(description=_("lead"), ordering="lead_name")
    def lead(self, incubation):
        return incubation.lead_name or "—"

    @admin.display(description=_("territory"))
    def territory(self, incubation):
        return incubation.note.collective.territory

    @admin.display(description=_("territory of the project"))
    def project_territory(self, incubation):
        note = incubation.note
        places = [*(str(e) for e in note.epcis.all()), *(str(c) for c in note.communes.all())]
        return "; ".join(filter(None, [", ".join(places), note.territory_precision])) or "—"

    @admin.display(description=_("contact"))
    def contact(self, incubation):
        """The lead's administrators: whom the coach writes to."""
        lead = Participation.objects.filter(collective=incubation.note.collective_id,
                                            role=ParticipationRole.LEAD)
        people = (Membership.objects
                  .filter(organisation__in=lead.values("organisation"), role=MemberRole.ADMIN)
                  .select_related("user").order_by("user__last_name", "user__email"))
        if not people:
            return "—"
        return format_html_join(
            ", ", '{} <a href="mailto:{}">{}</a>',
            ((m.user.get_full_name(), m.user.email, m.user.email) for m in people))
