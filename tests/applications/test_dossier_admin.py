"""Officers and full dossiers in the admin: the list with the budget figures (bounded
queries), the dossier read section by section, its PDF and the ZIP of its files, admissibility
(reason required when inadmissible), correction rounds, CSV / XLSX exports, and nobody but
officers."""

import csv
import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from applications.admin import dossiers as dossier_admin
from applications.admin.dossier_export import headers
from applications.dossier_documents import row_low_supply
from applications.models import CorrectionRequest, DossierStatus
from applications.services.dossier_filing import submit_dossier
from applications.services.errors import ApplicationError
from calls.calendar import end_of_day
from calls.models import LowSupplyTerritory
from connaissance.audit.models import AuditEvent
from connaissance.territories.models import Epci
from tests.applications.dossier_factories import complete, filed_dossier, preselected_dossier
from tests.applications.factories import TINY_PDF
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DOSSIERS = "/admin/applications/dossier/"
NNBSP, NBSP = "\u202f", "\u00a0"
SUBSIDY = f"200{NNBSP}000,00{NBSP}€"
BASE = f"250{NNBSP}000,00{NBSP}€"
TOTAL = f"300{NNBSP}000,00{NBSP}€"
REASON = "Les statuts fournis ne sont pas signés."


@pytest.fixture
def filed():
    return filed_dossier()[0]


def draft_dossier():
    """A complete dossier, never filed (status draft, no snapshot)."""
    dossier, user, _officer = preselected_dossier()
    return complete(dossier, user)


def page(dossier):
    return f"{DOSSIERS}{dossier.pk}/change/"


def act(client, action, dossiers, **extra):
    return client.post(DOSSIERS, {"action": action, "index": 0,
                                  "_selected_action": [d.pk for d in dossiers], **extra})


def apply(client, action, dossiers, **extra):
    """The second step: the intermediate page posts back with `apply`."""
    return client.post(DOSSIERS, {"action": action, "apply": "yes",
                                  "_selected_action": [d.pk for d in dossiers], **extra},
                       follow=True)


def flash(response):
    return [str(m) for m in response.context["messages"]]


def staff_user(role):
    user = UserFactory(roles=[role], is_staff=True)
    TOTP.activate(user, generate_totp_secret())
    return user


# --- the list ----------------------------------------------------------------------------------

def count_queries(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(DOSSIERS)
    assert response.status_code == 200
    return len(captured), response


def test_the_list_shows_the_figures_with_the_same_queries_for_one_row_as_for_five(
        client, agent, filed):
    one, response = count_queries(client)
    assert response.context["cl"].result_count == 1
    html = response.content.decode()
    assert filed.reference in html and "Tiers-lieu apprenant" in html
    assert filed.note.collective.name in html
    assert TOTAL in html and BASE in html and SUBSIDY in html and f"80{NBSP}%" in html
    for _ in range(2):
        filed_dossier()
        draft_dossier()
    many, response = count_queries(client)
    assert response.context["cl"].result_count == 5
    assert many == one
    assert response.content.decode().count(SUBSIDY) == 5  # drafts computed from their lines


def test_search_and_status_filter(client, agent, filed):
    draft = draft_dossier()
    listed = client.get(DOSSIERS, {"status__exact": "draft"}).context["cl"].result_list
    assert [d.pk for d in listed] == [draft.pk]
    found = client.get(DOSSIERS, {"q": filed.reference}).context["cl"].result_list
    assert [d.pk for d in found] == [filed.pk]
    by_title = client.get(DOSSIERS, {"q": "apprenant"}).context["cl"].result_list
    assert {d.pk for d in by_title} == {filed.pk, draft.pk}
    epci = filed.note.epcis.first()
    draft.note.epcis.set(Epci.objects.exclude(pk=epci.pk).order_by("code")[:1])
    by_epci = client.get(DOSSIERS, {"epci": epci.pk}).context["cl"].result_list
    assert [d.pk for d in by_epci] == [filed.pk]


# --- the dossier, section by section ---------------------------------------------------------

def test_the_dossier_reads_section_by_section_with_its_figures(client, agent, filed):
    response = client.get(page(filed))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="_save"' not in html  # nothing is edited here
    for anchor in ("section-collective", "section-project", "section-action-plan",
                   "section-budget", "section-attachments", "section-corrections",
                   "section-history"):
        assert anchor in html
    assert "Tiers-lieu apprenant" in html and "Formation hybride." in html
    assert "Lancement" in html and "15 septembre 2023" in html
    assert "Animation" in html and "Formations" in html
    assert TOTAL in html and BASE in html and SUBSIDY in html
    assert f"50{NNBSP}000,00{NBSP}€" in html  # training costs
    for commitment in filed.commitments.all():
        assert reverse("files:download", args=[commitment.letter_id]) in html
    for attachment in filed.attachments.all():
        assert reverse("files:download", args=[attachment.file_id]) in html
    assert "Statuts" in html
    assert reverse("admin:applications_dossier_pdf", args=[filed.pk]) in html
    assert reverse("admin:applications_dossier_zip", args=[filed.pk]) in html
    with translation.override("fr"):
        assert str(DossierStatus.SUBMITTED.label) in html  # the state history


def test_a_letter_link_downloads_for_the_officer(client, agent, filed):
    letter = filed.commitments.first().letter_id
    download = client.get(reverse("files:download", args=[letter]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == TINY_PDF


def test_a_draft_is_shown_as_currently_saved(client, agent):
    draft = draft_dossier()
    html = client.get(page(draft)).content.decode()
    assert "Tiers-lieu apprenant" in html and SUBSIDY in html
    assert 'value="declare_admissible"' not in html  # nothing to decide on a draft


def test_the_buttons_of_the_dossier_page_open_the_intermediate_pages(client, agent, filed):
    html = client.get(page(filed)).content.decode()
    for action in ("declare_admissible", "declare_inadmissible", "request_correction"):
        assert f'value="{action}"' in html
    # what a button posts: the action and the dossier, without the list's "index"
    response = client.post(DOSSIERS, {"action": "request_correction",
                                      "_selected_action": [filed.pk]})
    assert response.status_code == 200
    assert "admin/applications/dossier/correction.html" in [t.name for t in
                                                            response.templates]


def test_budget_problems_are_listed(client, agent):
    dossier, user, _officer = preselected_dossier()
    complete(dossier, user)
    dossier.resources.filter(kind="own_funds").delete()  # no longer balanced
    html = client.get(page(dossier)).content.decode()
    assert 'class="problems"' in html
    assert f"-100{NNBSP}000,00{NBSP}€" in html  # the balance
    assert f"200{NNBSP}000,00{NBSP}€" in html.split('class="problems"')[1]  # resources total


def test_the_bonus_and_its_territory_are_shown(client, agent):
    dossier, user, _officer = preselected_dossier()
    epci = dossier.note.epcis.first()
    LowSupplyTerritory.objects.create(call=dossier.note.collective.call, epci=epci)
    complete(dossier, user)
    submit_dossier(user=user, dossier=dossier, confirmed=True)
    html = client.get(page(dossier)).content.decode()
    assert f"90{NBSP}%" in html and epci.name in html  # the ceiling raised, and where
    listed = client.get(DOSSIERS).context["cl"].result_list
    assert [row_low_supply(d) for d in listed] == [True]


# --- PDF and ZIP -----------------------------------------------------------------------------

def test_the_pdf_of_the_whole_dossier(client, agent, filed):
    from pypdf import PdfReader

    response = client.get(reverse("admin:applications_dossier_pdf", args=[filed.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"{filed.reference}.pdf" in response["Content-Disposition"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert filed.reference in text
    assert "près des habitants" in text and "Région" in text  # accents come out right
    assert "Tiers-lieu apprenant" in text and "Lancement" in text
    assert "200" in text and "€" in text


def test_the_zip_of_its_files(client, agent, filed):
    response = client.get(reverse("admin:applications_dossier_zip", args=[filed.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    expected = filed.attachments.count() + filed.commitments.count()
    assert len(names) == expected
    assert names[0] == "01-Statuts-piece.pdf"
    assert all(name.endswith("piece.pdf") for name in names)
    assert all(archive.read(name) == TINY_PDF for name in names)
    lead = filed.note.collective.participations.get(role="lead").organisation
    assert any(lead.legal_name in name for name in names)


# --- admissibility ---------------------------------------------------------------------------

def test_inadmissible_needs_a_reason(client, agent, filed):
    response = act(client, "declare_inadmissible", [filed])
    assert response.status_code == 200
    assert "admin/applications/dossier/admissibility.html" in [t.name for t in
                                                               response.templates]
    response = apply(client, "declare_inadmissible", [filed], reason="   ")
    assert response.context["error"]
    filed.refresh_from_db()
    assert filed.status == DossierStatus.SUBMITTED and filed.status_reason == ""


def test_inadmissible_with_a_reason(client, agent, filed):
    response = apply(client, "declare_inadmissible", [filed], reason=REASON)
    assert response.redirect_chain[-1][0] == page(filed)
    filed.refresh_from_db()
    assert filed.status == DossierStatus.INADMISSIBLE and filed.status_reason == REASON
    event = AuditEvent.objects.for_object(filed).get(to_state="inadmissible")
    assert event.actor == agent and event.reason == REASON
    assert REASON in response.content.decode()  # in the state history


def test_admissible_and_drafts_skipped(client, agent, filed):
    draft = draft_dossier()
    page_ = act(client, "declare_admissible", [filed, draft])
    assert [d.pk for d in page_.context["decidable"]] == [filed.pk]
    assert [d.pk for d in page_.context["skipped"]] == [draft.pk]
    response = apply(client, "declare_admissible", [filed, draft], reason="")
    filed.refresh_from_db()
    draft.refresh_from_db()
    assert filed.status == DossierStatus.ADMISSIBLE
    assert draft.status == DossierStatus.DRAFT
    warnings = [m for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1 and str(draft) in str(warnings[0])


def test_a_refusal_of_the_service_is_an_admin_message(client, agent, filed, monkeypatch):
    def refuse(**kwargs):
        raise ApplicationError("Refusé par le service.")

    monkeypatch.setattr(dossier_admin.dossier_services, "declare_admissibility", refuse)
    response = apply(client, "declare_admissible", [filed], reason="")
    assert any("Refusé par le service." in m for m in flash(response))
    filed.refresh_from_db()
    assert filed.status == DossierStatus.SUBMITTED


# --- correction rounds -----------------------------------------------------------------------

def due_in(days):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_a_correction_round_trip(client, agent):
    dossier, user, _officer = filed_dossier()
    form = act(client, "request_correction", [dossier])
    assert form.status_code == 200 and 'type="date"' in form.content.decode()

    refused = apply(client, "request_correction", [dossier], message="À revoir",
                    due=due_in(7))  # no section ticked
    assert refused.context["form"].errors
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED

    past = apply(client, "request_correction", [dossier], sections=["budget"],
                 message="À revoir", due=due_in(-1))
    assert past.context["form"].non_field_errors()  # the service refuses a past due date
    assert not CorrectionRequest.objects.exists()

    response = apply(client, "request_correction", [dossier], sections=["budget", "project"],
                     message="Précisez le budget de formation.", due=due_in(7))
    assert response.redirect_chain[-1][0] == page(dossier)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.CORRECTION
    first = CorrectionRequest.objects.get(dossier=dossier)
    assert first.round == 1 and first.sections == ["budget", "project"]
    assert first.due == end_of_day(timezone.localdate() + timedelta(days=7))
    assert first.requested_by == agent

    submit_dossier(user=user, dossier=dossier, confirmed=True)  # the collective answers
    apply(client, "request_correction", [dossier], sections=["attachments"],
          message="Signez les statuts.", due=due_in(3))
    assert list(dossier.corrections.values_list("round", flat=True)) == [1, 2]
    html = client.get(page(dossier)).content.decode()
    assert "Précisez le budget de formation." in html and "Signez les statuts." in html


def test_a_correction_is_for_one_dossier_at_a_time(client, agent, filed):
    other = filed_dossier()[0]
    response = act(client, "request_correction", [filed, other])
    assert response.status_code == 302
    assert not CorrectionRequest.objects.exists()


# --- exports ---------------------------------------------------------------------------------

def test_the_csv_export(client, agent, filed):
    draft = draft_dossier()
    response = act(client, "export_csv", [filed, draft])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    with translation.override("fr"):
        assert rows[0] == headers()
    assert len(rows) == 3
    row = next(r for r in rows[1:] if r[0] == filed.reference)
    assert row[2] == "Tiers-lieu apprenant"
    assert row[8:12] == ["300000,00", "50000,00", "250000,00", "300000,00"]
    assert row[13] == "80,00" and row[16] == "200000,00"
    assert row[17] == ""  # no problem


def test_the_xlsx_export(client, agent, filed):
    from openpyxl import load_workbook

    response = act(client, "export_xlsx", [filed])
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    with translation.override("fr"):
        assert [c.value for c in sheet[1]] == headers()
    assert sheet["A2"].value == filed.reference
    subsidy = sheet.cell(row=2, column=17)
    assert isinstance(subsidy.value, (int, float)) and Decimal(str(subsidy.value)) == 200000
    assert "€" in subsidy.number_format
    assert sheet.cell(row=2, column=7).is_date


# --- only officers ---------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["tiers_lieux_staff", "evaluator"])
def test_nobody_but_officers_reaches_the_dossiers(client, role, filed):
    client.force_login(staff_user(role))
    for url in (DOSSIERS, page(filed),
                reverse("admin:applications_dossier_pdf", args=[filed.pk]),
                reverse("admin:applications_dossier_zip", args=[filed.pk])):
        assert client.get(url).status_code in (302, 403), url
    refused = client.post(DOSSIERS, {"action": "declare_inadmissible", "apply": "yes",
                                     "reason": REASON, "_selected_action": [filed.pk]})
    assert refused.status_code in (302, 403)
    filed.refresh_from_db()
    assert filed.status == DossierStatus.SUBMITTED
    assert DOSSIERS not in client.get("/admin/").content.decode()
