"""Issue 8, the officers' side in Chromium: an officer signs in with TOTP, creates the launch
event in the admin, sends the invitations (a real Celery worker mails them, each with its
.ics file), records the attendance once the event has started, finds who has not filed the
operational launch follow-up and accepts a filed one."""

import uuid
from datetime import timedelta
from email import message_from_bytes

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.core.test_worker import redis_broker, wait_until, worker  # noqa: F401
from tests.e2e.test_evaluation_journey import SECRET, _sign_in, _verified

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.slow,
              pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _own_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"e2e-laureate-admin-{uuid.uuid4()}"}}


def _two_laureates():
    from allauth.mfa.totp.internal.auth import TOTP

    from calls.calendar import end_of_day, start_of_day
    from calls.models import PhaseKind
    from connaissance.formatting import to_paris
    from laureates.services import open_projects
    from tests.evaluation.builders import admissible_dossier, evaluator, grid
    from tests.factories import CallFactory, PhaseFactory, UserFactory
    from tests.laureates.builders import announce_laureates, selected, sign

    call = CallFactory(title="Appel Connaissance de démonstration")
    grid(call)
    today = to_paris(timezone.now()).date()
    PhaseFactory(call=call, kind=PhaseKind.LAUNCH_FOLLOWUP,
                 starts_at=start_of_day(today - timedelta(days=20)),
                 ends_at=end_of_day(today - timedelta(days=2)))
    officer = _verified(UserFactory(roles=["region_officer"], is_staff=True,
                                    first_name="Agnès", last_name="Lefebvre"))
    TOTP.activate(officer, SECRET)
    world = type("World", (), {})()
    world.call, world.officer, world.ev1 = call, officer, evaluator()
    members = []
    for _ in range(2):
        dossier, member = admissible_dossier(call=call, agent=officer)
        selected(world, dossier=dossier)
        members.append(member)
    announce_laureates(world)
    projects = open_projects(officer=officer, call=call)
    for project in projects:
        sign(world, project)
    return call, officer, projects, members


def test_an_officer_runs_the_launch_event_and_the_followup_in_the_admin(
        page, live_server, artifacts, worker):  # noqa: F811
    from django.core import mail

    from connaissance.mail.models import OutgoingMail
    from laureates.models import (
        Attendance,
        LaunchEvent,
        LaunchInvitation,
        Project,
        Report,
        ReportKind,
        ReportStatus,
    )
    from laureates.services import answer_invitation, save_report, submit_report

    call, officer, projects, members = _two_laureates()
    base = live_server.url
    _sign_in(page, base, officer, totp=True)

    # The event, in Paris time, through the admin's form.
    day = (timezone.now() + timedelta(days=21)).date()
    page.goto(f"{base}/admin/laureates/launchevent/add/")
    page.locator("#id_call").select_option(str(call.pk))
    page.locator("#id_title").fill("Lancement des projets lauréats")
    page.locator("#id_starts_at_0").fill(day.strftime("%d/%m/%Y"))
    page.locator("#id_starts_at_1").fill("09:30")
    page.locator("#id_ends_at_0").fill(day.strftime("%d/%m/%Y"))
    page.locator("#id_ends_at_1").fill("12:30")
    page.locator("#id_place").fill("Hôtel de Région")
    page.locator("#id_address").fill("151 avenue du Président Hoover, Lille")
    page.locator("#id_programme").fill("9 h 30 : accueil\n10 h : présentation des projets")
    page.locator('input[name="_continue"]').click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    event = LaunchEvent.objects.get(call=call)
    assert timezone.localtime(event.starts_at).strftime("%H:%M") == "09:30"
    page.screenshot(path=artifacts / "admin-launch-event.png", full_page=True)

    # Sending: the page says how many, a real worker mails them with the .ics file.
    page.locator("a.laureates-send").click()
    expect(page.locator("#pending-new")).to_contain_text("4")  # 2 projects × lead + partner
    page.screenshot(path=artifacts / "admin-launch-send.png", full_page=True)
    page.locator('input[type="submit"]').click()
    expect(page.locator(".messagelist .success")).to_contain_text("4")
    invited = LaunchInvitation.objects.filter(event=event)
    assert invited.count() == 4
    def invitations():
        return [m for m in mail.outbox if any(a[0] == "lancement.ics" for a in m.attachments)]

    # One mail per organisation with administrators (the partners built here have none).
    queued = OutgoingMail.objects.filter(cause="laureates:launch_invitation").count()
    assert queued >= 2
    assert wait_until(lambda: len(invitations()) == queued, timeout=60), [
        (m.subject, [a[0] for a in m.attachments]) for m in mail.outbox][-4:]
    message = message_from_bytes(invitations()[0].message().as_bytes())
    calendars = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert calendars and b"BEGIN:VEVENT" in calendars[0].get_payload(decode=True)

    # The first collective answers; the event starts; the officer records who came.
    first = invited.get(project=projects[0], organisation__memberships__user=members[0])
    answer_invitation(user=members[0], invitation=first, answer="attending", attendees=2)
    LaunchEvent.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now() + timedelta(hours=2))
    page.goto(f"{base}/admin/laureates/launchevent/{event.pk}/change/")
    row = page.locator("tr", has_text=first.organisation.legal_name).first
    row.locator("select[name$='attendance_status']").select_option(Attendance.PRESENT)
    page.locator('input[name="_continue"]').click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    first.refresh_from_db()
    assert (first.attendance, first.attended_count) == (Attendance.PRESENT, 2)
    page.screenshot(path=artifacts / "admin-launch-attendance.png", full_page=True)

    # Who has not filed the operational launch follow-up (due two days ago: late).
    followups = Report.objects.filter(project__in=projects, kind=ReportKind.LAUNCH_FOLLOWUP)
    filed = followups.get(project=projects[1])
    filed = save_report(user=members[1], report=filed, version=filed.version, values={
        "team_in_place": "yes", "team_details": "Coordinatrice et deux formateurs.",
        "sessions_held": 0, "learners_reached": 0})
    submit_report(user=members[1], report=filed)
    page.goto(f"{base}/admin/laureates/report/?filing=late&kind=launch_followup")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text(projects[0].collective.name)
    page.screenshot(path=artifacts / "admin-reports-late.png", full_page=True)

    # The filed one is read and accepted.
    page.goto(f"{base}/admin/laureates/report/{filed.pk}/change/")
    expect(page.locator("#content")).to_contain_text("Coordinatrice et deux formateurs.")
    page.screenshot(path=artifacts / "admin-report-filed.png", full_page=True)
    page.locator("a.laureates-accept").click()
    page.locator('textarea[name="message"]').fill("Merci, bon lancement !")
    page.locator('input[type="submit"]').first.click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    filed.refresh_from_db()
    assert filed.status == ReportStatus.ACCEPTED
    assert Project.objects.get(pk=projects[1].pk).status == "running"
