"""Decision letters (issue 6): rendered from the call's letter template to a real PDF (read
back with pypdf), archived with its SHA-256, e-mailed once with the PDF attached, produced in
the background (a real Celery worker), never changed once sent (a correction is version 2),
downloadable by the collective only, managed by officers only."""

import hashlib
import os
import re
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from connaissance.audit.models import AuditEvent
from connaissance.files.services import open_stored
from connaissance.mail.models import OutgoingMail
from consortia.models import Organisation, ParticipationRole
from evaluation.errors import EvaluationError
from evaluation.letter_rendering import PlaceholderError, fill, render_letter, sample_values
from evaluation.letter_workflow import LETTER_LIFECYCLE
from evaluation.models import DecisionLetter, LetterBatch, LetterStatus, LetterTemplate
from evaluation.services import announce, stage_decision
from evaluation.services.letters import correct_letter, produce_letter, queue_letters
from tests.evaluation.builders import admissible_dossier, assign
from tests.factories import UserFactory, officer

pytestmark = pytest.mark.django_db
NAME = "Collectif Éducation & Territoires de l'Aisne — Château-Thierry"
LEAD = "Association Forêt-Numérique « Épi »"
REASONS = "L'ancrage territorial n'est pas démontré ; le budget reste à consolider."
CAUSE = "evaluation:decision_letter"


def decided(world, outcome, *, dossier=None, **kwargs):
    """A dossier of the world's call under evaluation with a staged decision."""
    if dossier is None:
        dossier, _member = admissible_dossier(call=world.call, agent=world.officer)
    assign(world.officer, dossier, world.ev1)
    dossier.refresh_from_db()
    return stage_decision(officer=world.officer, dossier=dossier, outcome=outcome, **kwargs)


@pytest.fixture
def letters_world(world):
    """The world's dossier selected (200 000,00 € at 80 %), a second one rejected, a third
    waitlisted, all announced; accents in the collective and lead names."""
    collective = world.dossier.note.collective
    collective.name = NAME
    collective.save(update_fields=["name"])
    lead = collective.participations.get(role=ParticipationRole.LEAD).organisation
    Organisation.objects.filter(pk=lead.pk).update(legal_name=LEAD)
    world.selected = decided(world, "selected", dossier=world.dossier)
    world.rejected = decided(world, "rejected", reasons=REASONS)
    world.waitlisted = decided(world, "waitlisted")
    announce(officer=world.officer, call=world.call)
    return world


def pdf_text(content):
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    return re.sub(r"[\s\u00a0\u202f\u2009]+", " ", text)


def stored_bytes(letter):
    with open_stored(letter.file) as handle:
        return handle.read()


def produce_all():
    for letter_id in DecisionLetter.objects.order_by("pk").values_list("pk", flat=True):
        produce_letter(letter_id=letter_id)


def letter_of(decision, version=1):
    return DecisionLetter.objects.select_related("file").get(decision=decision, version=version)


# --- rendering ---------------------------------------------------------------------------------

def test_a_selection_letter_is_a_real_pdf_with_the_figures(letters_world):
    result = queue_letters(officer=letters_world.officer, call=letters_world.call)
    assert (result["queued"], result["batch"].total) == (3, 3)
    produce_all()
    letter = letter_of(letters_world.selected)
    assert letter.status == LetterStatus.SENT
    content = stored_bytes(letter)
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == letter.sha256 == letter.file.sha256
    text = pdf_text(content)
    dossier = letters_world.dossier
    assert f"{dossier.reference}-L1" in text
    assert NAME in text and LEAD in text and "Tiers-lieu apprenant" in text
    assert "200 000,00 €" in text and "80 %" in text and "250 000,00 €" in text
    assert "Madame, Monsieur," in text and "Objet :" in text
    assert "Région Hauts-de-France" in text and "Lille, le " in text
    assert re.search(r"le \d{1,2} (janvier|février|mars|avril|mai|juin|juillet|août|"
                     r"septembre|octobre|novembre|décembre) \d{4}", text)
    assert "Directeur de la formation professionnelle" in text
    assert letter.file.owner == dossier.note.collective
    _save_sample("selected", content)


def test_a_rejection_letter_gives_the_reasons_and_a_waitlist_letter_explains(letters_world):
    queue_letters(officer=letters_world.officer, call=letters_world.call)
    produce_all()
    rejected = pdf_text(stored_bytes(letter_of(letters_world.rejected)))
    assert REASONS in rejected.replace("\n", " ")
    assert "n’a pas été retenu" in rejected and "€" not in rejected
    assert "tribunal administratif" in rejected.replace("\n", " ")
    waitlisted = pdf_text(stored_bytes(letter_of(letters_world.waitlisted)))
    assert "liste d’attente" in waitlisted
    _save_sample("rejected", stored_bytes(letter_of(letters_world.rejected)))
    _save_sample("waitlisted", stored_bytes(letter_of(letters_world.waitlisted)))


def test_the_2023_call_has_its_french_templates(call_2023):
    templates = {t.outcome: t for t in LetterTemplate.objects.filter(call=call_2023)}
    assert set(templates) == {"selected", "rejected", "waitlisted"}
    assert "{amount}" in templates["selected"].body and "{rate}" in templates["selected"].body
    assert "{reasons}" in templates["rejected"].body
    assert "liste d’attente" in templates["waitlisted"].body
    assert all("Madame, Monsieur," in t.body and t.body.startswith("Objet\u00a0:")
               for t in templates.values())


def test_a_new_call_starts_with_the_default_templates_officers_then_edit(world):
    from tests.factories import CallFactory

    call = CallFactory()
    templates = {t.outcome: t for t in LetterTemplate.objects.filter(call=call)}
    assert set(templates) == {"selected", "rejected", "waitlisted"}
    assert "{reasons}" in templates["rejected"].body
    templates["selected"].body = "Texte de l’agent : {amount}"
    templates["selected"].save()
    call.title = "Titre modifié"
    call.save()  # saving the call again leaves the edited wording alone
    assert LetterTemplate.objects.get(call=call, outcome="selected").body == (
        "Texte de l’agent : {amount}")


def test_placeholders_are_plain_values_never_code(world):
    values = {"collective": "A", "amount": "1 €"}
    assert fill("{collective} a {amount} {{brut}}", values) == "A a 1 € {brut}"
    for text in ("{collective.__class__}", "{amount[0]}", "{amount!r}", "{amount:>9}",
                 "{settings}", "{unclosed"):
        with pytest.raises(PlaceholderError):
            fill(text, values)


def test_officer_html_in_a_template_is_text_not_markup(world):
    template = LetterTemplate.objects.get(call=world.call, outcome="selected")
    template.body = "<b>gras</b> & {collective}"
    content, texts = render_letter(template, {**sample_values(world.call), "_version": 1})
    assert "<b>gras</b> & Collectif exemple" in pdf_text(content)


# --- sending, idempotence, failures -----------------------------------------------------------

def test_each_letter_is_mailed_once_with_its_pdf(letters_world):
    queue_letters(officer=letters_world.officer, call=letters_world.call)
    produce_all()
    produce_all()  # a task run again: nothing rendered nor sent twice
    letter = letter_of(letters_world.selected)
    mails = OutgoingMail.objects.filter(cause=CAUSE)
    assert mails.count() == 3 and DecisionLetter.objects.count() == 3
    assert letter.mail.attachment_ids == [str(letter.file_id)]
    assert letters_world.member.email in letter.mail.to
    assert letter.mail.subject.startswith("Appel à projets «\u00a0")
    assert letter.mail.dedup_key == f"decision-letter-{letter.pk}"
    assert letter.reference in letter.mail.body_text and letter.sha256 in letter.mail.body_text
    assert reverse("applications:dossier", args=[letters_world.dossier.note.collective_id]) \
        in letter.mail.body_text
    batch = LetterBatch.objects.get()
    assert (batch.total, batch.done, batch.failed) == (3, 3, 0) and batch.finished_at
    actions = list(AuditEvent.objects.for_object(letter).values_list("action", flat=True))
    assert sorted(actions) == ["letter.queued", "letter.render", "letter.send"]


def test_queueing_twice_duplicates_nothing(letters_world, django_capture_on_commit_callbacks,
                                           eager_celery):
    with django_capture_on_commit_callbacks(execute=True):
        queue_letters(officer=letters_world.officer, call=letters_world.call)
    assert set(DecisionLetter.objects.values_list("status", flat=True)) == {"sent"}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = queue_letters(officer=letters_world.officer, call=letters_world.call)
    assert (again["queued"], again["skipped"], again["batch"]) == (0, 3, None)
    assert callbacks == []
    assert DecisionLetter.objects.count() == 3 and LetterBatch.objects.count() == 1
    assert OutgoingMail.objects.filter(cause=CAUSE).count() == 3


def test_a_failure_is_recorded_then_retried_by_the_next_run(letters_world, monkeypatch):
    from evaluation.services import letters as services

    def broken(*args, **kwargs):
        raise RuntimeError("police introuvable")

    monkeypatch.setattr(services, "render_letter", broken)
    queue_letters(officer=letters_world.officer, call=letters_world.call)
    produce_all()
    letter = letter_of(letters_world.selected)
    assert letter.status == LetterStatus.FAILED and "police introuvable" in letter.error
    assert letter.file_id is None and not OutgoingMail.objects.filter(cause=CAUSE).exists()
    batch = LetterBatch.objects.get()
    assert (batch.done, batch.failed) == (0, 3) and batch.finished_at
    monkeypatch.undo()
    again = queue_letters(officer=letters_world.officer, call=letters_world.call)
    assert again["retried"] == 3 and again["batch"].total == 3
    produce_all()
    assert set(DecisionLetter.objects.values_list("status", flat=True)) == {"sent"}
    assert DecisionLetter.objects.count() == 3
    assert LETTER_LIFECYCLE.allowed_targets(LetterStatus.SENT) == []


def test_a_transient_failure_is_raised_for_the_retry_until_the_last_attempt(letters_world,
                                                                          monkeypatch):
    from evaluation.services import letters as services

    monkeypatch.setattr(services, "store_generated",
                        lambda **kwargs: (_ for _ in ()).throw(OSError("disque plein")))
    queue_letters(officer=letters_world.officer, call=letters_world.call)
    letter = letter_of(letters_world.selected)
    with pytest.raises(OSError):
        produce_letter(letter_id=letter.pk, last_attempt=False)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.QUEUED and "disque plein" in letter.error
    assert produce_letter(letter_id=letter.pk, last_attempt=True) == LetterStatus.FAILED


def test_letters_need_templates_and_an_officer(letters_world):
    LetterTemplate.objects.filter(outcome="rejected").delete()
    with pytest.raises(EvaluationError, match="not selected|non retenu"):
        queue_letters(officer=letters_world.officer, call=letters_world.call)
    with pytest.raises(EvaluationError):
        queue_letters(officer=letters_world.ev1, call=letters_world.call)
    assert not DecisionLetter.objects.exists()


def test_only_announced_decisions_get_letters(world):
    decided(world, "selected", dossier=world.dossier)
    assert queue_letters(officer=world.officer, call=world.call)["batch"] is None
    assert not DecisionLetter.objects.exists()


# --- corrections --------------------------------------------------------------------------------

def test_a_correction_is_version_2_and_version_1_stays(letters_world):
    queue_letters(officer=letters_world.officer, call=letters_world.call)
    produce_all()
    first = letter_of(letters_world.selected)
    before = (first.file_id, first.sha256, stored_bytes(first), first.mail_id, first.status)
    with pytest.raises(EvaluationError):
        correct_letter(officer=letters_world.officer, decision=letters_world.selected,
                       reason=" ")
    second = correct_letter(officer=letters_world.officer, decision=letters_world.selected,
                            reason="Erreur sur l'intitulé du projet.")
    assert (second.version, second.replaces_id, second.status) == (2, first.pk, "queued")
    produce_letter(letter_id=second.pk)
    second = letter_of(letters_world.selected, 2)
    first.refresh_from_db()
    assert (first.file_id, first.sha256, stored_bytes(first), first.mail_id,
            first.status) == before
    assert second.status == LetterStatus.SENT and second.sha256 != first.sha256
    text = pdf_text(stored_bytes(second)).replace("\n", " ")
    assert f"{letters_world.dossier.reference}-L2" in text
    assert f"annule et remplace la lettre {first.reference}" in text
    assert "Erreur sur l'intitulé du projet." in text
    _save_sample("correction", stored_bytes(second))
    assert OutgoingMail.objects.filter(cause=CAUSE).count() == 4
    # the next bulk run sends neither version again
    assert queue_letters(officer=letters_world.officer, call=letters_world.call)["queued"] == 0
    with pytest.raises(EvaluationError):  # only officers correct
        correct_letter(officer=letters_world.ev1, decision=letters_world.selected, reason="x")


def test_an_unsent_letter_cannot_be_corrected(letters_world):
    queue_letters(officer=letters_world.officer, call=letters_world.call)
    with pytest.raises(EvaluationError, match="sent letter|lettre envoyée"):
        correct_letter(officer=letters_world.officer, decision=letters_world.selected,
                       reason="Trop tôt.")


# --- who sees the letter -------------------------------------------------------------------------

@pytest.fixture
def sent(letters_world):
    queue_letters(officer=letters_world.officer, call=letters_world.call)
    produce_all()
    return letter_of(letters_world.selected)


def test_the_collective_downloads_its_letter_from_its_page(client, sent, letters_world):
    client.force_login(letters_world.member)
    collective = letters_world.dossier.note.collective
    page = client.get(reverse("applications:dossier", args=[collective.pk])).content.decode()
    url = reverse("files:download", args=[sent.file_id])
    assert url in page and sent.reference in page
    response = client.get(url)
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == sent.sha256


def test_the_collective_page_shows_a_decision_only_once_announced(client, world):
    client.force_login(world.member)
    url = reverse("applications:dossier", args=[world.dossier.note.collective.pk])
    decided(world, "selected", dossier=world.dossier, rate="75")
    assert 'id="announced-decision"' not in client.get(url).content.decode()
    announce(officer=world.officer, call=world.call)
    page = client.get(url).content.decode()
    assert 'id="announced-decision"' in page and 'data-outcome="selected"' in page
    assert "187\u202f500,00\u00a0€" in page and "75\u00a0%" in page
    assert "lettre de décision vous sera envoyée" in page  # not produced yet


@pytest.mark.parametrize("who", ["other collective", "evaluator", "tiers-lieux staff",
                                 "anonymous"])
def test_nobody_else_downloads_the_letter(client, sent, letters_world, who):
    if who == "other collective":
        _other, user = admissible_dossier(call=letters_world.call, agent=letters_world.officer)
    elif who == "evaluator":
        user = letters_world.ev1
    elif who == "tiers-lieux staff":
        user = UserFactory(roles=["tiers_lieux_staff"], is_staff=True)
    else:
        user = None
    if user is not None:
        client.force_login(user)
    assert client.get(reverse("files:download", args=[sent.file_id])).status_code == 404


def test_officers_download_and_manage_the_letters(client, sent, letters_world):
    client.force_login(officer())
    assert client.get(reverse("files:download", args=[sent.file_id])).status_code == 200
    listing = client.get(reverse("admin:evaluation_decisionletter_changelist"))
    assert listing.status_code == 200 and sent.reference in listing.content.decode()
    change = client.get(reverse("admin:evaluation_decisionletter_change", args=[sent.pk]))
    assert change.status_code == 200 and sent.sha256 in change.content.decode()
    assert client.get(reverse("admin:evaluation_lettertemplate_add")).status_code == 200
    batch = LetterBatch.objects.get()
    page = client.get(reverse("admin:evaluation_letterbatch_change", args=[batch.pk]))
    assert "3/3" in page.content.decode()
    template = LetterTemplate.objects.get(call=letters_world.call, outcome="selected")
    preview = client.get(reverse("admin:evaluation_lettertemplate_preview", args=[template.pk]))
    assert preview["Content-Type"] == "application/pdf"
    assert "Collectif exemple" in pdf_text(preview.content)
    ranking = client.get(reverse("admin:evaluation_ranking_call", args=[letters_world.call.pk]))
    assert reverse("admin:evaluation_decisionletter_generate",
                   args=[letters_world.call.pk]) in ranking.content.decode()


def test_officers_correct_a_letter_from_the_admin(client, sent):
    client.force_login(officer())
    url = reverse("admin:evaluation_decisionletter_changelist")
    data = {"action": "correct", "_selected_action": [sent.pk]}
    assert "Motif de la correction" in client.post(url, data).content.decode()
    response = client.post(url, {**data, "apply": "1", "reason": "Coquille dans l'objet."})
    assert response.status_code == 302
    assert DecisionLetter.objects.filter(replaces=sent, version=2).exists()


def test_an_officer_edits_a_template_and_bad_placeholders_are_refused(client, letters_world):
    client.force_login(officer())
    template = LetterTemplate.objects.get(call=letters_world.call, outcome="rejected")
    url = reverse("admin:evaluation_lettertemplate_change", args=[template.pk])
    form = {"call": template.call_id, "outcome": "rejected", "subject": "Objet {oups}",
            "dateline": template.dateline, "body": template.body,
            "correction_notice": template.correction_notice,
            "signatory_role": template.signatory_role, "signatory_name": "Camille Dupont"}
    refused = client.post(url, form)
    assert refused.status_code == 200 and "{oups}" in refused.content.decode()
    assert client.post(url, {**form, "subject": "Décision {dossier}"}).status_code == 302
    template.refresh_from_db()
    assert (template.subject, template.signatory_name) == ("Décision {dossier}",
                                                           "Camille Dupont")
    assert AuditEvent.objects.filter(action="letter_template.changed").exists()


@pytest.mark.parametrize("roles", [["evaluator"], ["tiers_lieux_staff"], []])
def test_the_letter_admin_is_for_officers_only(client, sent, letters_world, roles):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = UserFactory(roles=roles, is_staff=bool(roles))
    if roles:
        TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    refused = 403 if roles else 302  # staff without the role: 403; others: the login page
    template = LetterTemplate.objects.filter(call=letters_world.call).first()
    for url in (reverse("admin:evaluation_decisionletter_changelist"),
                reverse("admin:evaluation_letterbatch_changelist"),
                reverse("admin:evaluation_lettertemplate_changelist"),
                reverse("admin:evaluation_lettertemplate_preview", args=[template.pk])):
        assert client.get(url).status_code == refused, url
    generate = reverse("admin:evaluation_decisionletter_generate", args=[letters_world.call.pk])
    assert client.post(generate).status_code == refused
    assert LetterBatch.objects.count() == 1


def test_officers_start_the_letters_from_the_ranking_page(client, letters_world,
                                                          django_capture_on_commit_callbacks):
    client.force_login(officer())
    url = reverse("admin:evaluation_decisionletter_generate", args=[letters_world.call.pk])
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url)
    batch = LetterBatch.objects.get()
    assert response["Location"] == reverse("admin:evaluation_letterbatch_change",
                                           args=[batch.pk])
    assert len(callbacks) == 1 and DecisionLetter.objects.count() == 3


def _save_sample(outcome, content):
    """With LETTER_SAMPLES_DIR set, keep the PDF to look at (pdftoppm -png -r 60)."""
    if folder := os.environ.get("LETTER_SAMPLES_DIR"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"letter-{outcome}.pdf").write_bytes(content)

