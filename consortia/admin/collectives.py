"""Admin of collectives (officers): participations, membership locks."""

from django.contrib import admin, messages
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from connaissance.audit.services import record
from connaissance.ui.admin_readonly import ReadOnlyMixin

from ..models import (
    Collective,
    MembershipLock,
    Participation,
    ParticipationRole,
    ParticipationStatus,
)
from ..services import collectives as collective_services

CONFIRMED = ParticipationStatus.CONFIRMED


class ParticipationInline(ReadOnlyMixin, admin.TabularInline):
    model = Participation
    fields = readonly_fields = ["organisation", "kind", "role", "status", "role_in_project",
                                "confirmed_at", "elsewhere_in_call"]
    extra = 0

    def get_queryset(self, request):
        elsewhere = (Participation.objects
                     .filter(organisation=OuterRef("organisation"), status=CONFIRMED,
                             collective__call=OuterRef("collective__call"))
                     .exclude(collective=OuterRef("collective")))
        # the row's title is str(participation): organisation and collective
        return (super().get_queryset(request).select_related("organisation", "collective")
                .annotate(elsewhere=Exists(elsewhere)))

    @admin.display(description=_("kind"))
    def kind(self, participation):
        return participation.organisation.get_kind_display()

    @admin.display(description=_("also in another collective of this call"), boolean=True)
    def elsewhere_in_call(self, participation):
        return participation.elsewhere


@admin.register(Collective)
class CollectiveAdmin(admin.ModelAdmin):
    list_display = ["name", "call", "lead", "partner_count", "membership_locked",
                    "locked_now"]
    list_filter = ["call", "membership_locked"]
    search_fields = ["name", "participations__organisation__legal_name"]
    fields = ["call", "name", "description", "territory", "epcis", "created_by", "created_at",
              "membership_locked"]
    readonly_fields = ["call", "name", "description", "territory", "epcis", "created_by",
                       "created_at"]
    inlines = [ParticipationInline]
    actions = ["lock_membership", "unlock_membership"]

    def get_queryset(self, request):
        lead = Participation.objects.filter(collective=OuterRef("pk"),
                                            role=ParticipationRole.LEAD)
        return (super().get_queryset(request)
                .select_related("call__membership_lock", "created_by")
                .prefetch_related("call__phases")
                .annotate(lead_name=Subquery(lead.values("organisation__legal_name")[:1]),
                          partners=Count("participations", filter=Q(
                              participations__role=ParticipationRole.PARTNER,
                              participations__status=CONFIRMED), distinct=True)))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("lead"), ordering="lead_name")
    def lead(self, collective):
        return collective.lead_name or "—"

    @admin.display(description=_("confirmed partners"), ordering="partners")
    def partner_count(self, collective):
        return collective.partners

    @admin.display(description=_("composition locked now"), boolean=True)
    def locked_now(self, collective):
        return collective_services.membership_locked(collective)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "membership_locked" in form.changed_data:
            self._record_lock(request, obj)

    def _record_lock(self, request, collective):
        locked = collective.membership_locked
        record(actor=request.user, obj=collective,
               action="collective.membership_locked" if locked
               else "collective.membership_unlocked",
               from_state="unlocked" if locked else "locked",
               to_state="locked" if locked else "unlocked")

    def _set_lock(self, request, queryset, locked):
        changed = 0
        for collective in queryset.filter(membership_locked=not locked):
            collective.membership_locked = locked
            collective.save(update_fields=["membership_locked"])
            self._record_lock(request, collective)
            changed += 1
        self.message_user(request, ngettext("%d collective changed.", "%d collectives changed.",
                                            changed) % changed, messages.SUCCESS)

    @admin.action(description=_("Lock the membership of the selected collectives"),
                  permissions=["change"])
    def lock_membership(self, request, queryset):
        self._set_lock(request, queryset, True)

    @admin.action(description=_("Unlock the membership of the selected collectives"),
                  permissions=["change"])
    def unlock_membership(self, request, queryset):
        self._set_lock(request, queryset, False)


@admin.register(MembershipLock)
class MembershipLockAdmin(admin.ModelAdmin):
    list_display = ["call", "after_phase"]
    list_select_related = ["call"]
    fields = ["call", "after_phase"]

    def get_readonly_fields(self, request, obj=None):
        return ["call"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        before = form.initial.get("after_phase", "") if change else ""
        super().save_model(request, obj, form, change)
        record(actor=request.user, obj=obj.call, action="membership_lock.set",
               from_state=before, to_state=obj.after_phase)


# --- Read-only lists -----------------------------------------------------------------------
