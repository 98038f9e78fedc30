"""A call for projects, its numbers and its calendar. Every number is data, never code."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


def parse_reminder_days(text):
    """« 7,1 » → [7, 1] (largest first, no repeats); ValueError on anything else."""
    days = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= 90:
            raise ValueError(part)
        days.add(int(part))
    return sorted(days, reverse=True)


def validate_reminder_days(text):
    try:
        parse_reminder_days(text)
    except ValueError as exc:
        raise ValidationError(
            _("Give whole numbers of days between 1 and 90, separated by commas (e.g. "
              "« 7,1 »): « %(value)s » is not one."), params={"value": str(exc)},
            code="invalid") from exc


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    ARCHIVED = "archived", _("archived")


class CallQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=CallStatus.PUBLISHED)

    def with_calendar(self):
        return self.prefetch_related("phases")


class Call(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    reference_prefix = models.CharField(
        _("reference prefix"), max_length=20,
        help_text=_("Used in the references of receipts, e.g. CHDF-2023."),
    )
    summary = models.TextField(_("summary"), help_text=_("Two or three sentences, plain text."))
    description = models.TextField(
        _("description"), blank=True,
        help_text=_("Rich text; only simple formatting is kept (it is sanitised)."),
    )
    region = models.CharField(_("region"), max_length=100, default="Hauts-de-France")

    budget_envelope = models.DecimalField(
        _("budget envelope (€)"), max_digits=14, decimal_places=2, validators=NON_NEGATIVE
    )
    min_projects = models.PositiveSmallIntegerField(_("minimum number of projects"))
    max_projects = models.PositiveSmallIntegerField(_("maximum number of projects"))
    min_award = models.DecimalField(
        _("minimum award (€)"), max_digits=12, decimal_places=2, validators=NON_NEGATIVE
    )
    max_award = models.DecimalField(
        _("maximum award (€)"), max_digits=12, decimal_places=2, validators=NON_NEGATIVE
    )
    min_rate = models.DecimalField(
        _("minimum subsidy rate (%)"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    max_rate = models.DecimalField(
        _("maximum subsidy rate (%)"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    excludes_training_costs = models.BooleanField(
        _("rate applies excluding training costs"), default=True
    )
    bonus_points = models.DecimalField(
        _("bonus (percentage points)"), max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=PERCENT,
        help_text=_("Bonus for projects on territories with a low training supply."),
    )
    bonus_reading = models.TextField(
        _("reading of the bonus"), blank=True,
        help_text=_("How the portal applies the bonus, shown to applicants."),
    )
    project_duration_months = models.PositiveSmallIntegerField(
        _("expected project duration (months)"), default=36
    )
    eligibility_end = models.DateField(
        _("end of eligibility"), help_text=_("Projects must be finished by this date.")
    )
    contact_role = models.CharField(
        _("contact (role)"), max_length=200,
        help_text=_("A role or a department, not a person's name."),
    )
    contact_email = models.EmailField(_("contact address"))
    upload_max_mb = models.PositiveSmallIntegerField(
        _("largest upload (MB)"), default=10,
        help_text=_("Largest file a collective may upload for this call."))
    # Evaluation of the full dossiers (the scoring grid itself lives in the evaluation app).
    evaluators_per_dossier = models.PositiveSmallIntegerField(
        _("evaluators per dossier"), default=2, validators=[MinValueValidator(1)],
        help_text=_("How many evaluators officers assign, at least, to each admissible "
                    "dossier."))
    show_peer_scores_after_submit = models.BooleanField(
        _("evaluators see the other evaluations once theirs is submitted"), default=True,
        help_text=_("If unticked, evaluators never see each other's scores; officers "
                    "always do."))
    disagreement_threshold = models.DecimalField(
        _("disagreement threshold (points out of 20)"), max_digits=4, decimal_places=2,
        default=Decimal("4.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("20"))],
        help_text=_("A dossier is flagged when the marks of its evaluators differ by at "
                    "least this many points."))
    evaluation_due = models.DateField(
        _("evaluations due"), null=True, blank=True,
        help_text=_("The whole day, Paris time. Shown to evaluators and used for reminders; "
                    "it does not lock scoring."))
    reminder_days = models.CharField(
        _("reminders (days before a deadline)"), max_length=40, default="7,1",
        validators=[validate_reminder_days],
        help_text=_("Comma-separated numbers of days, e.g. « 7,1 »: collectives holding an "
                    "unfiled draft, and evaluators with an unsubmitted evaluation, are "
                    "reminded that many days before the deadline. Leave blank for none."))
    hold_decision_mails = models.BooleanField(
        _("decision mails wait for an officer's approval"), default=False,
        help_text=_("If ticked, mails announcing a decision (pre-selection, decision letters) "
                    "wait in the outbox until an officer approves them there."))
    status = models.CharField(
        _("status"), max_length=12, choices=CallStatus.choices, default=CallStatus.DRAFT,
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call for projects")
        verbose_name_plural = _("calls for projects")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(min_projects__lte=models.F("max_projects")),
                                   name="call_project_range"),
            models.CheckConstraint(condition=models.Q(min_award__lte=models.F("max_award")),
                                   name="call_award_range"),
            models.CheckConstraint(condition=models.Q(min_rate__lte=models.F("max_rate")),
                                   name="call_rate_range"),
        ]

    def __str__(self):
        return self.title

    @property
    def bonus_rate_ceiling(self) -> Decimal:
        return min(self.max_rate + self.bonus_points, Decimal("100"))

    @property
    def reminder_offsets(self) -> list[int]:
        """The reminder days as numbers, largest first (« 7,1 » → [7, 1])."""
        try:
            return parse_reminder_days(self.reminder_days)
        except ValueError:
            return []


class Axis(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="axes")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("intervention axis")
        verbose_name_plural = _("intervention axes")
        ordering = ["call", "number"]
        constraints = [models.UniqueConstraint(fields=["call", "number"], name="axis_number")]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Programme(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="programmes")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("regional programme")
        verbose_name_plural = _("regional programmes")
        ordering = ["call", "name"]
        constraints = [models.UniqueConstraint(fields=["call", "name"], name="programme_name")]

    def __str__(self):
        return self.name


class PhaseKind(models.TextChoices):
    PUBLICATION = "publication", _("Publication of the call")
    PRESELECTION = "preselection", _("Pre-selection (opportunity notes)")
    INCUBATION = "incubation", _("Incubation, as needed")
    DOSSIER_OPENING = "dossier_opening", _("Full dossier opens")
    FILING = "filing", _("Filing of full dossiers")
    SELECTION = "selection", _("Selection")
    LAUNCH_EVENT = "launch_event", _("Project launch event")
    LAUNCH_FOLLOWUP = "launch_followup", _("Operational launch follow-up")
    ELIGIBILITY_END = "eligibility_end", _("End of eligibility")


class Phase(models.Model):
    """A step of the calendar. A milestone has only a start (or only an end, for a deadline).

    Ends entered as a date mean the whole day in Europe/Paris (see calendar.end_of_day).
    """

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("phase"), max_length=20, choices=PhaseKind.choices)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    date_label = models.CharField(
        _("date as announced"), max_length=60, blank=True,
        help_text=_('For vague dates, e.g. "June 2023"; shown instead of the exact dates.'),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["call", models.F("starts_at").asc(nulls_last=True), "ends_at"]
        constraints = [
            models.UniqueConstraint(fields=["call", "kind"], name="phase_kind_once_per_call"),
            models.CheckConstraint(
                condition=models.Q(starts_at__isnull=False) | models.Q(ends_at__isnull=False),
                name="phase_has_a_date",
            ),
        ]

    def __str__(self):
        return f"{self.call} — {self.get_kind_display()}"

    @property
    def anchor(self):
        """The instant that orders the phase on a timeline."""
        return self.starts_at or self.ends_at


class LowSupplyTerritory(models.Model):
    """A territory flagged by officers, for one call, as having a low training supply (it
    opens the bonus). Either a whole EPCI or a single commune."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="low_supply_territories")
    epci = models.ForeignKey("territories.Epci", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("EPCI"))
    commune = models.ForeignKey("territories.Commune", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+", verbose_name=_("commune"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("low-training-supply territory")
        verbose_name_plural = _("low-training-supply territories")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(epci__isnull=False, commune__isnull=True)
                           | models.Q(epci__isnull=True, commune__isnull=False)),
                name="low_supply_epci_or_commune"),
            models.UniqueConstraint(fields=["call", "epci"], name="low_supply_epci_once"),
            models.UniqueConstraint(fields=["call", "commune"], name="low_supply_commune_once"),
        ]

    def __str__(self):
        return str(self.epci or self.commune)


class RequiredDocument(models.Model):
    """A document every full dossier of the call must (or may) attach."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="required_documents")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("document"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    mandatory = models.BooleanField(_("mandatory"), default=True)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["call", "position", "pk"]

    def __str__(self):
        return self.label
