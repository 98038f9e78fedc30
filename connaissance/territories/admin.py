"""Reference data, loaded by a migration: the admin only shows it."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .models import Commune, Departement, Epci
from .services import normalise


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Departement)
class DepartementAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "commune_count"]
    search_fields = ["code", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(commune_count=Count("communes"))

    @admin.display(description=_("communes"), ordering="commune_count")
    def commune_count(self, obj):
        return obj.commune_count


class EpciDepartementFilter(admin.SimpleListFilter):
    title = _("département")
    parameter_name = "departement"

    def lookups(self, request, model_admin):
        return [(d.code, str(d)) for d in Departement.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                code__in=Commune.objects.filter(departement=self.value()).values("epci")
            )
        return queryset


@admin.register(Epci)
class EpciAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "kind", "commune_count"]
    list_filter = ["kind", EpciDepartementFilter]
    search_fields = ["name", "code"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(commune_count=Count("communes"))

    @admin.display(description=_("communes"), ordering="commune_count")
    def commune_count(self, obj):
        return obj.commune_count


@admin.register(Commune)
class CommuneAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "postcode_list", "departement", "epci", "population"]
    list_filter = ["departement", "epci__kind"]
    list_select_related = ["departement", "epci"]
    search_fields = ["name", "code", "postcodes"]
    search_help_text = _("Name (with or without accents), INSEE code or postcode.")
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = normalise(search_term)
        if term:  # "Bethune", "villeneuve d'ascq": the accent-free, punctuation-free form
            found |= queryset.filter(search_name__contains=term)
        return found, may_have_duplicates

    @admin.display(description=_("postcodes"))
    def postcode_list(self, obj):
        return ", ".join(obj.postcodes)
