"""The full dossier of a pre-selected collective: sections saved as drafts, budget lines,
partner commitments, attachments and correction rounds."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .notes import MONEY, FiledRecord


class DossierStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("filed")
    CORRECTION = "correction", _("correction requested")
    ADMISSIBLE = "admissible", _("admissible")
    INADMISSIBLE = "inadmissible", _("inadmissible")
    UNDER_EVALUATION = "under_evaluation", _("under examination")
    SELECTED = "selected", _("selected")
    REJECTED = "rejected", _("not selected")
    WAITLISTED = "waitlisted", _("waiting list")
    WITHDRAWN = "withdrawn", _("withdrawn")
    EXPIRED = "expired", _("not filed")


class SectionCode(models.TextChoices):
    COLLECTIVE = "collective", _("Collective")
    PROJECT = "project", _("Project")
    ACTION_PLAN = "action_plan", _("Action plan")
    BUDGET = "budget", _("Budget")
    ATTACHMENTS = "attachments", _("Attachments")


class Dossier(FiledRecord):
    note = models.OneToOneField("applications.OpportunityNote", on_delete=models.PROTECT,
                                related_name="dossier")
    status = models.CharField(_("status"), max_length=20, choices=DossierStatus.choices,
                              default=DossierStatus.DRAFT, editable=False, db_index=True)
    requested_rate = models.DecimalField(_("requested rate (%)"), max_digits=5,
                                         decimal_places=2, null=True, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status_reason = models.TextField(_("reason of the last decision"), blank=True,
                                     editable=False)

    class Meta:
        verbose_name = _("full dossier")
        verbose_name_plural = _("full dossiers")
        ordering = ["-submitted_at", "-updated_at"]
        constraints = [models.UniqueConstraint(fields=["reference"],
                                               condition=~models.Q(reference=""),
                                               name="dossier_reference_unique")]

    def __str__(self):
        return self.reference or str(self.note.collective)


class DossierSection(models.Model):
    """One section's values as typed (JSON), with a version number against lost updates."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(_("section"), max_length=20, choices=SectionCode.choices)
    data = models.JSONField(_("values"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dossier section")
        verbose_name_plural = _("dossier sections")
        constraints = [models.UniqueConstraint(fields=["dossier", "code"],
                                               name="section_once")]

    def __str__(self):
        return f"{self.dossier} — {self.get_code_display()}"


class ExpenseCategory(models.TextChoices):
    STAFF = "staff", _("staff")
    EQUIPMENT = "equipment", _("equipment")
    SERVICES = "services", _("external services")
    PREMISES = "premises", _("premises")
    TRAINING = "training", _("training")
    COMMUNICATION = "communication", _("communication")
    OTHER = "other", _("other")


class ExpenseLine(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="expenses")
    position = models.PositiveSmallIntegerField(default=0)
    category = models.CharField(_("category"), max_length=20, choices=ExpenseCategory.choices)
    partner = models.ForeignKey("consortia.Organisation", on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("partner"))
    label = models.CharField(_("label"), max_length=200)
    amount = models.DecimalField(_("amount (€)"), **MONEY)
    is_training_cost = models.BooleanField(_("training cost"), default=False)

    class Meta:
        verbose_name = _("expense line")
        verbose_name_plural = _("expense lines")
        ordering = ["dossier", "position", "pk"]

    def __str__(self):
        return f"{self.label}: {self.amount}"


class ResourceKind(models.TextChoices):
    COFINANCING = "cofinancing", _("co-financing")
    OWN_FUNDS = "own_funds", _("own funds")
    OTHER_PUBLIC = "other_public", _("other public funds")
    REGION = "region", _("subsidy requested from the Region")
    OTHER = "other", _("other")


class ResourceLine(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="resources")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices)
    funder = models.CharField(_("funder"), max_length=200)
    amount = models.DecimalField(_("amount (€)"), **MONEY)

    class Meta:
        verbose_name = _("resource line")
        verbose_name_plural = _("resource lines")
        ordering = ["dossier", "position", "pk"]

    def __str__(self):
        return f"{self.funder}: {self.amount}"


class PartnerCommitment(models.Model):
    """A confirmed partner's role and its letter of commitment."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="commitments")
    participation = models.ForeignKey("consortia.Participation", on_delete=models.PROTECT,
                                      related_name="+")
    role = models.TextField(_("role in the project"))
    letter = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+",
                               verbose_name=_("letter of commitment"))

    class Meta:
        verbose_name = _("partner commitment")
        verbose_name_plural = _("partner commitments")
        constraints = [models.UniqueConstraint(fields=["dossier", "participation"],
                                               name="commitment_once")]

    def __str__(self):
        return f"{self.dossier} — {self.participation.organisation_id}"


class DossierAttachment(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey("calls.RequiredDocument", on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("document"))
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [models.UniqueConstraint(fields=["dossier", "document"],
                                               name="attachment_once")]

    def __str__(self):
        return f"{self.dossier} — {self.document}"


class CorrectionRequest(models.Model):
    """An officer sends the dossier back for the listed sections; every round is kept."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="corrections")
    round = models.PositiveSmallIntegerField(_("round"))
    sections = models.JSONField(_("sections to correct"), default=list)
    message = models.TextField(_("what to correct"))
    due = models.DateTimeField(_("due"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["dossier", "round"]
        constraints = [models.UniqueConstraint(fields=["dossier", "round"],
                                               name="correction_round_once")]

    def __str__(self):
        return f"{self.dossier} — {self.round}"
