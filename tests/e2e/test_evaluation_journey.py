"""Issue 6 in Chromium: an officer assigns two evaluators in the admin, both declare no
conflict and score, the officer ranks, stages one selection and one rejection, announces them
and generates the letters (a real Celery worker renders and mails them); the collective then
downloads its decision letter from its dossier page."""

import hashlib
import re
import subprocess
import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.core.test_worker import redis_broker, wait_until, worker  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.slow,
              pytest.mark.django_db(transaction=True)]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
REASONS = "L’ancrage dans le tiers-lieu reste à démontrer."


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """allauth remembers used TOTP codes and rate limits in the cache: a private one here."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"e2e-evaluation-{uuid.uuid4()}"}}


def _verified(user):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.get_or_create(user=user, email=user.email,
                                       defaults={"verified": True, "primary": True})
    return user


def _setting():
    from allauth.mfa.totp.internal.auth import TOTP

    from applications.services.dossiers import declare_admissibility
    from tests.applications.dossier_factories import filed_dossier
    from tests.evaluation.builders import evaluator, grid
    from tests.factories import UserFactory

    officer = _verified(UserFactory(roles=["region_officer"], is_staff=True,
                                    first_name="Agnès", last_name="Lefebvre"))
    TOTP.activate(officer, SECRET)
    first, member, _ = filed_dossier()
    call = first.note.collective.call
    second, _other, _ = filed_dossier(call=call)
    grid(call)
    for dossier in (first, second):
        declare_admissibility(officer=officer, dossier=dossier, admissible=True)
    evaluators = [_verified(evaluator(first_name=first_name, last_name="Évaluatrice"))
                  for first_name in ("Chloé", "Inès")]
    return call, officer, evaluators, (first, second), _verified(member)


def _sign_in(page, base, user, *, totp=False):
    from tests.accounts.conftest import fresh_code
    from tests.factories import PASSWORD

    page.goto(base + "/compte/login/")
    page.get_by_label("Courriel").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    if totp:
        page.locator('input[name="code"]').fill(fresh_code(SECRET))
        page.locator('input[name="code"]').press("Enter")
        expect(page.locator('input[name="code"]')).to_have_count(0)


def _score(page, base, dossier, values, artifacts, axe_check, shot):
    from evaluation.models import Criterion

    page.goto(base + "/evaluation/")
    page.locator("#assignments a", has_text=dossier.reference).click()
    page.locator('input[name="has_conflict"][value="no"]').check()
    page.locator("#declare").click()
    criteria = Criterion.objects.filter(call=dossier.note.collective.call).order_by("position")
    for criterion, value in zip(criteria, values, strict=True):
        page.locator(f'[name="value_{criterion.pk}"]').fill(value)
    page.locator("#id_confirm").check()
    if shot:
        axe_check(page)
        page.screenshot(path=artifacts / "evaluation-scoring.png", full_page=True)
    page.locator("#submit-evaluation").click()
    expect(page.locator("#scoring-form")).to_have_count(0)


def test_officer_assigns_evaluators_score_officer_decides_and_collective_gets_its_letter(
        browser, live_server, axe_check, artifacts, worker):  # noqa: F811
    from evaluation.models import DecisionLetter, LetterStatus

    call, officer, evaluators, (first, second), member = _setting()
    base = live_server.url
    contexts = []

    def new_page():
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900},
                                      accept_downloads=True)
        contexts.append(context)
        return context.new_page()

    # the officer assigns both evaluators to both dossiers
    agent = new_page()
    _sign_in(agent, base, officer, totp=True)
    agent.goto(f"{base}/admin/evaluation/assignment/assign/{call.pk}/")
    for dossier in (first, second):
        block = agent.locator(f"#dossier-{dossier.pk}")
        expect(block).to_contain_text("0/2")
        for person in evaluators:
            block.locator(f'input[name="evaluators"][value="{person.pk}"]').check()
        block.locator('input[type="submit"]').click()
        expect(agent.locator(".messagelist .success").first).to_be_visible()
    agent.screenshot(path=artifacts / "evaluation-assign.png", full_page=True)

    # each evaluator declares no conflict and scores both dossiers
    marks = {first.pk: [("4,5", "16", "4"), ("4", "18", "5")],
             second.pk: [("2", "8", "2"), ("3", "10", "2")]}
    for index, person in enumerate(evaluators):
        page = new_page()
        _sign_in(page, base, person)
        for dossier in (first, second):
            _score(page, base, dossier, marks[dossier.pk][index], artifacts, axe_check,
                   shot=index == 0 and dossier == first)
        page.goto(base + "/evaluation/")
        expect(page.locator('#assignments tr[data-state="submitted"]')).to_have_count(2)

    # the dashboard counts the evaluations received
    agent.goto(base + "/admin/")
    expect(agent.locator(f"#dashboard-call-{call.pk}")).to_contain_text("4/4")
    agent.screenshot(path=artifacts / "evaluation-dashboard.png", full_page=True)

    # ranking: the better-marked dossier comes first, with the running total
    agent.goto(f"{base}/admin/evaluation/ranking/{call.pk}/")
    rows = agent.locator("#ranking tbody tr[id^='row-']")
    expect(rows.first).to_have_attribute("id", f"row-{first.pk}")
    expect(agent.locator(f"#row-{first.pk}")).to_contain_text("200\u202f000,00\u00a0€")
    agent.screenshot(path=artifacts / "evaluation-ranking.png", full_page=True)

    # stage a selection at 75 % (computed by the subsidy rule) and a rejection with reasons
    agent.locator(f"#row-{first.pk} a.button").click()
    agent.locator('input[name="outcome"][value="selected"]').check()
    agent.locator('input[name="rate"]').fill("75")
    agent.locator('input[name="preview"]').click()
    expect(agent.locator("p.success")).to_contain_text("187\u202f500,00\u00a0€")
    agent.locator('input[name="apply"]').click()
    agent.locator(f"#row-{second.pk} a.button").click()
    agent.locator('input[name="outcome"][value="rejected"]').check()
    agent.locator('input[name="apply"]').click()
    expect(agent.locator(".errorlist")).to_be_visible()  # reasons are mandatory
    agent.locator('textarea[name="reasons"]').fill(REASONS)
    agent.locator('input[name="apply"]').click()
    expect(agent.locator("#ranking")).to_contain_text("187\u202f500,00\u00a0€")

    # announce them together, then generate and send the letters in the background
    agent.get_by_role("link", name=re.compile("Annoncer")).click()
    agent.locator('input[name="confirm"]').click()
    expect(agent.locator(".messagelist .success").first).to_contain_text("2")
    agent.locator("#generate-letters input[type=submit]").click()
    assert wait_until(lambda: DecisionLetter.objects.filter(
        status=LetterStatus.SENT).count() == 2, timeout=90), list(
        DecisionLetter.objects.values("status", "error"))
    agent.reload()
    agent.screenshot(path=artifacts / "evaluation-letter-batch.png", full_page=True)
    expect(agent.locator("#content")).to_contain_text("2")

    # the selected collective downloads its letter from its dossier page
    collective = new_page()
    _sign_in(collective, base, member)
    collective.goto(f"{base}/collectifs/{first.note.collective.pk}/dossier/")
    letters = collective.locator("#decision-letters")
    expect(letters).to_be_visible()
    expect(letters.locator("#awarded-amount")).to_have_text("187\u202f500,00\u00a0€")
    axe_check(collective)
    collective.screenshot(path=artifacts / "evaluation-collective-letter.png", full_page=True)
    with collective.expect_download() as download:
        letters.locator("a").first.click()
    pdf = artifacts / "evaluation-decision-letter.pdf"
    download.value.save_as(pdf)
    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    flat = " ".join(text.split())
    assert first.reference in flat and "187 500,00 €" in flat.replace("\u202f", " ").replace(
        "\u00a0", " ")
    assert "75 %" in flat.replace("\u202f", " ").replace("\u00a0", " ")
    letter = DecisionLetter.objects.get(decision__dossier=first)
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == letter.sha256
    assert Decimal(letter.decision.awarded_amount) == Decimal("187500.00")
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf),
                    str(artifacts / "evaluation-decision-letter")], check=True)
    for context in contexts:
        context.close()
