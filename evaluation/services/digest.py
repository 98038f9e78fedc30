"""The officers' daily digest: what was filed since the previous digest (notes, dossiers) and
what awaits them (notes to decide, dossiers to declare admissible or not, evaluations still
missing, decision letters that failed, mails the outbox could not send, decision mails held
for their approval).

One mail a day (its deduplication key is the Paris date), to every Region officer, not sent
when there is nothing to say. « Since the previous digest » is read from the outbox: the last
digest written, so that a skipped (empty) day widens the next one instead of losing filings.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.urls import reverse

from applications.models import Dossier, DossierStatus, NoteStatus, OpportunityNote
from calls.models import CallStatus
from connaissance.accounts.roles import Role, emails_of_role
from connaissance.formatting import to_paris
from connaissance.mail.models import OutgoingMail
from connaissance.mail.services import queue_templated_mail

from ..models import Assignment, DecisionLetter, EvaluationStatus, LetterStatus

CAUSE = "evaluation:officer_digest"
FIRST_WINDOW = timedelta(hours=24)


@dataclass
class Digest:
    since: object
    until: object
    notes: list = field(default_factory=list)
    dossiers: list = field(default_factory=list)
    waits: dict = field(default_factory=dict)

    @property
    def is_empty(self):
        return not (self.notes or self.dossiers or any(self.waits.values()))

    def counts(self):
        return {"filed_notes": len(self.notes), "filed_dossiers": len(self.dossiers),
                **self.waits}


def previous_digest_at(now):
    last = (OutgoingMail.objects.filter(cause=CAUSE, created_at__lte=now)
            .order_by("-created_at").values_list("created_at", flat=True).first())
    return last or now - FIRST_WINDOW


def collect(*, since, until) -> Digest:
    """What the digest covering (since, until] says."""
    live = CallStatus.PUBLISHED  # waits of archived calls are over
    notes = (OpportunityNote.objects.filter(submitted_at__gt=since, submitted_at__lte=until)
             .select_related("collective__call").order_by("submitted_at", "pk"))
    dossiers = (Dossier.objects.filter(submitted_at__gt=since, submitted_at__lte=until)
                .select_related("note__collective__call").order_by("submitted_at", "pk"))
    waits = {
        "undecided_notes": OpportunityNote.objects.filter(
            status=NoteStatus.SUBMITTED, collective__call__status=live).count(),
        "awaiting_admissibility": Dossier.objects.filter(
            status=DossierStatus.SUBMITTED, note__collective__call__status=live).count(),
        "missing_evaluations": Assignment.objects.filter(
            dossier__status=DossierStatus.UNDER_EVALUATION,
            dossier__note__collective__call__status=live)
        .exclude(evaluation__status=EvaluationStatus.SUBMITTED).count(),
        "failed_letters": DecisionLetter.objects.filter(status=LetterStatus.FAILED).count(),
        "failed_mails": OutgoingMail.objects.filter(status=OutgoingMail.Status.FAILED).count(),
        "held_mails": OutgoingMail.objects.filter(status=OutgoingMail.Status.HELD).count(),
    }
    return Digest(since=since, until=until, notes=list(notes), dossiers=list(dossiers),
                  waits=waits)


def _admin(name):
    return settings.SITE_URL + reverse(f"admin:{name}_changelist")


def send_digest(*, now) -> dict:
    """Write today's digest (once a day, whatever the number of runs); skip an empty one."""
    recipients = emails_of_role(Role.REGION_OFFICER)
    day = to_paris(now).date()
    key = f"officer-digest:{day.isoformat()}"
    if not recipients:
        return {"sent": 0, "officers": 0}
    if OutgoingMail.objects.filter(dedup_key=key).exists():
        return {"sent": 0, "already": 1}
    digest = collect(since=previous_digest_at(now), until=now)
    if digest.is_empty:
        return {"sent": 0, "empty": 1}
    queue_templated_mail(
        to=recipients, template_prefix="evaluation/email/officer_digest", cause=CAUSE,
        dedup_key=key,
        context={"digest": digest, "day": day, "SITE_URL": settings.SITE_URL, "links": {
            "notes": _admin("applications_opportunitynote"),
            "dossiers": _admin("applications_dossier"),
            "evaluations": _admin("evaluation_evaluation"),
            "letters": _admin("evaluation_decisionletter"),
            "mails": _admin("mail_outgoingmail")}})
    return {"sent": 1, **digest.counts()}
