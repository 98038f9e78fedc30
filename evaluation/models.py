"""Evaluation of the full dossiers: the scoring grid of a call, the evaluators assigned to a
dossier, their conflict-of-interest declarations, their evaluations and scores.

State changes go through `services` (and `workflow` for an evaluation's status); the marks
are computed by `scoring`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from calls.models import Call

SCORE = {"max_digits": 5, "decimal_places": 2}
POSITIVE = [MinValueValidator(Decimal("0.01"))]


class ScoringGrid(Call):
    """A call seen from its evaluation side: its settings and its criteria (admin page)."""

    class Meta:
        proxy = True
        verbose_name = _("scoring grid")
        verbose_name_plural = _("scoring grids")


class Criterion(models.Model):
    """One line of a call's scoring grid. A score is given from 0 to `max_score`; the
    criterion counts for `weight` in the weighted mark (see scoring.weighted_mark)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria",
                             verbose_name=_("call for projects"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("what the evaluator looks at"), blank=True)
    weight = models.DecimalField(_("weight"), **SCORE, validators=POSITIVE)
    max_score = models.DecimalField(_("highest score"), **SCORE, default=Decimal("5"),
                                    validators=POSITIVE)
    allows_not_applicable = models.BooleanField(
        _("may be marked not applicable"), default=False,
        help_text=_("A criterion marked not applicable is left out of the mark, not counted "
                    "as zero."))

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["call_id", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="criterion_weight"),
            models.CheckConstraint(condition=models.Q(max_score__gt=0),
                                   name="criterion_max_score"),
        ]

    def __str__(self):
        return self.label


class Assignment(models.Model):
    """An evaluator assigned by an officer to a dossier. Scoring opens once the evaluator has
    declared no conflict of interest (`cleared_at`); a declared conflict deletes it."""

    dossier = models.ForeignKey("applications.Dossier", on_delete=models.PROTECT,
                                related_name="assignments", verbose_name=_("dossier"))
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="evaluation_assignments",
                                  verbose_name=_("evaluator"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("assigned by"))
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)
    cleared_at = models.DateTimeField(_("no conflict of interest declared"), null=True,
                                      blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["dossier_id", "assigned_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["dossier", "evaluator"],
                                               name="assignment_once")]

    def __str__(self):
        return f"{self.dossier} — {self.evaluator}"


class ConflictDeclaration(models.Model):
    """What an evaluator declared about a dossier's collective; kept when the assignment is
    removed (a declared conflict also bars assigning the evaluator to the dossier again)."""

    dossier = models.ForeignKey("applications.Dossier", on_delete=models.PROTECT,
                                related_name="conflict_declarations", verbose_name=_("dossier"))
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="conflict_declarations",
                                  verbose_name=_("evaluator"))
    has_conflict = models.BooleanField(_("conflict of interest"))
    details = models.TextField(_("details"), blank=True)
    declared_at = models.DateTimeField(_("declared"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict-of-interest declaration")
        verbose_name_plural = _("conflict-of-interest declarations")
        ordering = ["-declared_at", "-pk"]

    def __str__(self):
        return f"{self.dossier} — {self.evaluator}"


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("in progress")
    SUBMITTED = "submitted", _("submitted")


class Evaluation(models.Model):
    """The evaluation of one assignment; locked once submitted (an officer may reopen it)."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE,
                                      related_name="evaluation", verbose_name=_("assignment"))
    status = models.CharField(_("status"), max_length=12, choices=EvaluationStatus.choices,
                              default=EvaluationStatus.DRAFT, editable=False, db_index=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    comment = models.TextField(_("overall opinion"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["assignment__dossier_id", "assignment__assigned_at", "pk"]

    def __str__(self):
        return str(self.assignment)

    @property
    def is_submitted(self):
        return self.status == EvaluationStatus.SUBMITTED


class Score(models.Model):
    """The score of one criterion: a value from 0 to the criterion's maximum, or "not
    applicable" when the criterion allows it (then left out of the mark)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores",
                                   verbose_name=_("evaluation"))
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores",
                                  verbose_name=_("criterion"))
    value = models.DecimalField(_("score"), **SCORE, null=True, blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["evaluation_id", "criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="score_once"),
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) | models.Q(not_applicable=False),
                name="score_value_or_not_applicable"),
            models.CheckConstraint(condition=models.Q(value__isnull=True)
                                   | models.Q(value__gte=0), name="score_not_negative"),
        ]

    def __str__(self):
        return f"{self.criterion}: {'n/a' if self.not_applicable else self.value}"


# --- decisions (issue 6) -----------------------------------------------------------------------

class DecisionOutcome(models.TextChoices):
    """The decision on a dossier; the values are the dossier states it leads to."""

    SELECTED = "selected", _("selected")
    REJECTED = "rejected", _("not selected")
    WAITLISTED = "waitlisted", _("waiting list")


class Decision(models.Model):
    """The decision an officer stages on a dossier under evaluation (or on the waiting list):
    selected with an awarded rate and amount (checked by the subsidy rule), rejected with
    reasons, or waitlisted. Staged decisions of a call are announced together
    (`services.decisions.announce`), which moves each dossier through its transition table.

    A dossier has one decision: re-deciding a waitlisted dossier replaces its announced
    « waiting list » decision (the audit trail keeps every step)."""

    dossier = models.OneToOneField("applications.Dossier", on_delete=models.PROTECT,
                                   related_name="decision", verbose_name=_("dossier"))
    outcome = models.CharField(_("decision"), max_length=12, choices=DecisionOutcome.choices)
    awarded_rate = models.DecimalField(_("awarded rate (%)"), max_digits=5, decimal_places=2,
                                       null=True, blank=True)
    awarded_amount = models.DecimalField(_("awarded amount (€)"), max_digits=12,
                                         decimal_places=2, null=True, blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    staged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+",
                                  verbose_name=_("staged by"))
    staged_at = models.DateTimeField(_("staged"))
    announced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("announced by"))
    announced_at = models.DateTimeField(_("announced"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-staged_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="selected") | (
                    models.Q(awarded_rate__isnull=False)
                    & models.Q(awarded_amount__isnull=False)),
                name="decision_selected_has_award"),
            models.CheckConstraint(
                condition=~models.Q(outcome="rejected") | ~models.Q(reasons=""),
                name="decision_rejected_has_reasons"),
        ]

    def __str__(self):
        return f"{self.dossier} — {self.get_outcome_display()}"

    @property
    def is_announced(self):
        return self.announced_at is not None


class Ranking(Decision):
    """The officers' ranking page of a call (admin entry « Classement »)."""

    class Meta:
        proxy = True
        verbose_name = _("ranking and decisions")
        verbose_name_plural = _("ranking and decisions")


# --- decision letters (issue 6) ----------------------------------------------------------------

class LetterTemplate(models.Model):
    """The wording of a call's decision letter for one outcome, edited by officers. The texts
    take placeholders in braces (see `letters.PLACEHOLDERS`), replaced by plain values: no
    template code runs. Paragraphs are separated by a blank line."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="letter_templates",
                             verbose_name=_("call for projects"))
    outcome = models.CharField(_("decision"), max_length=12, choices=DecisionOutcome.choices)
    subject = models.CharField(_("subject"), max_length=255,
                               help_text=_("The subject line of the letter and of its e-mail."))
    dateline = models.CharField(_("place and date line"), max_length=120)
    body = models.TextField(_("text of the letter"))
    correction_notice = models.TextField(
        _("notice of a corrected version"), blank=True,
        help_text=_("Printed above the text of a corrected version (version 2 and later)."))
    signatory_role = models.CharField(_("signatory's role"), max_length=200)
    signatory_name = models.CharField(_("signatory's name"), max_length=200, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("updated by"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("decision letter template")
        verbose_name_plural = _("decision letter templates")
        ordering = ["call_id", "outcome"]
        constraints = [models.UniqueConstraint(fields=["call", "outcome"],
                                               name="letter_template_once")]

    def __str__(self):
        return f"{self.call} — {self.get_outcome_display()}"


class LetterStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RENDERED = "rendered", _("rendered")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class LetterBatch(models.Model):
    """One run of « generate and send the letters » for a call: its progress counters are
    updated by the background tasks (sent or failed, once per letter)."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="letter_batches",
                             verbose_name=_("call for projects"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    total = models.PositiveIntegerField(_("letters"), default=0)
    done = models.PositiveIntegerField(_("sent"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("batch of decision letters")
        verbose_name_plural = _("batches of decision letters")
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"{self.call} — {self.requested_at:%Y-%m-%d %H:%M}"


class DecisionLetter(models.Model):
    """One version of the letter announcing a decision: rendered to PDF, archived with its
    SHA-256, then e-mailed. A sent letter never changes; a correction is a new version."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="letters",
                                 verbose_name=_("decision"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=LetterStatus.choices,
                              default=LetterStatus.QUEUED, editable=False, db_index=True)
    outcome = models.CharField(_("decision"), max_length=12, choices=DecisionOutcome.choices,
                               editable=False)
    decision_announced_at = models.DateTimeField(_("decision announced"), editable=False)
    reason = models.TextField(_("reason for this version"), blank=True)
    replaces = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("corrects"),
                                 help_text=_("The sent letter this corrected version replaces."))
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    batch = models.ForeignKey(LetterBatch, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="letters", verbose_name=_("batch"))
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+", verbose_name=_("PDF"))
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    dated = models.DateField(_("letter date"), null=True, blank=True)
    mail = models.ForeignKey("mail.OutgoingMail", on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("e-mail"))
    error = models.TextField(_("last error"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("requested by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision letter")
        verbose_name_plural = _("decision letters")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["decision", "version"],
                                               name="letter_version_once")]

    def __str__(self):
        return self.reference

    @property
    def reference(self):
        return f"{self.decision.dossier.reference}-L{self.version}"
