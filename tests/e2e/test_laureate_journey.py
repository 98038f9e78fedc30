"""Issue 8 in Chromium: a laureate's member answers the launch invitation (the .ics file
downloaded from the page), files the operational launch follow-up after saving a draft, and
a visitor downloads the open data of the awards (SCDL « subventions » CSV) from the call
page. The officers' steps (opening the projects, the signed agreement, the event and its
invitations) go through the services here; their admin screens are tested on their own."""

import csv
import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from tests.e2e.test_evaluation_journey import _sign_in, _verified

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _own_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"e2e-laureate-{uuid.uuid4()}"}}


def _laureate():
    """An announced laureate of a call with a September-like follow-up phase, its project
    opened and signed, the launch event created and the invitations sent."""
    from calls.calendar import end_of_day, start_of_day
    from calls.models import PhaseKind
    from connaissance.formatting import to_paris
    from laureates.services import open_projects, save_launch_event, send_invitations
    from tests.evaluation.builders import admissible_dossier, evaluator, grid, region_officer
    from tests.factories import CallFactory, PhaseFactory
    from tests.laureates.builders import sign

    call = CallFactory(title="Appel Connaissance de démonstration")
    grid(call)
    today = to_paris(timezone.now()).date()
    PhaseFactory(call=call, kind=PhaseKind.LAUNCH_FOLLOWUP,
                 starts_at=start_of_day(today - timedelta(days=3)),
                 ends_at=end_of_day(today + timedelta(days=25)))
    officer = region_officer()
    dossier, member = admissible_dossier(call=call, agent=officer)
    world = type("World", (), {})()
    world.call, world.officer, world.dossier, world.ev1 = call, officer, dossier, evaluator()
    from tests.laureates.builders import announce_laureates, selected

    selected(world, dossier=dossier)
    announce_laureates(world)
    [project] = open_projects(officer=officer, call=call)
    sign(world, project)
    start = (timezone.now() + timedelta(days=12)).replace(hour=7, minute=30)
    event = save_launch_event(officer=officer, call=call, values={
        "title": "Lancement des projets lauréats", "starts_at": start,
        "ends_at": start + timedelta(hours=3), "place": "Hôtel de Région",
        "address": "151 avenue du Président Hoover, Lille",
        "programme": "9 h 30 : accueil\n10 h : présentation des projets\n12 h : déjeuner"})
    send_invitations(officer=officer, event=event)
    return call, project, event, _verified(member)


def test_a_laureate_answers_files_its_followup_and_a_visitor_gets_the_open_data(
        page, live_server, artifacts, axe_check):
    from laureates.models import InvitationAnswer, LaunchInvitation, Report, ReportKind

    call, project, event, member = _laureate()
    base = live_server.url
    _sign_in(page, base, member)

    # The project page leads to the invitation.
    page.goto(f"{base}/collectifs/{project.collective_id}/projet/")
    expect(page.locator("#launch-event")).to_contain_text("Hôtel de Région")
    axe_check(page)
    page.screenshot(path=artifacts / "laureate-project.png", full_page=True)
    page.get_by_role("link", name="Voir l’invitation et répondre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(event.title)
    mine = LaunchInvitation.objects.get(event=event, project=project,
                                        organisation__memberships__user=member)
    card = page.locator(f"#invitation-{mine.pk}")
    card.get_by_label("Oui, nous serons présents").check()
    card.get_by_label("Combien de personnes viendront ?").fill("2")
    card.get_by_label("Qui viendra (noms et fonctions)").fill(
        "Léa Martin, coordinatrice ; Omar Haddad, formateur")
    axe_check(page)
    card.get_by_role("button", name="Envoyer notre réponse").click()
    expect(page.locator(".alert-success")).to_contain_text("Votre réponse est enregistrée")
    expect(page.locator(f"#invitation-{mine.pk} .answer-status")).to_contain_text(
        "Participera")
    page.screenshot(path=artifacts / "laureate-launch-answered.png", full_page=True)
    mine.refresh_from_db()
    assert (mine.answer, mine.attendees) == (InvitationAnswer.ATTENDING, 2)
    with page.expect_download() as download_info:
        page.locator("#ics-download").click()
    [entry] = Calendar.from_ical(open(download_info.value.path(), "rb").read()).walk("VEVENT")
    assert str(entry["SUMMARY"]) == event.title
    assert entry.decoded("DTSTART") == event.starts_at

    # The September follow-up: a draft first, then filed after the confirmation.
    report = Report.objects.get(project=project, kind=ReportKind.LAUNCH_FOLLOWUP)
    page.goto(f"{base}/collectifs/{project.collective_id}/projet/")
    page.locator("#reports").get_by_role("link", name="Suivi du lancement opérationnel").click()
    expect(page.locator("#draft-banner")).to_be_visible()
    page.get_by_label("En partie").check()
    page.get_by_label("L’équipe *").fill(
        "Une coordinatrice à mi-temps, deux formateurs ; le poste de médiateur est à pourvoir.")
    page.get_by_label("Sessions de formation tenues *").fill("3")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.locator(".alert-success")).to_contain_text("brouillon est enregistré")
    expect(page.locator("#missing")).to_contain_text("Apprenants touchés")
    page.get_by_label("Date de la première session").fill(
        (timezone.now() - timedelta(days=10)).date().isoformat())
    page.get_by_label("Apprenants touchés *").fill("41")
    page.get_by_label("Difficultés rencontrées").fill("Transport des apprenants ruraux.")
    page.locator("#id_confirm").check()
    axe_check(page)
    page.screenshot(path=artifacts / "laureate-followup-form.png", full_page=True)
    page.locator("#file-report").click()
    expect(page.locator(".alert-success")).to_contain_text("Le rapport est déposé")
    expect(page.locator("#report-status")).to_contain_text("Déposé")
    expect(page.locator("#report-content")).to_contain_text("Transport des apprenants ruraux.")
    axe_check(page)
    page.screenshot(path=artifacts / "laureate-followup-filed.png", full_page=True)
    report.refresh_from_db()
    assert (report.status, report.learners_reached, report.sessions_held) == ("submitted", 41, 3)

    # A visitor downloads the open data from the call page.
    page.context.clear_cookies()
    page.goto(f"{base}/appels/{call.slug}/")
    expect(page.locator("#scdl-csv")).to_be_visible()
    axe_check(page)
    with page.expect_download() as download_info:
        page.locator("#scdl-csv").click()
    rows = list(csv.DictReader(io.StringIO(
        open(download_info.value.path(), encoding="utf-8").read())))
    assert len(rows) == 1
    assert Decimal(rows[0]["montant"]) == project.awarded_amount
    assert rows[0]["nomBeneficiaire"] and rows[0]["dateConvention"]
