"""A pre-selected collective fills every section of its full dossier in Chromium, sees the
subsidy computed live, fixes what the completeness page lists, files, and opens its receipt."""

import re
import subprocess

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBSIDY = "200\u202f000,00\u00a0€"


def _setting(tmp_path):
    from allauth.account.models import EmailAddress

    from calls.models import RequiredDocument
    from tests.applications.dossier_factories import preselected_dossier
    from tests.applications.factories import real_pdf

    dossier, user, _officer = preselected_dossier()
    EmailAddress.objects.get_or_create(user=user, email=user.email,
                                       defaults={"verified": True, "primary": True})
    call = dossier.note.collective.call
    RequiredDocument.objects.create(call=call, label="Statuts de la structure porteuse")
    letter = tmp_path / "lettre-engagement.pdf"
    letter.write_bytes(real_pdf("Lettre d’engagement — organisme de formation"))
    statutes = tmp_path / "statuts.pdf"
    statutes.write_bytes(real_pdf("Statuts de l’association"))
    return dossier, user, letter, statutes


def _sign_in(page, email):
    from tests.factories import PASSWORD

    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()


def _step(page, code):
    page.locator(f'#stepper [data-section="{code}"] a').click()


def _saved(page):
    expect(page.locator(".messages .alert-success")).to_be_visible()


def test_a_preselected_collective_fills_and_files_its_dossier(
        page, live_server, axe_check, artifacts, tmp_path):
    from applications.models import DossierStatus
    from consortia.models import ParticipationRole

    dossier, user, letter, statutes = _setting(tmp_path)
    collective = dossier.note.collective
    lead = collective.participations.get(role=ParticipationRole.LEAD)
    partner = collective.participations.exclude(role=ParticipationRole.LEAD).first()

    page.goto(live_server.url + "/compte/login/")
    _sign_in(page, user.email)
    page.goto(f"{live_server.url}/collectifs/{collective.pk}/")
    page.locator("#open-dossier").click()
    expect(page.locator("#dossier-status")).to_have_attribute("data-status", "draft")
    expect(page.locator("#draft-banner")).to_be_visible()
    axe_check(page)

    # 1. Collective: roles and the partner's letter of commitment
    _step(page, "collective")
    lead_card = page.locator(f"#partner-{lead.pk}")
    lead_card.locator("textarea").fill("Anime le tiers-lieu et coordonne le projet.")
    lead_card.locator("button[type=submit]").click()
    _saved(page)
    partner_card = page.locator(f"#partner-{partner.pk}")
    partner_card.locator("textarea").fill("Conçoit et délivre les formations hybrides.")
    partner_card.locator('input[type="file"]').set_input_files(letter)
    partner_card.locator("button[type=submit]").click()
    _saved(page)
    expect(page.locator(f"#partner-{partner.pk}")).to_contain_text("lettre-engagement.pdf")
    axe_check(page)

    # 2. Project (pre-filled from the note)
    _step(page, "project")
    expect(page.locator("#id_title")).not_to_have_value("")
    page.locator("#id_title").fill("Tiers-lieu apprenant du Lensois")
    page.locator("#id_summary").fill("Former au plus près des habitants, à la gare de Lens.")
    page.locator("#id_axes_0").check()
    page.locator("#id_target_publics").fill("Demandeurs d’emploi, jeunes de 16 à 25 ans.")
    page.locator("#id_expected_numbers").fill("300 apprenants en trois ans")
    page.locator("#id_services_continuum").fill("Accueil, orientation, formation, emploi.")
    page.locator("#id_pedagogical_innovation").fill("Formations hybrides en petits groupes.")
    page.locator("#id_accessibility").fill("Horaires du soir, garde d’enfants.")
    page.locator("#save-section").click()
    _saved(page)
    axe_check(page)
    page.screenshot(path=artifacts / "dossier-project.png", full_page=True)

    # 3. Action plan: an end date after the eligibility end is refused, then fixed
    _step(page, "action_plan")
    page.locator("#id_start_date").fill("2026-09-01")
    page.locator("#id_end_date").fill("2029-07-01")
    page.locator("#id_milestones-0-label").fill("Premières sessions")
    page.locator("#id_milestones-0-date").fill("2026-10-05")
    page.locator("#save-section").click()
    expect(page.locator("#section-form")).to_contain_text("30 juin 2029")
    expect(page.locator("#id_milestones-0-label")).to_have_value("Premières sessions")
    page.locator("#id_end_date").fill("2029-06-30")
    page.locator("#save-section").click()
    _saved(page)

    # 4. Budget: the subsidy is computed live, before saving
    _step(page, "budget")
    rows = [("staff", lead, "Animation du tiers-lieu", "250 000,00", False),
            ("training", partner, "Sessions de formation", "50 000,00", True)]
    for index, (category, who, label, amount, training) in enumerate(rows):
        page.locator(f"#id_expenses-{index}-category").select_option(category)
        page.locator(f"#id_expenses-{index}-partner").select_option(str(who.organisation_id))
        page.locator(f"#id_expenses-{index}-label").fill(label)
        page.locator(f"#id_expenses-{index}-amount").fill(amount)
        if training:
            page.locator(f"#id_expenses-{index}-is_training_cost").check()
    page.locator("#id_resources-0-kind").select_option("region")
    page.locator("#id_resources-0-funder").fill("Région Hauts-de-France")
    page.locator("#id_resources-0-amount").fill("200 000,00")
    page.locator("#id_resources-1-kind").select_option("own_funds")
    page.locator("#id_resources-1-funder").fill("Fonds propres")
    page.locator("#id_resources-1-amount").fill("100 000,00")
    page.locator("#id_requested_rate").fill("80")
    figure = page.locator('[data-figure="requested_subsidy"]')
    expect(figure).to_have_text(SUBSIDY)  # live, nothing saved yet
    expect(page.locator('[data-figure="eligible_base"]')).to_have_text(
        "250\u202f000,00\u00a0€")
    page.locator("#save-section").click()
    _saved(page)
    expect(page.locator("#budget-figures")).to_have_attribute("data-ok", "true")
    expect(figure).to_have_text(SUBSIDY)
    axe_check(page)
    page.screenshot(path=artifacts / "dossier-budget.png", full_page=True)

    # 5. The completeness page lists the missing document, with a link to fix it
    page.locator("#go-completeness").click()
    expect(page.locator("#problems")).to_contain_text("Statuts de la structure porteuse")
    expect(page.locator("#confirm-filing")).to_have_count(0)
    axe_check(page)
    page.screenshot(path=artifacts / "dossier-completeness.png", full_page=True)
    page.locator("#problems a").first.click()
    expect(page).to_have_url(re.compile(r"/pieces-jointes/"))
    page.locator('[id^="document-"] input[type="file"]').first.set_input_files(statutes)
    page.locator('[id^="document-"] button[value="attach"]').first.click()
    _saved(page)
    axe_check(page)

    # filing, with the confirmation
    page.locator("#go-completeness").click()
    expect(page.locator("#problems")).to_have_count(0)
    expect(page.locator("#summary-subsidy")).to_have_text(SUBSIDY)
    page.locator("#id_confirm").check()
    page.locator("#confirm-filing").click()
    expect(page.locator("#receipt")).to_be_visible()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    expect(page.locator("#dossier-reference")).to_have_text(dossier.reference)
    axe_check(page)
    page.screenshot(path=artifacts / "dossier-receipt.png", full_page=True)

    with page.expect_download() as download:
        page.locator("#receipt-pdf").click()
    receipt = artifacts / "dossier-receipt.pdf"
    download.value.save_as(receipt)
    text = "\n".join(p.extract_text() for p in PdfReader(receipt).pages)
    assert dossier.reference in text and "Tiers-lieu apprenant du Lensois" in text
    assert "200" in text and "€" in text
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(receipt),
                    str(artifacts / "dossier-receipt")], check=True)

    # frozen now: the sections show values, no form
    _step(page, "project")
    expect(page.locator("#section-form")).to_have_count(0)
    expect(page.locator("#draft-banner")).to_have_count(0)
