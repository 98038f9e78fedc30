"""Opportunity notes with their two canvases, and the incubation of pre-selected collectives."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(0)]}


class FiledRecord(models.Model):
    """What every filed application keeps: its receipt reference, who filed it and when, the
    frozen snapshot of what was filed and the receipt PDF."""

    reference = models.CharField(_("reference"), max_length=40, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("filed on"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+", editable=False)
    snapshot = models.JSONField(_("what was filed"), null=True, blank=True, editable=False)
    receipt = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class NoteStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("filed")
    PRESELECTED = "preselected", _("pre-selected")
    NOT_RETAINED = "not_retained", _("not retained")
    EXPIRED = "expired", _("not filed")


class OpportunityNote(FiledRecord):
    """A collective's opportunity note for the pre-selection (one per collective)."""

    collective = models.OneToOneField("consortia.Collective", on_delete=models.PROTECT,
                                      related_name="note")
    title = models.CharField(_("project title"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    axes = models.ManyToManyField("calls.Axis", blank=True, related_name="+",
                                  verbose_name=_("intervention axes"))
    epcis = models.ManyToManyField("territories.Epci", blank=True, related_name="+",
                                   verbose_name=_("EPCI"))
    communes = models.ManyToManyField("territories.Commune", blank=True, related_name="+",
                                      verbose_name=_("communes"))
    territory_precision = models.TextField(_("territory: precisions"), blank=True)
    target_publics = models.TextField(_("target publics"), blank=True)
    tiers_lieu_services = models.TextField(
        _("services the tiers-lieu will bring together"), blank=True)
    estimated_total_cost = models.DecimalField(_("estimated total cost (€)"), null=True,
                                               blank=True, **MONEY)
    requested_subsidy = models.DecimalField(_("requested subsidy (€)"), null=True, blank=True,
                                            **MONEY)
    partners = models.ManyToManyField("consortia.Organisation", blank=True, related_name="+",
                                      verbose_name=_("partners involved"))
    status = models.CharField(_("status"), max_length=15, choices=NoteStatus.choices,
                              default=NoteStatus.DRAFT, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    decision_message = models.TextField(_("officer's message"), blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("opportunity note")
        verbose_name_plural = _("opportunity notes")
        ordering = ["-submitted_at", "-updated_at"]
        constraints = [models.UniqueConstraint(fields=["reference"],
                                               condition=~models.Q(reference=""),
                                               name="note_reference_unique")]

    def __str__(self):
        return self.reference or self.title or str(self.collective)

    @property
    def call(self):
        return self.collective.call

    @property
    def is_editable(self):
        return self.status == NoteStatus.DRAFT


class CanvasKind(models.TextChoices):
    TEAM = "team", _("Team Canvas")
    BUSINESS_MODEL = "business_model", _("Business Model Canvas")


class Canvas(models.Model):
    """One of the two canvases of a note: uploaded as a file, or filled online in its blocks
    (then rendered to a one-page PDF)."""

    class Mode(models.TextChoices):
        UPLOAD = "upload", _("uploaded file")
        ONLINE = "online", _("filled online")

    note = models.ForeignKey(OpportunityNote, on_delete=models.CASCADE, related_name="canvases")
    kind = models.CharField(_("canvas"), max_length=20, choices=CanvasKind.choices)
    mode = models.CharField(_("how"), max_length=10, choices=Mode.choices, default=Mode.ONLINE)
    blocks = models.JSONField(_("blocks"), default=dict, blank=True)
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("file"),
                             help_text=_("The uploaded file, or the PDF rendered from the "
                                         "blocks."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("canvas")
        verbose_name_plural = _("canvases")
        constraints = [models.UniqueConstraint(fields=["note", "kind"], name="canvas_once")]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.note}"


class ReferenceCounter(models.Model):
    """Numbers of receipts per call and kind (N for notes, D for dossiers), without gaps."""

    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=2)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["call", "kind"], name="counter_once")]

    def __str__(self):
        return f"{self.call_id}-{self.kind}: {self.last}"


class IncubationStatus(models.TextChoices):
    NOT_NEEDED = "not_needed", _("not needed")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")


class Incubation(models.Model):
    """The Compagnie des tiers-lieux's follow-up of a pre-selected collective."""

    note = models.OneToOneField(OpportunityNote, on_delete=models.PROTECT,
                                related_name="incubation")
    needs = models.TextField(_("needs"), blank=True)
    status = models.CharField(_("status"), max_length=15, choices=IncubationStatus.choices,
                              default=IncubationStatus.IN_PROGRESS)
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("coach"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("incubation")
        verbose_name_plural = _("incubations")

    def __str__(self):
        return str(self.note.collective)


class IncubationSession(models.Model):
    class Format(models.TextChoices):
        ON_SITE = "on_site", _("on site")
        REMOTE = "remote", _("remote")
        PHONE = "phone", _("phone")

    incubation = models.ForeignKey(Incubation, on_delete=models.CASCADE,
                                   related_name="sessions")
    date = models.DateField(_("date"))
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    notes = models.TextField(_("notes"), blank=True)
    shared = models.BooleanField(_("shared with the collective"), default=False)

    class Meta:
        verbose_name = _("incubation session")
        verbose_name_plural = _("incubation sessions")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date} — {self.get_format_display()}"


class IncubationMilestone(models.Model):
    incubation = models.ForeignKey(Incubation, on_delete=models.CASCADE,
                                   related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due = models.DateField(_("due"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due", "pk"]

    def __str__(self):
        return self.title
