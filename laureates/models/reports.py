"""The follow-up reports of a project: the operational launch follow-up (September for the 2023
call), periodic reports, and the final report whose acceptance closes the project.

The reports are planned when the project is opened (`services.reports.plan_reports`); the
collective fills them and files them, officers accept them or send them back with a message
(`workflow.REPORT_LIFECYCLE`). The scheduled job `remind_reports` reminds the collectives that
have not filed before the due date, and once after it.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .projects import MONEY


class ReportKind(models.TextChoices):
    LAUNCH_FOLLOWUP = "launch_followup", _("operational launch follow-up")
    PERIODIC = "periodic", _("periodic report")
    FINAL = "final", _("final report")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("report", "to be filed")
    SUBMITTED = "submitted", pgettext_lazy("report", "filed")
    ACCEPTED = "accepted", pgettext_lazy("report", "accepted")


class TeamInPlace(models.TextChoices):
    YES = "yes", _("yes, complete")
    PARTLY = "partly", _("partly")
    NO = "no", _("not yet")


class Report(models.Model):
    project = models.ForeignKey("laureates.Project", on_delete=models.CASCADE,
                                related_name="reports", verbose_name=_("project"))
    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    number = models.PositiveSmallIntegerField(_("number"), default=1)
    due_on = models.DateField(_("due on"), null=True, blank=True,
                              help_text=_("The whole day, Paris time."))
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices,
                              default=ReportStatus.DRAFT, editable=False, db_index=True)
    # What the collective writes (which fields a kind asks for: services.reports.FIELDS).
    team_in_place = models.CharField(_("is the project team in place?"), max_length=10,
                                     choices=TeamInPlace.choices, blank=True)
    team_details = models.TextField(_("the team"), blank=True)
    sessions_held = models.PositiveIntegerField(_("training sessions held"), null=True,
                                                blank=True)
    first_session_on = models.DateField(_("date of the first session"), null=True, blank=True)
    learners_reached = models.PositiveIntegerField(_("learners reached"), null=True, blank=True)
    activities = models.TextField(_("what was done"), blank=True)
    results = models.TextField(_("results against the objectives"), blank=True)
    expenses_to_date = models.DecimalField(_("expenses to date (€)"), null=True, blank=True,
                                           validators=[MinValueValidator(0)], **MONEY)
    difficulties = models.TextField(_("difficulties met"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    # Follow-up of the filing.
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+", editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+", editable=False)
    submitted_at = models.DateTimeField(pgettext_lazy("report", "filed on"),
                                        null=True, blank=True, editable=False)
    officer_message = models.TextField(_("message of the Region"), blank=True, editable=False)
    reviewed_at = models.DateTimeField(pgettext_lazy("report", "reviewed on"),
                                       null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["project_id", models.F("due_on").asc(nulls_last=True), "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "kind", "number"],
                                               name="report_once_per_kind_and_number")]

    def __str__(self):
        if self.kind == ReportKind.PERIODIC:
            return gettext("periodic report no. %(number)s") % {"number": self.number}
        return str(self.get_kind_display())

    @property
    def is_filed(self):
        return self.status != ReportStatus.DRAFT
