"""A complete collective writes its opportunity note in Chromium, fills both canvases online,
files through the confirmation step, downloads its receipt PDF; an officer pre-selects the
note and the collective sees the decision with the officer's message."""

import subprocess

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLECTIVE = "Apprendre à Lens, ensemble"
TITLE = "Médiation numérique en tiers-lieu à Lens"


def _sign_in(page, email):
    """Through the real login form, in French."""
    from tests.factories import PASSWORD

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()


def _setting():
    """A call open for notes, with two axes, and a collective whose composition holds: a
    tiers-lieu lead and a confirmed training body that described its digitalisation."""
    from allauth.account.models import EmailAddress

    from tests.applications.factories import complete_collective
    from tests.factories import AxisFactory, CallFactory

    call = CallFactory(title="Connaissance Hauts-de-France — appel de démonstration",
                       reference_prefix="CHDF-2026")
    AxisFactory(call=call, number=1, title="Rendre accessible et attractive la formation")
    AxisFactory(call=call, number=2, title="Favoriser les échanges entre acteurs")
    collective, user = complete_collective(call=call, name=COLLECTIVE)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return call, collective, user


def _fill_canvas(page, kind, prefix):
    from applications.canvases import BLOCKS

    page.locator(f'tr[data-canvas="{kind}"] a.btn').click()
    expect(page.locator("#canvas-form")).to_be_visible()
    for code, label in BLOCKS[kind]:
        page.locator(f"#id_{code}").fill(f"{prefix} — {label} : élèves, salariés, "
                                         "demandeurs d’emploi du bassin lensois.")
    return page


def _to_png(pdf_path, stem):
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf_path), str(stem)], check=True)


def test_a_collective_files_its_note_and_an_officer_preselects_it(
        page, live_server, axe_check, artifacts):
    from applications.models import NoteStatus, OpportunityNote
    from applications.services.decisions import decide_note
    from connaissance.territories.models import Epci
    from tests.factories import officer

    call, collective, user = _setting()
    epci = Epci.objects.order_by("name").first()

    page.goto(live_server.url + "/compte/login/")
    _sign_in(page, user.email)
    page.goto(f"{live_server.url}/collectifs/{collective.pk}/")
    page.locator("#open-note").click()
    expect(page.locator("#draft-banner")).to_be_visible()
    expect(page.locator("#note-status")).to_have_attribute("data-status", "draft")

    # the note itself
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_summary").fill("Un tiers-lieu qui rapproche la formation des habitants "
                                     "éloignés de l’emploi, avec un organisme numérique.")
    page.locator("#id_axes_0").check()
    page.locator("#id_epcis").select_option(epci.pk)
    page.locator("#id_territory_precision").fill("Quartiers de la gare et de la cité 12/14.")
    page.locator("#id_target_publics").fill("Demandeurs d’emploi, jeunes de 16 à 25 ans.")
    page.locator("#id_tiers_lieu_services").fill("Accueil, ateliers numériques, fab lab.")
    page.locator("#id_estimated_total_cost").fill("400 000,00")
    page.locator("#id_requested_subsidy").fill("280 000,00")
    page.locator("#id_partners_0").check()
    page.locator("#save-draft").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()
    expect(page.locator("#draft-banner")).to_be_visible()  # saved is not filed
    expect(page.locator("#id_estimated_total_cost")).to_have_value("400 000,00")

    # a commune, picked among the suggestions of the search, then added
    page.locator("#id_add_commune").press_sequentially("Lens", delay=50)
    page.get_by_role("option", name="Lens (62300)").click()
    page.locator("#add-commune").click()
    expect(page.locator("#communes [data-commune]")).to_have_count(1)
    expect(page.locator("#communes [data-commune]")).to_contain_text("Lens")
    axe_check(page)
    page.screenshot(path=artifacts / "note-draft.png", full_page=True)

    # both canvases, filled online: each becomes a one-page PDF
    _fill_canvas(page, "team", "Équipe")
    axe_check(page)
    page.screenshot(path=artifacts / "note-canvas-team.png", full_page=True)
    page.locator("#save-online").click()
    expect(page.locator('tr[data-canvas="team"]')).to_have_attribute("data-ready", "true")
    _fill_canvas(page, "business_model", "Modèle")
    page.locator("#save-online").click()
    expect(page.locator('tr[data-canvas="business_model"]')).to_have_attribute(
        "data-ready", "true")
    with page.expect_download() as canvas_download:
        page.locator('tr[data-canvas="business_model"] td a').first.click()
    canvas_pdf = artifacts / "note-canvas-business-model.pdf"
    canvas_download.value.save_as(canvas_pdf)
    assert len(PdfReader(canvas_pdf).pages) == 1
    _to_png(canvas_pdf, artifacts / "note-canvas-business-model")

    # filing goes through the confirmation step
    page.locator("#go-file").click()
    expect(page.locator("#summary")).to_contain_text(TITLE)
    expect(page.locator("#summary")).to_contain_text("400")
    axe_check(page)
    page.screenshot(path=artifacts / "note-confirm.png", full_page=True)
    page.locator("#id_confirm").check()
    page.locator("#confirm-filing").click()

    note = OpportunityNote.objects.get(collective=collective)
    assert note.status == NoteStatus.SUBMITTED
    expect(page.locator("#receipt-reference")).to_have_text(note.reference)
    assert note.reference == "CHDF-2026-N-0001"
    expect(page.locator("#receipt-mail")).to_contain_text(user.email)
    axe_check(page)
    page.screenshot(path=artifacts / "note-receipt.png", full_page=True)

    with page.expect_download() as receipt_download:
        page.locator("#receipt-pdf").click()
    receipt_pdf = artifacts / "note-receipt.pdf"
    receipt_download.value.save_as(receipt_pdf)
    text = "\n".join(p.extract_text() for p in PdfReader(receipt_pdf).pages)
    assert note.reference in text and "CHDF" in text
    assert COLLECTIVE in text and TITLE in text  # accents survive
    assert "280" in text and "€" in text
    _to_png(receipt_pdf, artifacts / "note-receipt")

    # the note page is now frozen
    page.goto(f"{live_server.url}/collectifs/{collective.pk}/note/")
    expect(page.locator("#note-status")).to_have_attribute("data-status", "submitted")
    expect(page.locator("#draft-banner")).to_have_count(0)
    expect(page.locator("#filed-note")).to_contain_text(TITLE)
    expect(page.locator("#note-form")).to_have_count(0)

    # an officer pre-selects it (the admin action calls the same service)
    decide_note(officer=officer(), note=note, decision=NoteStatus.PRESELECTED,
                message="Votre note est présélectionnée : déposez le dossier complet.")
    page.reload()
    expect(page.locator("#note-status")).to_have_attribute("data-status", "preselected")
    expect(page.locator("#decision-message")).to_contain_text("présélectionnée")
    axe_check(page)
    page.screenshot(path=artifacts / "note-preselected.png", full_page=True)
    page.goto(f"{live_server.url}/collectifs/{collective.pk}/")
    expect(page.locator("#opportunity-note #note-status")).to_have_attribute(
        "data-status", "preselected")
