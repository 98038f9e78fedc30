"""Builders of the deadline tests: a call with a fixed calendar (far from the 2023 call, so that
its long-closed windows stay out of the way), collectives holding a draft, a filed note, a
pre-selected note with or without a dossier."""

from datetime import date, datetime

from django.utils import timezone

from applications.models import Dossier, DossierStatus, NoteStatus
from calls.calendar import end_of_day, start_of_day
from calls.models import PhaseKind
from connaissance.formatting import PARIS
from consortia.models import MemberRole, Membership
from tests.applications.factories import NoteFactory
from tests.consortia.factories import CollectiveFactory, MembershipFactory, OrganisationFactory
from tests.factories import CallFactory, PhaseFactory, officer

PRESELECTION_END = date(2030, 3, 15)
DOSSIER_OPENS = date(2030, 3, 16)
FILING_END = date(2030, 5, 15)


def paris(*args):
    """An aware instant given in Paris wall-clock time."""
    return datetime(*args, tzinfo=PARIS)


def deadline_call(*, preselection_end=PRESELECTION_END, filing_end=FILING_END,
                  dossier_opens=DOSSIER_OPENS, **fields):
    call = CallFactory(calendar=False, **fields)
    PhaseFactory(call=call, kind=PhaseKind.PRESELECTION, starts_at=start_of_day(date(2030, 1, 7)),
                 ends_at=end_of_day(preselection_end))
    PhaseFactory(call=call, kind=PhaseKind.DOSSIER_OPENING, starts_at=start_of_day(dossier_opens),
                 ends_at=None)
    PhaseFactory(call=call, kind=PhaseKind.FILING, starts_at=start_of_day(date(2030, 1, 7)),
                 ends_at=end_of_day(filing_end))
    return call


def collective_with_admin(call, **kwargs):
    """A collective whose lead organisation has an administrator (who gets the notices)."""
    lead = OrganisationFactory()
    collective = CollectiveFactory(call=call, lead=lead, **kwargs)
    admin = MembershipFactory(organisation=lead, role=MemberRole.ADMIN).user
    return collective, admin


def draft_note(call, **kwargs):
    collective, admin = collective_with_admin(call)
    return NoteFactory(collective=collective, **kwargs), admin


def filed_note(call):
    collective, admin = collective_with_admin(call)
    return NoteFactory(collective=collective, submitted=True), admin


def preselected(call, *, decided_at=None, dossier_status=None):
    """A pre-selected note (decided at `decided_at`), with a dossier in `dossier_status`
    (none when None)."""
    collective, admin = collective_with_admin(call)
    note = NoteFactory(collective=collective, submitted=True, status=NoteStatus.PRESELECTED,
                       decided_at=decided_at or paris(2030, 3, 1, 10, 0))
    if dossier_status is not None:
        filed = dossier_status != DossierStatus.DRAFT
        Dossier.objects.create(note=note, status=dossier_status,
                               submitted_at=timezone.now() if filed else None,
                               reference=f"D-{note.pk}" if filed else "")
    return note, admin


def officers(count=1):
    return [officer(totp=False) for _ in range(count)]


def admins_of(collective):
    return sorted(Membership.objects.filter(
        organisation__participations__collective=collective,
        organisation__participations__role="lead", role=MemberRole.ADMIN)
        .values_list("user__email", flat=True))
