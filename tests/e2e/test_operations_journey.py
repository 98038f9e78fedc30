"""Issue 7 in Chromium: an officer reads the beat schedule with each job's last run, finds a
decision mail held in the outbox, approves it, and a real worker sends it once."""

import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.core.test_worker import redis_broker, wait_until, worker  # noqa: F401
from tests.e2e.test_evaluation_journey import SECRET, _sign_in, _verified

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _own_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"e2e-operations-{uuid.uuid4()}"}}


def test_officer_reads_the_schedule_and_approves_a_held_mail(
        page, live_server, axe_check, artifacts, worker):  # noqa: F811
    from allauth.mfa.totp.internal.auth import TOTP
    from django.core import mail as django_mail

    from connaissance.mail.models import OutgoingMail
    from connaissance.mail.services import queue_mail
    from connaissance.ops.models import JobOutcome, JobRun
    from tests.factories import UserFactory

    officer = _verified(UserFactory(roles=["region_officer"], is_staff=True,
                                    first_name="Agnès", last_name="Lefebvre"))
    TOTP.activate(officer, SECRET)
    now = timezone.now()
    JobRun.objects.create(name="applications.tasks.close_windows", outcome=JobOutcome.OK,
                          started_at=now, finished_at=now, summary={"expired": 3})
    held = queue_mail(to=["chef-de-file@example.org"], subject="Votre note est présélectionnée",
                      body_text="Bonjour,\nVotre note est présélectionnée.",
                      cause="applications:note_decision", hold=True)
    assert held.status == OutgoingMail.Status.HELD

    _sign_in(page, live_server.url, officer, totp=True)
    page.goto(live_server.url + "/admin/ops/jobrun/schedule/")
    row = page.locator('[data-entry="applications-close-windows"]')
    expect(row).to_have_attribute("data-outcome", "ok")
    expect(page.locator('[data-entry="evaluation-officers-digest"]')).to_contain_text("07:00")
    axe_check(page)
    page.screenshot(path=artifacts / "operations-schedule.png", full_page=True)

    page.goto(live_server.url + "/admin/mail/outgoingmail/?status__exact=held")
    expect(page.locator("#result_list")).to_contain_text("Votre note est présélectionnée")
    page.screenshot(path=artifacts / "operations-outbox-held.png", full_page=True)
    page.locator(f'input[name="_selected_action"][value="{held.pk}"]').check()
    page.locator('select[name="action"]').select_option("approve")
    page.locator('button[name="index"], input[name="index"]').first.click()
    page.locator('.submit-row input[type="submit"]').click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert wait_until(lambda: OutgoingMail.objects.get(pk=held.pk).status
                      == OutgoingMail.Status.SENT, timeout=30)
    assert [m.subject for m in django_mail.outbox].count("Votre note est présélectionnée") == 1
    page.reload()
    page.screenshot(path=artifacts / "operations-outbox-approved.png", full_page=True)
