"""The consortium rule of the call, in one function that every submission calls.

At least one training body that has proven the digitalisation of its offer, at least one
tiers-lieu, and the lead. A partner counts once it has confirmed; for the opportunity note,
partners declared by the lead in a pending invitation may count too (`count_pending=True`).
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    DigitalProof,
    InvitationStatus,
    OrganisationKind,
    ParticipationRole,
    ParticipationStatus,
)


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: str
    ok: bool
    detail: str  # what is there, or what to do, in plain language


@dataclass(frozen=True)
class Composition:
    items: list[ChecklistItem]

    @property
    def ok(self) -> bool:
        return all(item.ok for item in self.items)

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.items if not item.ok]


def _has_proof(organisation) -> bool:
    try:
        return organisation.digital_proof is not None
    except DigitalProof.DoesNotExist:
        return False


def check_composition(collective, *, count_pending: bool, at=None) -> Composition:
    """The checklist of the collective's composition. Uses prefetched `participations`
    (with organisation and digital_proof) and `invitations` when present."""
    at = at or timezone.now()
    active = [p for p in collective.participations.all()
              if p.status == ParticipationStatus.CONFIRMED]
    pending = []
    if count_pending:
        pending = [i for i in collective.invitations.all()
                   if i.status == InvitationStatus.PENDING and i.expires_at > at]
    lead = next((p for p in active if p.role == ParticipationRole.LEAD), None)

    items = [ChecklistItem(
        code="lead", label=_("A lead organisation (chef de file)"), ok=lead is not None,
        detail=(_("%(org)s leads the collective.") % {"org": lead.organisation} if lead else
                _("Choose the organisation that leads the collective.")),
    )]

    bodies = [p.organisation for p in active
              if p.organisation.kind == OrganisationKind.TRAINING_BODY]
    proven = [org for org in bodies if _has_proof(org)]
    declared_bodies = [i for i in pending if i.declared_kind == OrganisationKind.TRAINING_BODY]
    if proven:
        detail, ok = _("%(org)s has described the digitalisation of its offer.") % {
            "org": proven[0]}, True
    elif declared_bodies:
        detail, ok = _("Invited, awaiting confirmation: %(org)s. It must describe the "
                       "digitalisation of its offer before the full dossier.") % {
            "org": declared_bodies[0].declared_name or declared_bodies[0].email}, True
    elif bodies:
        detail, ok = _("%(org)s must describe the digitalisation of its offer (proof of "
                       "digitalisation) on its organisation page.") % {"org": bodies[0]}, False
    else:
        detail, ok = _("Invite a training body that has already made all or part of its offer "
                       "digital, and ask it to confirm its participation."), False
    items.append(ChecklistItem(
        code="training_body",
        label=_("At least one training body with a proven digital offer"), ok=ok,
        detail=detail))

    places = [p.organisation for p in active if p.organisation.kind == OrganisationKind.TIERS_LIEU]
    declared_places = [i for i in pending if i.declared_kind == OrganisationKind.TIERS_LIEU]
    if places:
        detail, ok = _("%(org)s takes part.") % {"org": places[0]}, True
    elif declared_places:
        detail, ok = _("Invited, awaiting confirmation: %(org)s.") % {
            "org": declared_places[0].declared_name or declared_places[0].email}, True
    else:
        detail, ok = _("Invite a tiers-lieu and ask it to confirm its participation."), False
    items.append(ChecklistItem(code="tiers_lieu", label=_("At least one tiers-lieu"), ok=ok,
                               detail=detail))
    return Composition(items=items)
