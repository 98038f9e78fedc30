"""The launch event of a call's laureates (one per call, in June for the 2023 call) and the
invitations of the organisations of each project (the lead and its partners).

Officers create the event; `services.launch.send_invitations` invites every organisation of
every project opened by then (by e-mail, with an .ics file) and is run again after a change
of date or place (each invitation is told of the change). An organisation answers on the
portal until the event starts; officers record the attendance once it has started.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class LaunchEvent(models.Model):
    call = models.OneToOneField("calls.Call", on_delete=models.CASCADE,
                                related_name="launch_event", verbose_name=_("call"))
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200,
                             help_text=_("The name of the venue, e.g. « Hôtel de Région »."))
    address = models.CharField(_("address"), max_length=255, blank=True)
    online_url = models.URLField(_("online link"), blank=True,
                                 help_text=_("For a hybrid event: the link to follow it."))
    programme = models.TextField(_("programme"))
    # Raised at each change sent to the invited (the SEQUENCE of the .ics file).
    sequence = models.PositiveIntegerField(_("version sent"), default=0, editable=False)
    invitations_sent_at = models.DateTimeField(_("invitations last sent"), null=True,
                                               blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+", editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("launch event")
        verbose_name_plural = _("launch events")
        ordering = ["-starts_at", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                              name="launch_event_ends_after_start")]

    def __str__(self):
        return self.title

    @property
    def uid(self):
        """The identifier of the event in calendars (the same for every version sent)."""
        from calls.ics import site_uid

        return site_uid(f"launch-event-{self.pk}")


class InvitationAnswer(models.TextChoices):
    PENDING = "pending", _("no answer yet")
    ATTENDING = "attending", _("will attend")
    DECLINED = "declined", _("will not attend")


class Attendance(models.TextChoices):
    NOT_RECORDED = "not_recorded", _("not recorded")
    PRESENT = "present", _("present")
    ABSENT = "absent", _("absent")


class LaunchInvitation(models.Model):
    """The invitation of one organisation of one project; its members answer for it."""

    event = models.ForeignKey(LaunchEvent, on_delete=models.CASCADE,
                              related_name="invitations", verbose_name=_("event"))
    project = models.ForeignKey("laureates.Project", on_delete=models.CASCADE,
                                related_name="launch_invitations", verbose_name=_("project"))
    organisation = models.ForeignKey("consortia.Organisation", on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("organisation"))
    role = models.CharField(_("role"), max_length=10)  # consortia.ParticipationRole
    answer = models.CharField(_("answer"), max_length=10, choices=InvitationAnswer.choices,
                              default=InvitationAnswer.PENDING, editable=False)
    attendees = models.PositiveSmallIntegerField(_("number of people"), default=0,
                                                 editable=False)
    attendee_names = models.TextField(_("who will come"), blank=True, editable=False)
    remarks = models.TextField(_("remarks"), blank=True, editable=False)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+", editable=False)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True, editable=False)
    attendance = models.CharField(_("attendance"), max_length=12, choices=Attendance.choices,
                                  default=Attendance.NOT_RECORDED, editable=False)
    attended_count = models.PositiveSmallIntegerField(_("people present"), null=True,
                                                      blank=True, editable=False)
    sent_sequence = models.IntegerField(_("version last sent"), default=-1, editable=False)

    class Meta:
        verbose_name = _("launch invitation")
        verbose_name_plural = _("launch invitations")
        ordering = ["event_id", "project__collective__name", "role", "organisation__legal_name",
                    "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "project", "organisation"],
                                               name="launch_invitation_once")]

    def __str__(self):
        return f"{self.organisation} — {self.event}"

    def get_absolute_url(self):
        return reverse("laureates:launch", args=[self.project.collective_id])
