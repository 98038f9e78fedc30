"""The launch event: officers create it and invite the projects; each invited organisation
answers until the event starts; officers record the attendance once it has started.

- `save_launch_event` creates or changes the event (one per call). A change of what the
  invited need to know (title, dates, place, address, link, programme) after the invitations
  went out raises the event's version: the next `send_invitations` tells every invited
  organisation of the change, with the new .ics.
- `send_invitations` invites every organisation (lead and confirmed partners) of every open
  project of the call that is not invited yet, and sends the update to those invited to an
  older version. Each (invitation, version) is mailed once (outbox deduplication key), so a
  second run sends nothing.
- `answer_invitation`: a member of the invited organisation answers (attending with the number
  of people, or not), and may change the answer until the event starts.
- `record_attendance`: officers, once the event has started.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.models import Call
from connaissance.audit.services import record
from connaissance.files.services import store_generated
from connaissance.mail.services import queue_templated_mail
from consortia.models import ParticipationRole, ParticipationStatus
from consortia.rules import is_org_member
from consortia.services.notify import admin_emails

from ..calendar_file import launch_event_ics
from ..errors import LaureateError
from ..models import (
    Attendance,
    InvitationAnswer,
    LaunchEvent,
    LaunchInvitation,
    Project,
    ProjectStatus,
)
from .common import require_officer

# What the invited are told again when it changes.
NOTIFIED_FIELDS = ("title", "starts_at", "ends_at", "place", "address", "online_url",
                   "programme")
EDITABLE_FIELDS = NOTIFIED_FIELDS
MAX_ATTENDEES = 20
EMAILS = "laureates/email/"


def clean_event_values(values):
    """The event's values as they are kept (texts stripped, times to the minute, as calendars
    and people read them); refused without the essentials or ending before it starts."""
    values = dict(values)
    for name in ("title", "place", "address", "online_url"):
        values[name] = (values.get(name) or "").strip()
    for name in ("starts_at", "ends_at"):
        if values.get(name):
            values[name] = values[name].replace(second=0, microsecond=0)
    for name in ("title", "starts_at", "ends_at", "place", "programme"):
        if not values.get(name):
            raise LaureateError(_("Give the title, the start and end, the place and the "
                                  "programme of the event."))
    if values["ends_at"] <= values["starts_at"]:
        raise LaureateError(_("The event must end after it starts."), field="ends_at")
    return values


@transaction.atomic
def save_launch_event(*, officer, call, values, event=None):
    """Create the launch event of `call` (event=None) or change `event` with `values` (a dict
    of EDITABLE_FIELDS). Returns the event; its version goes up when invitations already sent
    need an update."""
    require_officer(officer)
    values = clean_event_values(
        {name: values.get(name, getattr(event, name, "")) for name in EDITABLE_FIELDS})
    if event is None:
        Call.objects.select_for_update().get(pk=call.pk)
        if LaunchEvent.objects.filter(call=call).exists():
            raise LaureateError(_("This call already has its launch event."))
        event = LaunchEvent.objects.create(call=call, created_by=officer, **values)
        record(actor=officer, obj=event, action="launch.created",
               data={"call": call.pk, **_audit_values(values)})
        return event
    locked = LaunchEvent.objects.select_for_update().get(pk=event.pk)
    changed = [name for name in EDITABLE_FIELDS if getattr(locked, name) != values[name]]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, values[name])
    if locked.invitations_sent_at is not None:
        locked.sequence += 1
    locked.save()
    record(actor=officer, obj=locked, action="launch.changed",
           data={"changed": changed, "sequence": locked.sequence,
                 **_audit_values({name: values[name] for name in changed})})
    return locked


def _audit_values(values):
    return {name: value.isoformat() if hasattr(value, "isoformat") else value
            for name, value in values.items()}


# --- invitations -----------------------------------------------------------------------------

def _invitable(call):
    """(project, organisation, role) of every organisation of every project still running
    or waiting for its agreement (not closed), lead first."""
    projects = (Project.objects.filter(collective__call=call)
                .exclude(status=ProjectStatus.CLOSED)
                .select_related("collective")
                .prefetch_related("collective__participations__organisation")
                .order_by("collective__name", "pk"))
    for project in projects:
        participations = sorted(
            (p for p in project.collective.participations.all()
             if p.status == ParticipationStatus.CONFIRMED),
            key=lambda p: (p.role != ParticipationRole.LEAD, p.organisation.legal_name))
        for participation in participations:
            yield project, participation.organisation, participation.role


def answer_link(project):
    return settings.SITE_URL + reverse("laureates:launch", args=[project.collective_id])


def _ics_file(event, project, officer):
    content = launch_event_ics(event, link=answer_link(project))
    return store_generated(content=content, name="lancement.ics", mime="text/calendar",
                           owner=project.collective, created_by=officer)


def pending_sends(event):
    """(new, updates): how many invitations the next `send_invitations` would send."""
    invited = {(i.project_id, i.organisation_id): i.sent_sequence
               for i in event.invitations.all()}
    new = updates = 0
    for project, organisation, _role in _invitable(event.call):
        sent = invited.get((project.pk, organisation.pk))
        if sent is None or sent < 0:
            new += 1
        elif sent < event.sequence:
            updates += 1
    return new, updates


@transaction.atomic
def send_invitations(*, officer, event, now=None):
    """Invite whoever is not invited yet and tell the others of a change; returns
    {"invited": n, "updated": n, "unmailed": [names]}, the last being the organisations with
    no administrator to mail (they see the invitation on the portal). Refused once the event
    has started."""
    require_officer(officer)
    now = now or timezone.now()
    event = (LaunchEvent.objects.select_for_update(of=("self",)).select_related("call")
             .get(pk=event.pk))
    if now >= event.starts_at:
        raise LaureateError(_("The event has started: invitations can no longer be sent."))
    existing = {(i.project_id, i.organisation_id): i
                for i in LaunchInvitation.objects.select_for_update().filter(event=event)}
    counts = {"invited": 0, "updated": 0}
    unmailed = []
    files = {}
    for project, organisation, role in _invitable(event.call):
        invitation = existing.get((project.pk, organisation.pk))
        if invitation is None:
            invitation = LaunchInvitation.objects.create(
                event=event, project=project, organisation=organisation, role=role)
        if invitation.sent_sequence >= event.sequence:
            continue
        update = invitation.sent_sequence >= 0
        recipients = admin_emails(organisation)
        if recipients:
            if project.pk not in files:
                files[project.pk] = _ics_file(event, project, officer)
            queue_templated_mail(
                to=recipients, cause="laureates:launch_invitation",
                template_prefix=EMAILS + ("launch_updated" if update else "launch_invitation"),
                dedup_key=f"launch:{event.pk}:{invitation.pk}:v{event.sequence}",
                attachment_ids=[files[project.pk].pk],
                context={"event": event, "call": event.call, "project": project,
                         "organisation": organisation, "link": answer_link(project)})
        else:
            unmailed.append(organisation.legal_name)
        invitation.sent_sequence = event.sequence
        invitation.save(update_fields=["sent_sequence"])
        counts["updated" if update else "invited"] += 1
    if counts["invited"] or counts["updated"]:
        event.invitations_sent_at = now
        event.save(update_fields=["invitations_sent_at"])
        record(actor=officer, obj=event, action="launch.invitations_sent",
               data={**counts, "unmailed": unmailed, "sequence": event.sequence})
    return {**counts, "unmailed": unmailed}


# --- answers and attendance ------------------------------------------------------------------

def can_answer(user, invitation):
    """A member of the invited organisation (and only one: a partner does not answer for the
    lead, nor the lead for a partner)."""
    return is_org_member(user, invitation.organisation)


@transaction.atomic
def answer_invitation(*, user, invitation, answer, attendees=None, attendee_names="",
                      remarks="", now=None):
    """The answer of `invitation`'s organisation, by one of its members, until the event
    starts (checked in this transaction)."""
    now = now or timezone.now()
    locked = (LaunchInvitation.objects.select_for_update(of=("self",))
              .select_related("event", "organisation").get(pk=invitation.pk))
    if not can_answer(user, locked):
        raise LaureateError(_("Only a member of the invited organisation can answer."))
    if now >= locked.event.starts_at:
        raise LaureateError(_("The event has started: the answers are closed."))
    if answer == InvitationAnswer.ATTENDING:
        try:
            attendees = int(attendees)
        except (TypeError, ValueError):
            attendees = 0
        if not 1 <= attendees <= MAX_ATTENDEES:
            raise LaureateError(_("Say how many people will come (from 1 to %(max)s).")
                                % {"max": MAX_ATTENDEES})
    elif answer == InvitationAnswer.DECLINED:
        attendees, attendee_names = 0, ""
    else:
        raise LaureateError(_("Say whether your organisation will attend."))
    before = locked.answer
    locked.answer, locked.attendees = answer, attendees
    locked.attendee_names = (attendee_names or "").strip()
    locked.remarks = (remarks or "").strip()
    locked.answered_by, locked.answered_at = user, now
    locked.save()
    record(actor=user, obj=locked.event, action="launch.answer", from_state=before,
           to_state=answer, data={"invitation": locked.pk, "organisation":
                                  locked.organisation.legal_name, "attendees": attendees})
    return locked


@transaction.atomic
def record_attendance(*, officer, invitation, attendance, attended_count=None, now=None):
    """Officers record who came, once the event has started."""
    require_officer(officer)
    now = now or timezone.now()
    locked = (LaunchInvitation.objects.select_for_update(of=("self",))
              .select_related("event", "organisation").get(pk=invitation.pk))
    if now < locked.event.starts_at:
        raise LaureateError(_("The attendance can be recorded once the event has started."))
    if attendance == Attendance.PRESENT:
        attended_count = attended_count or locked.attendees or 1
        if attended_count < 1:
            raise LaureateError(_("Give the number of people present."))
    elif attendance in (Attendance.ABSENT, Attendance.NOT_RECORDED):
        attended_count = None
    else:
        raise LaureateError(_("Choose present or absent."))
    if (locked.attendance, locked.attended_count) == (attendance, attended_count):
        return locked
    record(actor=officer, obj=locked.event, action="launch.attendance",
           from_state=locked.attendance, to_state=attendance,
           data={"invitation": locked.pk, "organisation": locked.organisation.legal_name,
                 "people": attended_count})
    locked.attendance, locked.attended_count = attendance, attended_count
    locked.save(update_fields=["attendance", "attended_count"])
    return locked
