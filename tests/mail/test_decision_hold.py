"""Officers may have decision mails wait in the outbox for their approval (a call setting):
the note decision and the decision letter then wait, held; transactional mails (receipts,
account mails) never do."""

from importlib import import_module

import pytest
from django.core import mail as django_mail
from django.urls import reverse

from applications.models import NoteStatus
from applications.services.decisions import decide_note
from calls.models import Call
from connaissance.mail.models import OutgoingMail
from connaissance.mail.services import approve_mails
from evaluation.models import DecisionLetter, LetterStatus
from evaluation.services import announce, stage_decision
from evaluation.services.letters import produce_letter, queue_letters
from tests.applications.factories import TINY_PDF, filed_note
from tests.evaluation.builders import admissible_dossier, assign, evaluator, grid, region_officer
from tests.factories import CallFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = OutgoingMail.Status
MESSAGE = "Votre note est retenue : l'incubation commence la semaine prochaine."


@pytest.fixture(autouse=True)
def _no_pdf_rendering(monkeypatch):
    """Filing renders receipts and dossier PDFs that these tests never read."""
    for path in ["applications.services.drafts", "applications.services.filing",
                 "applications.services.dossier_filing", "applications.dossier_documents"]:
        module = import_module(path)
        if hasattr(module, "render_pdf"):
            monkeypatch.setattr(module, "render_pdf", lambda *args, **kwargs: TINY_PDF)


@pytest.mark.parametrize("hold", [True, False])
def test_the_note_decision_mail_waits_when_the_call_says_so(
        hold, eager_celery, django_capture_on_commit_callbacks):
    call = CallFactory(hold_decision_mails=hold)
    note = filed_note(call=call)
    django_mail.outbox.clear()
    agent = region_officer()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        decide_note(officer=agent, note=note, decision=NoteStatus.PRESELECTED, message=MESSAGE)
    mail = OutgoingMail.objects.get(cause="applications:note_decision")
    if hold:
        assert mail.status == Status.HELD and django_mail.outbox == []
        assert len(callbacks) == 0
        with django_capture_on_commit_callbacks(execute=True):
            approve_mails(officer=agent, mail_ids=[mail.pk])
        mail.refresh_from_db()
        assert mail.approved_by == agent
    assert mail.status == Status.SENT
    [message] = django_mail.outbox
    assert MESSAGE in message.body


@pytest.mark.parametrize("hold", [True, False])
def test_the_decision_letter_mail_waits_when_the_call_says_so(hold):
    call = CallFactory(hold_decision_mails=hold)
    grid(call)
    agent = region_officer()
    dossier, _member = admissible_dossier(call=call, agent=agent)
    assign(agent, dossier, evaluator())
    dossier.refresh_from_db()
    stage_decision(officer=agent, dossier=dossier, outcome="rejected",
                   reasons="Le budget reste à consolider.")
    announce(officer=agent, call=call)
    queue_letters(officer=agent, call=call)
    letter = DecisionLetter.objects.get()
    assert produce_letter(letter_id=letter.pk) == LetterStatus.SENT
    letter.refresh_from_db()
    assert letter.mail.cause == "evaluation:decision_letter"
    assert letter.mail.attachment_ids == [str(letter.file_id)]
    assert letter.mail.status == (Status.HELD if hold else Status.QUEUED)


def test_receipts_and_account_mails_are_never_held(client):
    call = CallFactory(hold_decision_mails=True)
    Call.objects.update(hold_decision_mails=True)
    filed_note(call=call)
    receipts = OutgoingMail.objects.filter(cause__in=["applications:note_receipt",
                                                      "applications:note_filed"])
    assert sorted(receipts.values_list("status", flat=True)) == [Status.QUEUED] * 2
    user = UserFactory(email="porteuse@example.org")
    client.post(reverse("account_reset_password"), {"email": user.email})
    reset = OutgoingMail.objects.get(cause="account:password_reset_key")
    assert reset.status == Status.QUEUED and reset.to == ["porteuse@example.org"]
    assert not OutgoingMail.objects.filter(status=Status.HELD).exists()
