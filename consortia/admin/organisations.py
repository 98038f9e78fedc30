"""Admin of organisations (officers): proofs of digitalisation, members."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from connaissance.audit.services import record
from connaissance.territories.models import Departement

from ..models import (
    DigitalProof,
    Membership,
    Organisation,
    OrganisationKind,
    ProofStatus,
)
from ..services import organisations as organisation_services
from .common import in_several_collectives_of_a_call


class DigitalProofInline(admin.StackedInline):
    model = DigitalProof
    fields = readonly_fields = ["status", "digital_offer", "since", "learner_count", "links",
                                "document_link", "verified_by", "verified_at", "updated_at"]
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation", "verified_by")

    @admin.display(description=_("document"))
    def document_link(self, proof):
        if not proof.document_id:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("files:download",
                                                          args=[proof.document_id]),
                           _("Download"))


class MembershipInline(admin.TabularInline):
    """Officers may only change a member's role (e.g. when the last administrator left)."""

    model = Membership
    fields = ["user", "user_email", "role", "created_at"]
    readonly_fields = ["user", "user_email", "created_at"]
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # the row's title is str(membership): user and organisation
        return super().get_queryset(request).select_related("user", "organisation")

    @admin.display(description=_("e-mail address"))
    def user_email(self, membership):
        return membership.user.email


class ProofStatusFilter(admin.SimpleListFilter):
    title = _("proof of digitalisation")
    parameter_name = "proof"

    def lookups(self, request, model_admin):
        return [*ProofStatus.choices, ("missing", _("training body without proof"))]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(kind=OrganisationKind.TRAINING_BODY,
                                   digital_proof__isnull=True)
        if self.value() in ProofStatus.values:
            return queryset.filter(digital_proof__status=self.value())
        return queryset


class DepartementFilter(admin.SimpleListFilter):
    title = _("département")
    parameter_name = "departement"

    def lookups(self, request, model_admin):
        return [*((d.code, str(d)) for d in Departement.objects.all()),
                ("outside", _("outside Hauts-de-France"))]

    def queryset(self, request, queryset):
        if self.value() == "outside":
            return queryset.filter(commune__isnull=True)
        if self.value():
            return queryset.filter(commune__departement=self.value())
        return queryset


class SeveralCollectivesFilter(admin.SimpleListFilter):
    title = _("in several collectives of the same call")
    parameter_name = "several"

    def lookups(self, request, model_admin):
        return [("yes", _("yes")), ("no", _("no"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(in_several=self.value() == "yes")
        return queryset


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Organisations are maintained by their administrators on the portal; officers verify the
    proof of digitalisation and may fix a member's role."""

    list_display = ["legal_name", "siret_formatted", "kind", "commune", "proof_status",
                    "in_directory", "several_collectives"]
    list_filter = ["kind", ProofStatusFilter, DepartementFilter, SeveralCollectivesFilter,
                   "in_directory"]
    search_fields = ["legal_name", "siret"]
    fieldsets = [
        (None, {"fields": ["legal_name", "siret_formatted", "kind", "website", "created_by",
                           "created_at"]}),
        (_("Address"), {"fields": ["address", "commune", "postcode", "town"]}),
        (_("Training body"), {"fields": ["nda", "qualiopi"]}),
        (_("Partner directory"), {"fields": ["in_directory", "directory_pitch"]}),
    ]
    readonly_fields = ["legal_name", "siret_formatted", "kind", "website", "created_by",
                       "created_at", "address", "commune", "postcode", "town", "nda",
                       "qualiopi", "in_directory", "directory_pitch"]
    inlines = [DigitalProofInline, MembershipInline]
    actions = ["verify_proofs"]

    def get_queryset(self, request):
        return (super().get_queryset(request)
                .select_related("commune", "digital_proof", "created_by")
                .annotate(in_several=in_several_collectives_of_a_call()))

    def get_search_results(self, request, queryset, search_term):
        compact = "".join(search_term.split())
        if compact.isdigit():  # a SIRET typed with spaces, as printed on a Kbis
            search_term = compact
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("SIRET"), ordering="siret")
    def siret_formatted(self, organisation):
        return organisation.siret_display

    @admin.display(description=_("proof of digitalisation"), ordering="digital_proof__status")
    def proof_status(self, organisation):
        try:
            return organisation.digital_proof.get_status_display()
        except DigitalProof.DoesNotExist:
            return _("missing") if organisation.is_training_body else "—"

    @admin.display(description=_("in several collectives of the same call"), boolean=True,
                   ordering="in_several")
    def several_collectives(self, organisation):
        return organisation.in_several

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        changed = [(f.instance, f.initial.get("role"), f.cleaned_data.get("role"))
                   for f in formset.forms if f.instance.pk and "role" in f.changed_data]
        saved = formset.save()
        for membership, before, after in changed:
            record(actor=request.user, obj=membership.organisation, action="membership.role",
                   from_state=before, to_state=after, data={"user": membership.user_id})
        return saved

    @admin.action(description=_("Mark the proof of digitalisation as verified"),
                  permissions=["change"])
    def verify_proofs(self, request, queryset):
        proofs = (DigitalProof.objects.filter(organisation__in=queryset)
                  .exclude(status=ProofStatus.VERIFIED).select_related("organisation"))
        done = 0
        for proof in proofs:
            organisation_services.verify_digital_proof(officer=request.user, proof=proof)
            done += 1
        if done:
            self.message_user(request, ngettext(
                "%d proof of digitalisation marked as verified.",
                "%d proofs of digitalisation marked as verified.", done) % done,
                messages.SUCCESS)
        missing = queryset.filter(digital_proof__isnull=True).count()
        if missing:
            self.message_user(request, ngettext(
                "%d organisation has no proof of digitalisation to verify.",
                "%d organisations have no proof of digitalisation to verify.", missing)
                % missing, messages.WARNING)


# --- Collectives ---------------------------------------------------------------------------
