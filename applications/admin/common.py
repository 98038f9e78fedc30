"""Shared pieces of the applications admin: annotations and territory filters."""

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from calls.models import LowSupplyTerritory
from connaissance.territories.models import Departement, Epci
from consortia.models import Participation, ParticipationRole

from ..models import OpportunityNote

NoteEpci = OpportunityNote.epcis.through
NoteCommune = OpportunityNote.communes.through


def lead_name(collective_path="collective"):
    """The legal name of the collective's lead organisation, as one correlated subquery."""
    lead = Participation.objects.filter(collective=OuterRef(collective_path),
                                        role=ParticipationRole.LEAD)
    return Subquery(lead.values("organisation__legal_name")[:1])


def low_supply_flag():
    """True when one of the note's EPCI or communes (or a commune's EPCI) is flagged by the
    officers as a low-training-supply territory of the note's call (live, not as filed)."""
    epcis = NoteEpci.objects.filter(opportunitynote=OuterRef(OuterRef("pk")))
    communes = NoteCommune.objects.filter(opportunitynote=OuterRef(OuterRef("pk")))
    return Exists(LowSupplyTerritory.objects.filter(call=OuterRef("collective__call")).filter(
        Q(epci__in=epcis.values("epci")) | Q(commune__in=communes.values("commune"))
        | Q(epci__in=communes.values("commune__epci"))))


class EpciFilter(admin.SimpleListFilter):
    title = _("EPCI")
    parameter_name = "epci"

    def lookups(self, request, model_admin):
        """The EPCI some note names, directly or through one of its communes."""
        used = Epci.objects.filter(
            Q(pk__in=NoteEpci.objects.values("epci"))
            | Q(pk__in=NoteCommune.objects.values("commune__epci"))).order_by("name")
        return [(e.code, e.name) for e in used]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(
            Q(pk__in=NoteEpci.objects.filter(epci=self.value()).values("opportunitynote"))
            | Q(pk__in=NoteCommune.objects.filter(commune__epci=self.value())
                .values("opportunitynote")))


class DepartementFilter(admin.SimpleListFilter):
    title = _("département")
    parameter_name = "departement"

    def lookups(self, request, model_admin):
        return [(d.code, str(d)) for d in Departement.objects.all()]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(
            Q(pk__in=NoteCommune.objects.filter(commune__departement=self.value())
              .values("opportunitynote"))
            | Q(pk__in=NoteEpci.objects.filter(epci__communes__departement=self.value())
                .values("opportunitynote")))
