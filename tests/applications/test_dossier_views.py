"""The full dossier's pages for its collective: the stepper and its sections, conflicts, the
end date, commitments and attachments (files checked), the completeness page, filing with its
receipt, the deadline, withdrawal, correction rounds; 404s for everyone else."""

import io
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from applications.models import (
    DossierAttachment,
    DossierSection,
    DossierStatus,
    PartnerCommitment,
)
from applications.services.dossiers import request_correction
from calls.models import PhaseKind, RequiredDocument
from connaissance.files.services import open_stored
from connaissance.mail.models import OutgoingMail
from consortia.models import ParticipationRole
from tests.applications.dossier_factories import (
    PROJECT,
    complete,
    filed_dossier,
    preselected_dossier,
)
from tests.applications.factories import filed_note, real_pdf
from tests.consortia.factories import OrganisationFactory, ParticipationFactory
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def page(dossier, name="dossier"):
    return reverse(f"applications:{name}", args=[dossier.note.collective_id])


def section(dossier, slug):
    return reverse("applications:dossier_section", args=[dossier.note.collective_id, slug])


@pytest.fixture
def opened(client):
    dossier, user, officer = preselected_dossier()
    client.force_login(user)
    return dossier, user


def plan_post(**values):
    data = {"version": 0, "milestones-TOTAL_FORMS": 2, "milestones-INITIAL_FORMS": 0,
            "indicators-TOTAL_FORMS": 2, "indicators-INITIAL_FORMS": 0}
    data.update(values)
    return data


# --- Stepper and sections ------------------------------------------------------------------

def test_every_page_of_the_dossier_answers_with_the_stepper(client, opened):
    dossier, _user = opened
    for slug in ("collectif", "projet", "plan-d-action", "budget", "pieces-jointes"):
        response = client.get(section(dossier, slug))
        assert response.status_code == 200, slug
        html = response.content.decode()
        assert 'id="stepper"' in html and 'id="draft-banner"' in html
        assert html.count("data-section=") == 5
    for name in ("dossier", "dossier_file", "dossier_withdraw"):
        assert client.get(page(dossier, name)).status_code == 200, name
    assert client.get(section(dossier, "inconnue")).status_code == 404


def test_project_starts_from_the_note_and_saves_with_its_version(client, opened):
    dossier, _user = opened
    html = client.get(section(dossier, "projet")).content.decode()
    assert f'value="{dossier.note.title}"' in html  # pre-filled from the note
    response = client.post(section(dossier, "projet"), {"version": 0, "title": "Mon projet",
                                                        "expected_numbers": "300"})
    assert response.status_code == 302
    saved = DossierSection.objects.get(dossier=dossier, code="project")
    assert saved.version == 1 and saved.data["title"] == "Mon projet"
    assert saved.data["expected_numbers"] == "300"


def test_concurrent_saves_show_both_versions_and_overwrite_nothing(client, opened):
    dossier, user = opened
    colleague = UserFactory()
    lead = dossier.note.collective.participations.get(role=ParticipationRole.LEAD)
    lead.organisation.memberships.create(user=colleague, role="member")
    assert client.post(section(dossier, "projet"),
                       {"version": 0, "title": "Version d'Alice"}).status_code == 302
    client.force_login(colleague)
    response = client.post(section(dossier, "projet"), {"version": 0, "title": "Version de Bob"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="conflict"' in html and "Version d&#x27;Alice" in html
    assert 'value="Version de Bob"' in html  # what Bob typed is kept in the form
    assert 'name="version" value="1"' in html  # saving again now works
    saved = DossierSection.objects.get(dossier=dossier, code="project")
    assert saved.data["title"] == "Version d'Alice" and saved.version == 1


def test_end_date_after_the_eligibility_end_is_refused_and_kept(client, opened):
    dossier, _user = opened
    response = client.post(section(dossier, "plan-d-action"), plan_post(
        start_date="2026-09-01", end_date="2029-07-01", **{"milestones-0-label": "Lancement",
                                                          "milestones-0-date": "2026-09-15"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "30 juin 2029" in html and 'value="2029-07-01"' in html
    assert 'value="Lancement"' in html
    assert not DossierSection.objects.filter(dossier=dossier, code="action_plan",
                                             version__gt=0).exists()
    response = client.post(section(dossier, "plan-d-action"), plan_post(
        start_date="2026-09-01", end_date="2029-06-30",
        **{"milestones-0-label": "Lancement", "milestones-0-date": "2026-09-15",
           "indicators-0-label": "Apprenants", "indicators-0-target": "300"}))
    assert response.status_code == 302
    data = DossierSection.objects.get(dossier=dossier, code="action_plan").data
    assert data["milestones"] == [{"label": "Lancement", "date": "2026-09-15"}]
    assert data["indicators"] == [{"label": "Apprenants", "target": "300"}]


def test_what_was_typed_in_a_section_survives_an_expired_session(client, opened):
    dossier, user = opened
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.logout()
    path = section(dossier, "projet")
    response = client.post(path, {"version": 0, "title": "Écrit hors connexion",
                                  "pedagogical_innovation": "Idée précieuse"})
    login, _sep, query = response["Location"].partition("?")
    assert login == reverse("account_login") and parse_qs(query)["next"] == [path]
    response = client.post(reverse("account_login"),
                           {"login": user.email, "password": PASSWORD, "next": path})
    assert response["Location"] == path
    html = client.get(path).content.decode()
    assert 'value="Écrit hors connexion"' in html and "Idée précieuse" in html
    assert not DossierSection.objects.filter(dossier=dossier, code="project").exclude(
        version=0).exists()


# --- Commitments and attachments -----------------------------------------------------------

def partner_of(dossier):
    return dossier.note.collective.participations.exclude(role=ParticipationRole.LEAD).first()


def test_a_partner_letter_is_uploaded_and_a_disguised_executable_refused(client, opened):
    dossier, _user = opened
    partner = partner_of(dossier)
    path = section(dossier, "collectif")
    bad = SimpleUploadedFile("lettre.pdf", b"MZ\x90\x00" + b"\x00" * 200,
                             content_type="application/pdf")
    response = client.post(path, {"participation": partner.pk,
                                  f"c{partner.pk}-role": "Forme les publics.",
                                  f"c{partner.pk}-letter": bad})
    assert response.status_code == 200
    assert "Forme les publics." in response.content.decode()  # typed text kept
    assert not PartnerCommitment.objects.filter(dossier=dossier).exists()
    letter = SimpleUploadedFile("lettre.pdf", real_pdf(), content_type="application/pdf")
    response = client.post(path, {"participation": partner.pk,
                                  f"c{partner.pk}-role": "Forme les publics.",
                                  f"c{partner.pk}-letter": letter})
    assert response.status_code == 302
    commitment = PartnerCommitment.objects.get(dossier=dossier, participation=partner)
    assert commitment.role == "Forme les publics." and commitment.letter.sha256


def test_an_organisation_outside_the_collective_cannot_be_committed(client, opened):
    dossier, _user = opened
    stranger = ParticipationFactory(organisation=OrganisationFactory())
    response = client.post(section(dossier, "collectif"),
                           {"participation": stranger.pk, f"c{stranger.pk}-role": "Intrus"})
    assert response.status_code == 200
    assert not PartnerCommitment.objects.exists()


def test_attach_replace_and_remove_a_required_document(client, opened):
    dossier, _user = opened
    document = RequiredDocument.objects.create(call=dossier.note.collective.call,
                                               label="Statuts")
    path = section(dossier, "pieces-jointes")
    for name in ("statuts.pdf", "statuts-2.pdf"):
        upload = SimpleUploadedFile(name, real_pdf(), content_type="application/pdf")
        assert client.post(path, {"document": document.pk, "action": "attach",
                                  f"d{document.pk}-file": upload}).status_code == 302
    attachment = DossierAttachment.objects.get(dossier=dossier, document=document)
    assert attachment.file.original_name == "statuts-2.pdf"
    assert client.post(path, {"document": document.pk, "action": "remove"}).status_code == 302
    assert not DossierAttachment.objects.filter(dossier=dossier).exists()
    response = client.post(path, {"document": document.pk, "action": "attach"})
    assert response.status_code == 200 and f'id="document-{document.pk}"' in (
        response.content.decode())


def test_lists_have_constant_queries(client, opened):
    dossier, _user = opened
    call = dossier.note.collective.call

    def count(path):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    RequiredDocument.objects.create(call=call, label="Pièce 0")
    few_docs, few_partners = count(section(dossier, "pieces-jointes")), count(
        section(dossier, "collectif"))
    for n in range(1, 6):
        RequiredDocument.objects.create(call=call, label=f"Pièce {n}")
        ParticipationFactory(collective=dossier.note.collective)
    assert count(section(dossier, "pieces-jointes")) == few_docs
    assert count(section(dossier, "collectif")) == few_partners


# --- Completeness, filing, receipt ---------------------------------------------------------

def test_completeness_lists_what_is_missing_with_links_and_offers_no_filing(client, opened):
    dossier, _user = opened
    response = client.get(page(dossier, "dossier_file"))
    html = response.content.decode()
    assert 'id="problems"' in html and 'id="confirm-filing"' not in html
    for slug in ("collectif", "projet", "plan-d-action", "budget"):
        assert section(dossier, slug) in html
    response = client.post(page(dossier, "dossier_file"), {"confirm": "on"})
    assert response.status_code == 200
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DRAFT and not dossier.reference


def test_filing_produces_the_receipt_pdf_and_its_mail(client, opened):
    dossier, user = opened
    complete(dossier, user)
    html = client.get(page(dossier, "dossier_file")).content.decode()
    assert 'id="confirm-filing"' in html and "200\u202f000,00\u00a0€" in html
    response = client.post(page(dossier, "dossier_file"), {"confirm": "on"})
    assert response["Location"] == page(dossier, "dossier_receipt")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED and dossier.reference.endswith("-D-0001")
    text = "".join(p.extract_text() for p in PdfReader(
        io.BytesIO(open_stored(dossier.receipt).read())).pages)
    assert dossier.reference in text and PROJECT["title"] in text
    mail = OutgoingMail.objects.get(dedup_key=f"dossier-receipt-{dossier.pk}-0")
    assert user.email in mail.to and mail.attachment_ids == [str(dossier.receipt_id)]
    assert OutgoingMail.objects.filter(dedup_key=f"dossier-filed-{dossier.pk}-0").exists()
    html = client.get(page(dossier, "dossier_receipt")).content.decode()
    assert dossier.reference in html and reverse("files:download",
                                                 args=[dossier.receipt_id]) in html
    assert client.get(reverse("files:download", args=[dossier.receipt_id])).status_code == 200
    # frozen: a section can no longer be changed
    response = client.post(section(dossier, "projet"), {"version": 1, "title": "Changé"})
    assert response.status_code == 302
    assert DossierSection.objects.get(dossier=dossier, code="project").data["title"] == (
        PROJECT["title"])


def test_filing_one_second_after_the_deadline_is_refused(client, opened):
    dossier, user = opened
    complete(dossier, user)
    filing = dossier.note.collective.call.phases.get(kind=PhaseKind.FILING)
    filing.ends_at = deadline = timezone.now() + timedelta(minutes=5)
    filing.save(update_fields=["ends_at"])
    with time_machine.travel(deadline + timedelta(seconds=1), tick=False):
        response = client.post(page(dossier, "dossier_file"), {"confirm": "on"})
        assert response.status_code == 200
        assert 'id="problems"' in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DRAFT and not dossier.reference


def test_withdrawal_needs_a_reason(client, opened):
    dossier, _user = opened
    response = client.post(page(dossier, "dossier_withdraw"), {"reason": "", "confirm": "on"})
    assert response.status_code == 200
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DRAFT
    client.post(page(dossier, "dossier_withdraw"), {"reason": "Partenaire parti.",
                                                    "confirm": "on"})
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.WITHDRAWN
    assert dossier.status_reason == "Partenaire parti."


def test_a_correction_round_opens_only_its_sections(client):
    dossier, user, officer = filed_dossier()
    request_correction(officer=officer, dossier=dossier, sections=["project"],
                       message="Précisez les publics.",
                       due=timezone.now() + timedelta(days=7))
    client.force_login(user)
    html = client.get(page(dossier)).content.decode()
    assert 'id="correction-banner"' in html and "Précisez les publics." in html
    assert 'id="rounds"' in html
    project = client.get(section(dossier, "projet")).content.decode()
    assert 'id="section-form"' in project
    plan = client.get(section(dossier, "plan-d-action")).content.decode()
    assert 'id="section-form"' not in plan
    client.post(section(dossier, "plan-d-action"), plan_post(start_date="2027-01-01"))
    assert "2027-01-01" not in str(DossierSection.objects.get(
        dossier=dossier, code="action_plan").data)
    axes = [str(a.number) for a in dossier.note.collective.call.axes.all()]
    assert client.post(section(dossier, "projet"), {
        **PROJECT, "axes": axes, "version": 1,
        "target_publics": "Jeunes sans diplôme"}).status_code == 302
    response = client.post(page(dossier, "dossier_file"), {"confirm": "on"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    assert OutgoingMail.objects.filter(dedup_key=f"dossier-receipt-{dossier.pk}-1").exists()


# --- Who sees what -------------------------------------------------------------------------

def test_a_collective_not_preselected_is_told_why(client):
    note = filed_note()
    client.force_login(note.submitted_by)
    response = client.get(reverse("applications:dossier", args=[note.collective_id]))
    assert response.status_code == 403
    assert 'id="not-preselected"' in response.content.decode()
    assert not hasattr(note, "dossier") or not note.dossier


def test_everyone_else_gets_a_404_and_a_forged_post_changes_nothing(client, opened):
    dossier, _user = opened
    other, other_user, _officer = preselected_dossier()
    client.force_login(other_user)
    staff = UserFactory(roles=["tiers_lieux_staff"])
    for user in (other_user, staff):
        client.force_login(user)
        for url in (page(dossier), section(dossier, "projet"), page(dossier, "dossier_file"),
                    page(dossier, "dossier_withdraw")):
            assert client.get(url).status_code == 404, url
        assert client.post(section(dossier, "projet"),
                           {"version": 0, "title": "Piraté"}).status_code == 404
        assert client.post(page(dossier, "dossier_withdraw"),
                           {"reason": "x", "confirm": "on"}).status_code == 404
    assert not DossierSection.objects.filter(dossier=dossier).exists()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DRAFT
    client.logout()
    assert client.get(page(dossier))["Location"].startswith(reverse("account_login"))


def test_an_officer_reads_but_cannot_change(client, opened):
    dossier, _user = opened
    client.force_login(UserFactory(roles=["region_officer"], is_staff=True))
    assert client.get(page(dossier)).status_code == 200
    html = client.get(section(dossier, "projet")).content.decode()
    assert 'id="section-form"' not in html
    assert client.get(page(dossier, "dossier_file")).status_code == 404
