"""Decision letters: for every announced decision of a call, a letter is queued, then rendered
to PDF from the call's letter template (archived privately with its SHA-256, owned by the
collective) and e-mailed to the lead's administrators with the PDF attached.

`queue_letters` is what the officers' button runs: it creates the rows (one current letter
per announced decision) and hands one background task per letter to the workers; running it
again queues nothing already sent, and puts failed letters back in the queue.
`produce_letter` is what the task runs: each step under a row lock, so that a task run twice
(a retry, a second run) never renders nor sends twice. Every move goes through
LETTER_LIFECYCLE. A sent letter never changes: `correct_letter` queues a new version.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from connaissance.audit.services import record
from connaissance.files.services import store_generated
from connaissance.mail.services import queue_templated_mail
from consortia.services.notify import admin_emails

from ..errors import EvaluationError
from ..letter_rendering import LETTER_LANGUAGE, lead_of, render_letter, values_for
from ..letter_workflow import LETTER_LIFECYCLE
from ..models import Decision, DecisionLetter, DecisionOutcome, LetterBatch, LetterTemplate
from ..models import LetterStatus as S
from .common import require_officer, required_text

logger = logging.getLogger(__name__)
TRANSIENT = (OSError, ConnectionError)
RELATED = "decision__dossier__note__collective__call"


class LetterError(Exception):
    """Why a letter cannot be produced (recorded on the letter, not retried)."""


def announced_decisions(call):
    return (Decision.objects.filter(dossier__note__collective__call=call,
                                    announced_at__isnull=False)
            .select_related("dossier__note__collective__call"))


def _check_templates(call, outcomes):
    present = set(LetterTemplate.objects.filter(call=call, outcome__in=outcomes)
                  .values_list("outcome", flat=True))
    missing = [label for value, label in DecisionOutcome.choices
               if value in outcomes and value not in present]
    if missing:
        raise EvaluationError(_("Write the letter templates of this call first: %(outcomes)s.")
                              % {"outcomes": ", ".join(str(label) for label in missing)})


def _latest_letters(decision_ids):
    latest = {}
    for letter in (DecisionLetter.objects.filter(decision_id__in=decision_ids)
                   .order_by("decision_id", "version")):
        latest[letter.decision_id] = letter
    return latest


def is_current(letter, decision):
    """Whether `letter` announces the decision as it stands (not an earlier decision, e.g.
    the « waiting list » one a later selection replaced)."""
    return (letter is not None and letter.outcome == decision.outcome
            and letter.decision_announced_at == decision.announced_at)


@transaction.atomic
def queue_letters(*, officer, call):
    """Queue the letters of every announced decision of `call` and start their production in
    the background (after the commit). A decision whose current letter is sent is skipped;
    a failed one is queued again; one still in production is handed to the workers again
    (harmless: production is idempotent). Returns the counts and the batch (None when
    nothing new was queued)."""
    require_officer(officer)
    decisions = list(announced_decisions(call).select_for_update(of=("self",))
                     .order_by("dossier__reference", "pk"))
    result = {"batch": None, "queued": 0, "retried": 0, "resumed": 0, "skipped": 0}
    if not decisions:
        return result
    _check_templates(call, {decision.outcome for decision in decisions})
    latest = _latest_letters([decision.pk for decision in decisions])
    new, retried, resumed = [], [], []
    for decision in decisions:
        letter = latest.get(decision.pk)
        if not is_current(letter, decision):
            new.append(DecisionLetter(
                decision=decision, version=letter.version + 1 if letter else 1,
                outcome=decision.outcome, decision_announced_at=decision.announced_at,
                created_by=officer))
        elif letter.status == S.FAILED:
            retried.append(letter)
        elif letter.status in (S.QUEUED, S.RENDERED):
            resumed.append(letter.pk)
        else:
            result["skipped"] += 1
    if new or retried:
        batch = LetterBatch.objects.create(call=call, requested_by=officer,
                                           total=len(new) + len(retried))
        for letter in new:
            letter.batch = batch
        new = DecisionLetter.objects.bulk_create(new)
        for letter in new:
            record(actor=officer, obj=letter, action="letter.queued",
                   data={"batch": batch.pk, "outcome": letter.outcome})
        for letter in retried:
            DecisionLetter.objects.filter(pk=letter.pk).update(batch=batch)
            LETTER_LIFECYCLE.apply(letter, to_state=S.QUEUED, actor=officer,
                                   reason=letter.error, data={"batch": batch.pk})
        result["batch"] = batch
    result.update(queued=len(new), retried=len(retried), resumed=len(resumed))
    ids = [letter.pk for letter in new + retried] + resumed
    if ids:
        transaction.on_commit(lambda: enqueue(ids))
    return result


@transaction.atomic
def correct_letter(*, officer, decision, reason):
    """Queue a corrected version of the sent letter of `decision`; the sent one is kept
    unchanged. The new letter says which letter it replaces and why."""
    require_officer(officer)
    reason = required_text(reason, _("Give the reason for the correction."))
    locked = (Decision.objects.select_for_update(of=("self",))
              .select_related("dossier__note__collective__call").get(pk=decision.pk))
    latest = _latest_letters([locked.pk]).get(locked.pk)
    if not is_current(latest, locked) or latest.status != S.SENT:
        raise EvaluationError(_("Only a sent letter can be corrected: generate and send the "
                                "letters of the call first."))
    _check_templates(locked.dossier.note.collective.call, {locked.outcome})
    letter = DecisionLetter.objects.create(
        decision=locked, version=latest.version + 1, outcome=locked.outcome,
        decision_announced_at=locked.announced_at, reason=reason, replaces=latest,
        created_by=officer)
    record(actor=officer, obj=letter, action="letter.correction_queued", reason=reason,
           data={"replaces": latest.reference, "version": letter.version})
    transaction.on_commit(lambda: enqueue([letter.pk]))
    return letter


def enqueue(letter_ids):
    from ..tasks import produce_letter_task

    for letter_id in letter_ids:
        try:
            produce_letter_task.delay(letter_id)
        except Exception:  # noqa: BLE001 - broker down: the letters stay queued
            logger.warning("Broker unreachable; letters %s stay queued (run the letters "
                           "again to resume them).", letter_ids)
            return


# --- production (the background task) ---------------------------------------------------------

def produce_letter(*, letter_id, last_attempt=True):
    """Render, archive and send one letter; returns its status. A transient failure (storage,
    network) is raised again for the task's retry unless it is the last attempt; any other
    failure, or the last one, moves the letter to « failed » with the error."""
    try:
        status = _render(letter_id)
        if status == S.RENDERED:
            status = _send(letter_id)
        return status
    except TRANSIENT as exc:
        if not last_attempt:
            DecisionLetter.objects.filter(pk=letter_id).update(error=_describe(exc))
            raise
        return _fail(letter_id, exc)
    except Exception as exc:  # noqa: BLE001 - recorded on the letter, shown to officers
        if not isinstance(exc, LetterError):
            logger.exception("Decision letter %s failed", letter_id)
        return _fail(letter_id, exc)


def _locked(letter_id):
    return (DecisionLetter.objects.select_for_update(of=("self",))
            .select_related(RELATED, "replaces__decision__dossier").filter(pk=letter_id)
            .first())


@transaction.atomic
def _render(letter_id):
    letter = _locked(letter_id)
    if letter is None or letter.status != S.QUEUED:
        return letter and letter.status
    decision = letter.decision
    if not is_current(letter, decision):
        raise LetterError(_("The decision changed after this letter was queued."))
    call = decision.dossier.note.collective.call
    template = LetterTemplate.objects.filter(call=call, outcome=letter.outcome).first()
    if template is None:
        raise LetterError(_("The call has no letter template for this decision."))
    dated = timezone.localdate()
    values = values_for(decision, version=letter.version, dated=dated,
                        previous=letter.replaces,
                        correction_reason=letter.reason if letter.replaces_id else "")
    content, texts = render_letter(template, values)
    stored = store_generated(content=content, name=f"{letter.reference}.pdf",
                             mime="application/pdf", owner=decision.dossier.note.collective,
                             created_by=letter.created_by)
    DecisionLetter.objects.filter(pk=letter.pk).update(
        file=stored, sha256=stored.sha256, dated=dated, subject=texts["subject"][:255])
    LETTER_LIFECYCLE.apply(letter, to_state=S.RENDERED, actor=None,
                           data={"file": str(stored.pk), "sha256": stored.sha256})
    return S.RENDERED


def recipients(dossier, lead):
    emails = set(admin_emails(lead)) if lead is not None else set()
    if dossier.submitted_by_id and dossier.submitted_by.email:
        emails.add(dossier.submitted_by.email)
    return sorted(emails)


@transaction.atomic
def _send(letter_id):
    letter = _locked(letter_id)
    if letter is None or letter.status != S.RENDERED:
        return letter and letter.status
    dossier = letter.decision.dossier
    collective = dossier.note.collective
    to = recipients(dossier, lead_of(collective))
    if not to:
        raise LetterError(_("Nobody to send the letter to: the lead organisation has no "
                            "administrator with an e-mail address."))
    context = {"subject": letter.subject, "dossier": dossier, "collective": collective,
               "call": collective.call, "reference": letter.reference,
               "sha256": letter.sha256, "SITE_URL": settings.SITE_URL,
               "previous": letter.replaces.reference if letter.replaces_id else ""}
    with translation.override(LETTER_LANGUAGE):
        mail = queue_templated_mail(
            to=to, template_prefix="evaluation/email/decision_letter", context=context,
            cause="evaluation:decision_letter", attachment_ids=[letter.file_id],
            dedup_key=f"decision-letter-{letter.pk}",
            # Officers may want to read decision mails in the outbox before they go.
            hold=collective.call.hold_decision_mails)
    DecisionLetter.objects.filter(pk=letter.pk).update(mail=mail, sent_at=timezone.now(),
                                                       error="")
    LETTER_LIFECYCLE.apply(letter, to_state=S.SENT, actor=None,
                           data={"mail": mail.pk, "to": to})
    _count(letter.batch_id, done=1)
    return S.SENT


def _describe(exc):
    return (str(exc) if isinstance(exc, LetterError)
            else f"{type(exc).__name__}: {exc}")[:2000]


def _fail(letter_id, exc):
    with transaction.atomic():
        letter = _locked(letter_id)
        if letter is None or letter.status not in (S.QUEUED, S.RENDERED):
            return letter and letter.status
        error = _describe(exc)
        DecisionLetter.objects.filter(pk=letter.pk).update(error=error)
        LETTER_LIFECYCLE.apply(letter, to_state=S.FAILED, actor=None, reason=error)
        _count(letter.batch_id, failed=1)
    return S.FAILED


def _count(batch_id, *, done=0, failed=0):
    """Add to a batch's counters (in the database, whatever other workers do meanwhile)."""
    if batch_id is None:
        return
    LetterBatch.objects.filter(pk=batch_id).update(done=F("done") + done,
                                                   failed=F("failed") + failed)
    LetterBatch.objects.filter(pk=batch_id, finished_at__isnull=True,
                               total__lte=F("done") + F("failed")).update(
        finished_at=timezone.now())
