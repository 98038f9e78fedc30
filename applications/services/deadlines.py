"""The calendar acting on its own, run by the periodic tasks of `applications.tasks`.

- `close_windows`: once the pre-selection window (notes) or the dossier filing window is
  over, drafts still open become « non déposé(e) » through their lifecycle's `expire` (kept,
  readable, audited as done by the system); officers get one summary per closing.
- `reopen_windows`: when officers move a closed window's end later (« report de la date
  limite »), filing is allowed again: its « non déposé(e) » notes or dossiers become drafts
  again through `reopen` (audited, done by the system), and each collective is told once
  for that new deadline.
- `announce_openings`: when the full dossier opens, the collectives pre-selected by then are
  told, with the link to their dossier.
- `remind_drafts`: before a deadline, at each of the call's reminder days, collectives that
  have not filed are reminded (the deadline in words, the link to the draft).

The refusal of a late filing does not depend on any of this: the filing services check the
deadline themselves, in their own transaction. These jobs do the bulk work, exactly once:
every notice has a deduplication key (OutgoingMail.dedup_key is unique), a closing runs under a
row lock on its phase, and each draft is expired under its own row lock by Lifecycle.apply, so
two runs at once, or a run repeated, do nothing twice.

Membership locks need no work here: `consortia.services.collectives.membership_locked`
computes them from the calendar (the locking phase's end), at the very moment of each change.
"""

from dataclasses import dataclass
from datetime import UTC, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls import calendar
from calls.models import Call, CallStatus, Phase, PhaseKind
from connaissance.accounts.roles import Role, emails_of_role
from connaissance.mail.models import OutgoingMail
from connaissance.mail.services import queue_templated_mail
from connaissance.workflow import TransitionNotAllowed
from consortia.models import Collective, ParticipationRole
from consortia.services.collectives import lock_phase
from consortia.services.notify import admin_emails

from ..dossier_workflow import DOSSIER_LIFECYCLE
from ..models import Dossier, DossierStatus, NoteStatus, OpportunityNote
from ..workflow import NOTE_LIFECYCLE

# A closing found later than this (the scheduler was down, or the feature is new) still
# expires the drafts, but the officers' summary, by then stale, is not sent.
SUMMARY_CATCH_UP = timedelta(days=7)
EMAILS = "applications/email/"


@dataclass(frozen=True)
class Window:
    """A filing window of the calendar, what it files and the action the calendar guards."""

    code: str
    kind: str
    action: str
    label: object


NOTES = Window("note", PhaseKind.PRESELECTION, "submit_note",
               gettext_lazy("filing of the opportunity notes"))
DOSSIERS = Window("dossier", PhaseKind.FILING, "submit_dossier",
                  gettext_lazy("filing of the full dossiers"))
WINDOWS = (NOTES, DOSSIERS)


def _calls(*statuses):
    return Call.objects.filter(status__in=statuses).with_calendar().order_by("pk")


def _stamp(moment):
    """A deadline as it appears in deduplication keys (UTC, to the second)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _already_queued(keys):
    return set(OutgoingMail.objects.filter(dedup_key__in=list(keys))
               .values_list("dedup_key", flat=True))


def _link(name, collective):
    return settings.SITE_URL + reverse(name, args=[collective.pk])


def _decision_held(collectives):
    """Pks of the collectives whose pre-selection mail still waits for an officer's approval
    in the outbox: nothing may tell them about their dossier before it goes."""
    keys = {f"note-decision-{c.note.pk}": c.pk for c in collectives}
    held = OutgoingMail.objects.filter(dedup_key__in=list(keys),
                                       status=OutgoingMail.Status.HELD)
    return {keys[key] for key in held.values_list("dedup_key", flat=True)}


def _lead_admins(collective):
    lead = next((p.organisation for p in collective.participations.all()
                 if p.role == ParticipationRole.LEAD), None)
    return admin_emails(lead) if lead is not None else []


# --- Closing ---------------------------------------------------------------------------------

def _drafts(window, call):
    if window is NOTES:
        return OpportunityNote.objects.filter(collective__call=call, status=NoteStatus.DRAFT)
    return Dossier.objects.filter(note__collective__call=call, status=DossierStatus.DRAFT)


def _move(window, obj, *, expired, deadline, reason):
    """Move a note or dossier of `window` by the calendar (the system's doing): draft →
    « non déposé(e) » (`expired`) or back. False when another run, or a filing in the last
    second, got there first."""
    lifecycle = NOTE_LIFECYCLE if window is NOTES else DOSSIER_LIFECYCLE
    statuses = NoteStatus if window is NOTES else DossierStatus
    try:
        lifecycle.apply(obj, to_state=statuses.EXPIRED if expired else statuses.DRAFT,
                        actor=None, reason=reason, data={"deadline": deadline.isoformat()})
    except TransitionNotAllowed:
        return False
    return True


def _expire(window, obj, phase):
    return _move(window, obj, expired=True, deadline=phase.ends_at,
                 reason=_("The filing window closed before this draft was filed."))


def tally(window, call) -> dict:
    """What a closed window leaves: filed, expired drafts, never started."""
    if window is NOTES:
        notes = OpportunityNote.objects.filter(collective__call=call)
        return {"filed": notes.filter(submitted_at__isnull=False).count(),
                "expired": notes.filter(status=NoteStatus.EXPIRED).count(),
                "not_started": Collective.objects.filter(call=call, note__isnull=True).count()}
    dossiers = Dossier.objects.filter(note__collective__call=call)
    return {"filed": dossiers.filter(submitted_at__isnull=False).count(),
            "expired": dossiers.filter(status=DossierStatus.EXPIRED).count(),
            "not_started": OpportunityNote.objects.filter(
                collective__call=call, status=NoteStatus.PRESELECTED,
                dossier__isnull=True).count()}


def _summarise(window, call, phase, *, now):
    """One summary per closing to the Region officers (none for a closing found too late)."""
    if now - phase.ends_at > SUMMARY_CATCH_UP:
        return False
    key = f"window-closed:{call.pk}:{window.code}:{_stamp(phase.ends_at)}"
    recipients = emails_of_role(Role.REGION_OFFICER)
    if not recipients or _already_queued([key]):
        return False
    admin_list = "admin:applications_opportunitynote_changelist" if window is NOTES \
        else "admin:applications_dossier_changelist"
    queue_templated_mail(
        to=recipients, template_prefix=EMAILS + "window_closed", cause="applications:closing",
        dedup_key=key,
        context={"call": call, "window": window, "deadline": phase.ends_at,
                 "counts": tally(window, call), "locks": lock_phase(call) == window.kind,
                 "link": settings.SITE_URL + reverse(admin_list), "SITE_URL": settings.SITE_URL})
    return True


def close_window(*, call, window, now) -> dict:
    """Expire the drafts of `window` in `call` if it is over, then tell the officers.

    Runs under a row lock on the phase: a second run (another beat) waits for the first to
    commit, then finds nothing left to do."""
    phase = calendar.phase(call, window.kind)
    if not calendar.has_closed(phase, now):
        return {"expired": 0, "summaries": 0}
    with transaction.atomic():
        phase = Phase.objects.select_for_update().get(pk=phase.pk)
        if not calendar.has_closed(phase, now):  # moved by an officer meanwhile
            return {"expired": 0, "summaries": 0}
        expired = sum(_expire(window, draft, phase)
                      for draft in _drafts(window, call).order_by("pk").only("pk"))
        summaries = int(_summarise(window, call, phase, now=now))
    return {"expired": expired, "summaries": summaries}


def close_windows(*, now) -> dict:
    """Every closed window of every call that has been published (archived ones included:
    a draft left there is expired too)."""
    counts = {"expired": 0, "summaries": 0}
    for call in _calls(CallStatus.PUBLISHED, CallStatus.ARCHIVED):
        for window in WINDOWS:
            for name, value in close_window(call=call, window=window, now=now).items():
                counts[name] += value
    return counts


# --- Reopening after a moved deadline ------------------------------------------------------

def _expired(window, call):
    if window is NOTES:
        found = OpportunityNote.objects.filter(collective__call=call, status=NoteStatus.EXPIRED)
        return found.select_related("collective").prefetch_related(
            "collective__participations__organisation")
    found = Dossier.objects.filter(note__collective__call=call, status=DossierStatus.EXPIRED)
    return found.select_related("note__collective").prefetch_related(
        "note__collective__participations__organisation")


def _reopen(window, obj, deadline):
    return _move(window, obj, expired=False, deadline=deadline,
                 reason=_("The deadline was moved: the filing window is open again."))


def _reopenable(call, window, now) -> bool:
    """Filing in `window` is allowed again, and, for notes, a dossier can still follow."""
    if not calendar.is_allowed(call, window.action, now):
        return False
    return window is not NOTES or not calendar.has_closed(
        calendar.phase(call, DOSSIERS.kind), now)


def reopen_window(*, call, window, now) -> int:
    """Give back the expired drafts of `window` in `call` if filing is allowed again.

    Under a row lock on the phase, with the calendar read again once it is held (officers
    may have moved the end back meanwhile), as `close_window` does."""
    if not _reopenable(call, window, now):
        return 0
    reopened = 0
    with transaction.atomic():
        Phase.objects.select_for_update().get(pk=calendar.phase(call, window.kind).pk)
        call = Call.objects.with_calendar().get(pk=call.pk)
        if not _reopenable(call, window, now):
            return 0
        deadline = calendar.phase(call, window.kind).ends_at
        found = list(_expired(window, call).order_by("pk"))
        keys = {obj.pk: f"reopened:{window.code}:{obj.pk}:{_stamp(deadline)}" for obj in found}
        done = _already_queued(keys.values())
        link = "applications:note" if window is NOTES else "applications:dossier"
        for obj in found:
            if not _reopen(window, obj, deadline):
                continue
            reopened += 1
            collective = obj.collective if window is NOTES else obj.note.collective
            recipients = _lead_admins(collective)
            if keys[obj.pk] in done or not recipients:
                continue
            queue_templated_mail(
                to=recipients, template_prefix=EMAILS + "window_reopened",
                cause=f"applications:{window.code}_reopened", dedup_key=keys[obj.pk],
                context={"call": call, "collective": collective, "window": window,
                         "deadline": deadline, "SITE_URL": settings.SITE_URL,
                         "link": settings.SITE_URL + reverse(link, args=[collective.pk])})
    return reopened


def reopen_windows(*, now) -> dict:
    counts = {"reopened": 0}
    for call in _calls(CallStatus.PUBLISHED):
        for window in WINDOWS:
            counts["reopened"] += reopen_window(call=call, window=window, now=now)
    return counts


# --- Opening of the full dossier --------------------------------------------------------------

def _told_at_opening(call, opens):
    """Pre-selected collectives (decided by the opening) whose dossier is not filed."""
    return (Collective.objects.filter(call=call, note__status=NoteStatus.PRESELECTED)
            .filter(Q(note__decided_at__isnull=True) | Q(note__decided_at__lte=opens))
            .filter(Q(note__dossier__isnull=True) | Q(note__dossier__status=DossierStatus.DRAFT))
            .select_related("note").prefetch_related("participations__organisation")
            .order_by("pk"))


def announce_openings(*, now) -> dict:
    """Tell each pre-selected collective, once, that its full dossier can be filed.

    The notice goes while filing is allowed (from the dossier's opening to the deadline; sent
    late if the scheduler was down at the opening). Collectives pre-selected after the
    opening are not concerned: their pre-selection mail already leads to the dossier. Nor is
    a collective whose pre-selection mail officers still hold in the outbox (it is told at the
    first run after they approve it).
    Other openings are not announced: the pre-selection window opens the day after the call
    is published, and collectives only form once it is; incubation and selection concern
    the tiers-lieux staff and the officers."""
    sent = 0
    for call in _calls(CallStatus.PUBLISHED):
        if not calendar.is_allowed(call, DOSSIERS.action, now):
            continue
        opens = calendar.opened_at(call, DOSSIERS.action)
        deadline = calendar.phase(call, DOSSIERS.kind).ends_at
        collectives = list(_told_at_opening(call, opens))
        held = _decision_held(collectives)
        collectives = [c for c in collectives if c.pk not in held]
        keys = {c.pk: f"dossier-opened:{c.pk}" for c in collectives}
        done = _already_queued(keys.values())
        for collective in collectives:
            recipients = _lead_admins(collective)
            if keys[collective.pk] in done or not recipients:
                continue
            queue_templated_mail(
                to=recipients, template_prefix=EMAILS + "dossier_opened",
                cause="applications:dossier_opened", dedup_key=keys[collective.pk],
                context={"call": call, "collective": collective, "deadline": deadline,
                         "SITE_URL": settings.SITE_URL,
                         "link": _link("applications:dossier", collective)})
            sent += 1
    return {"notices": sent}


# --- Reminders ---------------------------------------------------------------------------------

def unfiled(window, call):
    """Collectives that still have to file in `window`: a draft, or nothing started yet (a
    collective of the call without a note; a pre-selected one without a dossier)."""
    if window is NOTES:
        found = Collective.objects.filter(call=call).filter(
            Q(note__isnull=True) | Q(note__status=NoteStatus.DRAFT))
    else:
        found = Collective.objects.filter(call=call, note__status=NoteStatus.PRESELECTED).filter(
            Q(note__dossier__isnull=True) | Q(note__dossier__status=DossierStatus.DRAFT)
        ).select_related("note")
    return found.prefetch_related("participations__organisation").order_by("pk")


def remind_window(*, call, window, now) -> int:
    """Send the reminder due now for `window` (see calendar.due_reminder for the rule after
    an outage) to the collectives that have not filed; each (collective, deadline, day) once."""
    offsets = call.reminder_offsets
    if not offsets or not calendar.is_allowed(call, window.action, now):
        return 0
    deadline = calendar.phase(call, window.kind).ends_at
    days = calendar.due_reminder(deadline, offsets, now)
    if days is None:
        return 0
    collectives = list(unfiled(window, call))
    if window is DOSSIERS:
        held = _decision_held(collectives)
        collectives = [c for c in collectives if c.pk not in held]
    keys = {c.pk: f"reminder:{window.code}:{c.pk}:{_stamp(deadline)}:J-{days}"
            for c in collectives}
    done = _already_queued(keys.values())
    link = "applications:note" if window is NOTES else "applications:dossier"
    sent = 0
    for collective in collectives:
        recipients = _lead_admins(collective)
        if keys[collective.pk] in done or not recipients:
            continue
        queue_templated_mail(
            to=recipients, template_prefix=EMAILS + "draft_reminder",
            cause=f"applications:{window.code}_reminder", dedup_key=keys[collective.pk],
            context={"call": call, "collective": collective, "window": window, "days": days,
                     "deadline": deadline, "time_left": deadline - now,
                     "link": _link(link, collective), "SITE_URL": settings.SITE_URL})
        sent += 1
    return sent


def remind_drafts(*, now) -> dict:
    counts = {"note_reminders": 0, "dossier_reminders": 0}
    for call in _calls(CallStatus.PUBLISHED):
        for window in WINDOWS:
            counts[f"{window.code}_reminders"] += remind_window(call=call, window=window,
                                                                 now=now)
    return counts
