"""Reference data of Hauts-de-France: départements, EPCI and communes with their INSEE codes.

Loaded by a migration from the committed fixture (Etalab's administrative boundaries, see
fixtures/SOURCE.md); read-only for everyone.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Departement(models.Model):
    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    """An intercommunal body (établissement public de coopération intercommunale)."""

    code = models.CharField(_("SIREN"), max_length=9, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, help_text="CC, CA, CU, METRO")

    class Meta:
        verbose_name = _("EPCI")
        verbose_name_plural = _("EPCI")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Commune(models.Model):
    code = models.CharField(_("INSEE code"), max_length=5, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    # Lower-case ASCII form of the name, for accent-insensitive search on any database.
    search_name = models.CharField(max_length=100, db_index=True, editable=False)
    postcodes = models.JSONField(_("postcodes"), default=list)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT,
                                    related_name="communes", verbose_name=_("département"))
    epci = models.ForeignKey(Epci, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="communes", verbose_name=_("EPCI"))
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["search_name", "code"]

    def __str__(self):
        postcode = self.postcodes[0] if self.postcodes else self.departement_id
        return f"{self.name} ({postcode})"
