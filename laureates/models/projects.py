"""The projects of the laureates: one per announced selected decision, with its agreement
(*convention*), its payment schedule and its milestones.

The decision stays the source of the award: a project keeps a copy of the awarded amount and
rate taken when it was opened (`services.open_projects`), for the follow-up and the open data.
State changes go through `services` (and `workflow` for the project's and the convention's
status).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2}


class ProjectStatus(models.TextChoices):
    AGREEMENT_PENDING = "agreement_pending", _("agreement to be signed")
    RUNNING = "running", _("running")
    CLOSED = "closed", _("closed")


class ConventionStatus(models.TextChoices):
    TO_SIGN = "to_sign", _("to be signed")
    SIGNED = "signed", _("signed")


class Project(models.Model):
    """A selected dossier once the decision is announced, followed until its final report."""

    decision = models.OneToOneField("evaluation.Decision", on_delete=models.PROTECT,
                                    related_name="project", verbose_name=_("decision"))
    collective = models.OneToOneField("consortia.Collective", on_delete=models.PROTECT,
                                      related_name="project", verbose_name=_("collective"))
    title = models.CharField(_("project title"), max_length=200)
    awarded_amount = models.DecimalField(_("awarded amount (€)"), editable=False, **MONEY)
    awarded_rate = models.DecimalField(_("awarded rate (%)"), max_digits=5, decimal_places=2,
                                       editable=False)
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices,
                              default=ProjectStatus.AGREEMENT_PENDING, editable=False,
                              db_index=True)
    convention_status = models.CharField(_("agreement"), max_length=10,
                                         choices=ConventionStatus.choices,
                                         default=ConventionStatus.TO_SIGN, editable=False)
    convention_file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT,
                                        null=True, blank=True, related_name="+",
                                        editable=False, verbose_name=_("signed agreement"))
    convention_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True,
                                            editable=False)
    decision_reference = models.CharField(
        _("reference of the award decision"), max_length=60, blank=True,
        help_text=_("The reference of the Region's act awarding the subsidy (published in "
                    "the open data); the dossier reference is used while it is empty."))
    start_date = models.DateField(_("start date"), null=True, blank=True, editable=False)
    end_date = models.DateField(_("end date"), null=True, blank=True, editable=False)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+", editable=False,
                                  verbose_name=_("opened by"))
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["collective__name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(convention_status="signed") | (
                    models.Q(convention_file__isnull=False)
                    & models.Q(convention_signed_on__isnull=False)),
                name="project_signed_convention_has_document"),
            models.CheckConstraint(condition=models.Q(awarded_amount__gt=0),
                                   name="project_award_positive"),
        ]

    def __str__(self):
        return f"{self.collective} — {self.title}"

    def get_absolute_url(self):
        return reverse("laureates:project", args=[self.collective_id])

    @property
    def is_signed(self):
        return self.convention_status == ConventionStatus.SIGNED


class PaymentKind(models.TextChoices):
    ADVANCE = "advance", _("advance")
    INTERIM = "interim", _("interim payment")
    BALANCE = "balance", _("balance")


class Payment(models.Model):
    """One line of the payment schedule, recorded by officers. The total of a project's lines
    never exceeds its awarded amount (`payments.check_total`)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="payments",
                                verbose_name=_("project"))
    kind = models.CharField(_("kind"), max_length=10, choices=PaymentKind.choices)
    amount = models.DecimalField(_("amount (€)"), validators=[MinValueValidator(
        Decimal("0.01"))], **MONEY)
    planned_on = models.DateField(_("planned on"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+", editable=False)
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["project_id", "planned_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0),
                                              name="payment_amount_positive")]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.amount}"

    @property
    def is_paid(self):
        return self.paid_on is not None


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    DONE = "done", _("done")
    LATE = "late", _("late")


class Milestone(models.Model):
    """A milestone of the action plan as filed, with its follow-up status (set by officers;
    a planned milestone whose date has passed is shown late, see `effective_status`)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones",
                                verbose_name=_("project"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("milestone"), max_length=255)
    due_on = models.DateField(_("date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MilestoneStatus.choices,
                              default=MilestoneStatus.PLANNED)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project_id", "position", "pk"]

    def __str__(self):
        return self.label

    def effective_status(self, today):
        if (self.status == MilestoneStatus.PLANNED and self.due_on is not None
                and self.due_on < today):
            return MilestoneStatus.LATE
        return self.status


class FollowedProject(Project):
    """The projects as the Compagnie des tiers-lieux staff follow them (admin entry, no
    amounts)."""

    class Meta:
        proxy = True
        verbose_name = _("followed project")
        verbose_name_plural = _("followed projects (tiers-lieux)")
