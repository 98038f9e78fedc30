"""Organisations (identified by SIRET), their members, and the collectives that answer a call."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from calls.models import Call, PhaseKind


class OrganisationKind(models.TextChoices):
    TRAINING_BODY = "training_body", _("training body")
    TIERS_LIEU = "tiers_lieu", _("tiers-lieu")
    RECEPTION = "reception", _("reception, guidance or integration actor")
    ECONOMIC = "economic", _("economic actor")
    LOCAL_AUTHORITY = "local_authority", _("local authority")
    OTHER = "other", _("other")


class Organisation(models.Model):
    legal_name = models.CharField(_("legal name"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, unique=True,
                             help_text=_("14 digits, stored without spaces."))
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    address = models.CharField(_("address"), max_length=255)
    commune = models.ForeignKey(
        "territories.Commune", on_delete=models.PROTECT, null=True, blank=True,
        related_name="organisations", verbose_name=_("commune"),
    )
    # For an organisation outside Hauts-de-France (no commune from the reference data).
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    nda = models.CharField(_("activity declaration number (NDA)"), max_length=11, blank=True)
    qualiopi = models.BooleanField(_("Qualiopi certified"), default=False)
    in_directory = models.BooleanField(_("listed in the partner directory"), default=False)
    directory_pitch = models.TextField(
        _("presentation in the directory"), blank=True,
        help_text=_("What you offer and the partners you are looking for."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(siret__regex=r"^[0-9]{14}$"),
                                   name="organisation_siret_digits"),
        ]

    def __str__(self):
        return self.legal_name

    @property
    def siret_display(self):
        from stdnum.fr import siret

        return siret.format(self.siret)

    @property
    def is_training_body(self):
        return self.kind == OrganisationKind.TRAINING_BODY


class ProofStatus(models.TextChoices):
    DECLARED = "declared", _("declared")
    VERIFIED = "verified", _("verified")


class DigitalProof(models.Model):
    """A training body's proof that all or part of its offer is digital."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                        related_name="digital_proof")
    digital_offer = models.TextField(_("what part of the offer is digital"))
    since = models.DateField(_("digital since"))
    learner_count = models.PositiveIntegerField(_("learners trained digitally (per year)"))
    links = models.TextField(_("links"), blank=True, help_text=_("One address per line."))
    document = models.ForeignKey("files.StoredFile", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+", verbose_name=_("document"))
    status = models.CharField(_("status"), max_length=10, choices=ProofStatus.choices,
                              default=ProofStatus.DECLARED)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("proof of digitalisation")
        verbose_name_plural = _("proofs of digitalisation")

    def __str__(self):
        return f"{self.organisation} ({self.get_status_display()})"


class MemberRole(models.TextChoices):
    ADMIN = "admin", _("administrator")
    MEMBER = "member", _("member")


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="org_memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices,
                            default=MemberRole.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"],
                                               name="membership_once")]

    def __str__(self):
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class JoinRequest(models.Model):
    """Someone asks to join an existing organisation; one of its administrators decides."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="join_requests")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="join_requests")
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices,
                              default=RequestStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("request to join")
        verbose_name_plural = _("requests to join")
        constraints = [models.UniqueConstraint(
            fields=["user", "organisation"], condition=models.Q(status="pending"),
            name="one_pending_join_request")]

    def __str__(self):
        return f"{self.user} → {self.organisation} ({self.get_status_display()})"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    RETRACTED = "retracted", _("retracted")


class Invitation(models.Model):
    """An e-mail invitation with an expiring signed token, either to join an organisation as a
    member or to take part in a collective as a partner organisation."""

    class Purpose(models.TextChoices):
        MEMBER = "member", _("join an organisation")
        PARTNER = "partner", _("take part in a collective")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    email = models.EmailField(_("e-mail address"))
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="member_invitations")
    collective = models.ForeignKey("Collective", on_delete=models.CASCADE, null=True,
                                   blank=True, related_name="invitations")
    # What the lead declares about the partner it invites (counts for the opportunity note).
    declared_name = models.CharField(_("organisation (as declared)"), max_length=200,
                                     blank=True)
    declared_kind = models.CharField(_("kind (as declared)"), max_length=20, blank=True,
                                     choices=OrganisationKind.choices)
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=InvitationStatus.choices,
                              default=InvitationStatus.PENDING)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(purpose="member", organisation__isnull=False)
                           | models.Q(purpose="partner", collective__isnull=False)),
                name="invitation_has_target"),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} — {self.email}"


class Collective(models.Model):
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="collectives",
                             verbose_name=_("call"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("short description"))
    territory = models.CharField(_("intended territory"), max_length=255)
    epcis = models.ManyToManyField("territories.Epci", blank=True, related_name="collectives",
                                   verbose_name=_("EPCI concerned"))
    membership_locked = models.BooleanField(
        _("membership locked by the officers"), default=False,
        help_text=_("No partner can be added or removed while this is set."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("collective")
        verbose_name_plural = _("collectives")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["call", "name"],
                                               name="collective_name_per_call")]

    def __str__(self):
        return self.name


class ParticipationRole(models.TextChoices):
    LEAD = "lead", _("lead")
    PARTNER = "partner", _("partner")


class ParticipationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmed")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Participation(models.Model):
    """An organisation in a collective. A partner appears here once it has confirmed."""

    collective = models.ForeignKey(Collective, on_delete=models.CASCADE,
                                   related_name="participations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="participations")
    role = models.CharField(_("role"), max_length=10, choices=ParticipationRole.choices)
    role_in_project = models.TextField(_("role in the project"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ParticipationStatus.choices,
                              default=ParticipationStatus.CONFIRMED)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["collective", "organisation"],
                                    name="participation_once"),
            models.UniqueConstraint(fields=["collective"], condition=models.Q(role="lead"),
                                    name="one_lead_per_collective"),
        ]

    def __str__(self):
        return f"{self.organisation} — {self.collective} ({self.get_role_display()})"


class MembershipLock(models.Model):
    """Per call, the phase whose closing locks the composition of every collective."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="membership_lock")
    after_phase = models.CharField(_("locked once this phase has closed"), max_length=20,
                                   choices=PhaseKind.choices, default=PhaseKind.FILING)

    class Meta:
        verbose_name = _("membership lock")
        verbose_name_plural = _("membership locks")

    def __str__(self):
        return f"{self.call} — {self.get_after_phase_display()}"


class DirectoryMessage(models.Model):
    """A message sent through the partner directory (relayed by e-mail, never exposing
    addresses)."""

    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+")
    sender_organisation = models.ForeignKey(Organisation, on_delete=models.SET_NULL,
                                            null=True, related_name="sent_messages")
    recipient = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                  related_name="received_messages")
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("directory message")
        verbose_name_plural = _("directory messages")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.sender_organisation} → {self.recipient}: {self.subject}"
