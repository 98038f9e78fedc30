"""Two people of two organisations form a collective by invitation, in Chromium, and the
lead sees the composition checklist turn green."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _verified_admin(organisation, email):
    from allauth.account.models import EmailAddress

    from consortia.models import MemberRole
    from tests.consortia.factories import MembershipFactory
    from tests.factories import UserFactory

    user = UserFactory(email=email)
    MembershipFactory(user=user, organisation=organisation, role=MemberRole.ADMIN)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _sign_in(page, email):
    """Through the real login form, in French."""
    from tests.factories import PASSWORD

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()


def _checklist(page, scope):
    return page.locator(f'[data-checklist="{scope}"]')


def test_two_organisations_form_a_collective_by_invitation(
        page, browser, browser_context_args, live_server, axe_check, artifacts):
    from connaissance.mail.models import OutgoingMail
    from consortia.models import OrganisationKind
    from tests.consortia.factories import DigitalProofFactory, OrganisationFactory
    from tests.factories import CallFactory

    call = CallFactory(title="Appel ouvert aux collectifs")
    training_body = DigitalProofFactory(
        organisation__legal_name="Organisme Numérique des Flandres").organisation
    tiers_lieu = OrganisationFactory(kind=OrganisationKind.TIERS_LIEU,
                                     legal_name="Le Tiers-Lieu des Possibles")
    _verified_admin(training_body, "alice@formation.example.org")
    _verified_admin(tiers_lieu, "bruno@tiers-lieu.example.org")

    # A signs in, finds the call and forms a collective, led by her training body
    page.goto(live_server.url + "/compte/login/")
    _sign_in(page, "alice@formation.example.org")
    page.goto(f"{live_server.url}/appels/{call.slug}/")
    page.locator("#form-collective").click()
    expect(page.locator("#collective-form")).to_be_visible()
    expect(page.get_by_label("Organisme Numérique des Flandres")).to_be_checked()
    page.locator("#id_name").fill("Apprendre en tiers-lieux")
    page.locator("#id_description").fill("Des parcours hybrides au plus près des publics.")
    page.locator("#id_territory").fill("Flandre intérieure")
    page.screenshot(path=artifacts / "collective-create.png", full_page=True)
    page.locator("#collective-form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Apprendre en tiers-lieux")
    expect(_checklist(page, "full")).to_have_attribute("data-ok", "false")
    expect(_checklist(page, "full").locator('[data-code="tiers_lieu"]')).to_have_attribute(
        "data-ok", "false")

    # she invites B's address as a tiers-lieu
    page.locator("#invite-partner").click()
    page.locator("#id_email").fill("bruno@tiers-lieu.example.org")
    page.locator("#id_declared_name").fill("Le Tiers-Lieu des Possibles")
    page.locator("#id_declared_kind").select_option(OrganisationKind.TIERS_LIEU)
    page.locator("#id_message").fill("Nous aimerions construire ce projet avec vous.")
    page.locator("#invite-form button[type=submit]").click()
    expect(page.locator("[data-invitation]")).to_have_count(1)
    expect(page.locator("[data-invitation]")).to_contain_text("bruno@tiers-lieu.example.org")
    # a declared partner counts for the opportunity note, not yet for the full dossier
    expect(_checklist(page, "note")).to_have_attribute("data-ok", "true")
    expect(_checklist(page, "full")).to_have_attribute("data-ok", "false")
    axe_check(page)
    page.screenshot(path=artifacts / "collective-invited.png", full_page=True)
    collective_url = page.url

    mail = OutgoingMail.objects.get(cause="consortia:partner_invitation")
    assert mail.to == ["bruno@tiers-lieu.example.org"]
    path = re.search(r"https?://[^/\s]+(/invitations/\S+/)", mail.body_text).group(1)

    # B, in his own browser, opens the link: sign in first, then back to the invitation
    context = browser.new_context(**browser_context_args)
    page_b = context.new_page()
    try:
        page_b.goto(live_server.url + path)
        expect(page_b).to_have_url(re.compile(r"/compte/login/\?next="))
        expect(page_b.locator(".messages")).to_contain_text("bruno@tiers-lieu.example.org")
        _sign_in(page_b, "bruno@tiers-lieu.example.org")
        expect(page_b).to_have_url(live_server.url + path)
        expect(page_b.locator("#invitation-summary")).to_contain_text("Apprendre en tiers-lieux")
        expect(page_b.get_by_label("Le Tiers-Lieu des Possibles")).to_be_checked()
        page_b.locator("#id_role_in_project").fill("Accueille les ateliers et les apprenants.")
        axe_check(page_b)
        page_b.screenshot(path=artifacts / "invitation-answer.png", full_page=True)
        page_b.locator("#review-answer").click()
        expect(page_b.locator("#confirmation")).to_contain_text(
            "Accueille les ateliers et les apprenants.")
        axe_check(page_b)
        page_b.screenshot(path=artifacts / "invitation-confirm.png", full_page=True)
        page_b.locator("#confirm-participation").click()
        expect(page_b.get_by_role("heading", level=1)).to_have_text("Apprendre en tiers-lieux")
    finally:
        context.close()

    # A reloads the collective page: every item of both checklists is green
    page.goto(collective_url)
    for scope in ("note", "full"):
        expect(_checklist(page, scope)).to_have_attribute("data-ok", "true")
        expect(_checklist(page, scope).locator('.checklist-item[data-ok="false"]')).to_have_count(0)
        expect(_checklist(page, scope).locator('.checklist-item[data-ok="true"]')).to_have_count(3)
    expect(page.locator('[data-invitation][data-status="accepted"]')).to_have_count(1)
    expect(page.locator("#participants").locator("..")).to_contain_text(
        "Accueille les ateliers et les apprenants.")
    axe_check(page)
    page.screenshot(path=artifacts / "collective-complete.png", full_page=True)

    page.locator('#menu a[href="/collectifs/"]').click()
    row = page.locator("#collectives tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Apprendre en tiers-lieux")
    expect(row.locator('td[data-ok="true"]')).to_have_count(2)
    axe_check(page)
    page.screenshot(path=artifacts / "my-collectives.png", full_page=True)
