"""The officers' admin of the follow-up reports: the list at a constant number of queries, the
« not filed » and « late » filters (who has not filed the September follow-up), a report as
the collective wrote it, its due date moved, accepting it or sending it back with a message
(refused without one), accepting the final report closing the project, and nobody but
officers."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from laureates.models import ProjectStatus, Report, ReportKind, ReportStatus
from laureates.services import open_projects, save_report, submit_report
from laureates.services.common import paris_today
from tests.laureates.builders import announce_laureates, outsider, selected, sign

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
LIST = reverse("admin:laureates_report_changelist")
WRITTEN = {
    ReportKind.LAUNCH_FOLLOWUP: {
        "team_in_place": "partly", "team_details": "Une coordinatrice recrutée en août.",
        "sessions_held": "2", "first_session_on": "2023-09-12", "learners_reached": "14"},
    ReportKind.FINAL: {
        "activities": "Douze sessions dans trois tiers-lieux.", "results": "Objectifs atteints.",
        "sessions_held": "12", "learners_reached": "96", "expenses_to_date": "187500.50"},
}


def change_url(report):
    return reverse("admin:laureates_report_change", args=[report.pk])


def accept_url(report):
    return reverse("admin:laureates_report_accept", args=[report.pk])


def return_url(report):
    return reverse("admin:laureates_report_return", args=[report.pk])


def report_of(world, kind):
    return world.project.reports.get(kind=kind, number=1)


def filed(world, kind=ReportKind.LAUNCH_FOLLOWUP):
    """The world's report of `kind`, written and filed by a member of the collective."""
    report = report_of(world, kind)
    report = save_report(user=world.member, report=report, values=WRITTEN[kind],
                         version=report.version)
    return submit_report(user=world.member, report=report)


def listed(client, query=""):
    response = client.get(LIST + query)
    assert response.status_code == 200
    return {report.pk for report in response.context["cl"].result_list}


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# --- the list and its filters ----------------------------------------------------------------

def test_the_list_costs_the_same_for_one_or_many_projects(laureate_world, agent, client,
                                                           django_assert_num_queries):
    filed(laureate_world)
    client.get(LIST)  # warm the per-session queries
    with CaptureQueriesContext(connection) as one:
        response = client.get(LIST)
    html = response.content.decode()
    assert laureate_world.collective.name in html and "operational launch follow-up" in html
    count = len(one.captured_queries)
    before = Report.objects.count()
    selected(laureate_world)
    selected(laureate_world)
    announce_laureates(laureate_world)
    open_projects(officer=laureate_world.officer, call=laureate_world.call)
    assert Report.objects.count() == 3 * before
    with django_assert_num_queries(count):
        assert client.get(LIST).status_code == 200


def test_who_has_not_filed_the_launch_follow_up(laureate_world, agent, client):
    followup = filed(laureate_world)
    selected(laureate_world)
    announce_laureates(laureate_world)
    other = open_projects(officer=laureate_world.officer, call=laureate_world.call)[0]
    waiting = other.reports.get(kind=ReportKind.LAUNCH_FOLLOWUP)
    query = "?kind=launch_followup&filing=not_filed"
    assert listed(client, query) == {waiting.pk}
    assert followup.pk in listed(client, "?kind=launch_followup")
    drafts = set(Report.objects.filter(status=ReportStatus.DRAFT).values_list("pk", flat=True))
    assert listed(client, "?filing=not_filed") == drafts


def test_the_late_filter_and_flag(laureate_world, agent, client):
    project = laureate_world.project
    yesterday = paris_today() - timedelta(days=1)
    late = report_of(laureate_world, ReportKind.LAUNCH_FOLLOWUP)
    Report.objects.filter(pk=late.pk).update(due_on=yesterday)
    Report.objects.filter(project=project).exclude(pk=late.pk).update(
        due_on=paris_today() + timedelta(days=30))
    assert listed(client, "?filing=late") == {late.pk}
    html = client.get(LIST + "?filing=late").content.decode()
    assert 'alt="True"' in html  # the « late » flag
    # Filed late, it is no longer « late »: the follow-up has it.
    filed(laureate_world)
    assert listed(client, "?filing=late") == set()


# --- the report's page -----------------------------------------------------------------------

def test_the_page_shows_what_the_collective_wrote(laureate_world, agent, client):
    report = filed(laureate_world)
    html = client.get(change_url(report)).content.decode()
    assert "Une coordinatrice recrutée en août." in html
    assert "learners reached" in html.lower()
    assert "what was done" not in html.lower()  # not asked by the launch follow-up
    assert laureate_world.member.email in html  # filed by
    assert accept_url(report) in html and return_url(report) in html
    draft = report_of(laureate_world, ReportKind.FINAL)
    html = client.get(change_url(draft)).content.decode()
    assert accept_url(draft) not in html and return_url(draft) not in html


def test_expenses_are_shown_in_euros(laureate_world, agent, client):
    sign(laureate_world, laureate_world.project)
    report = filed(laureate_world, ReportKind.FINAL)
    html = client.get(change_url(report)).content.decode()
    assert "187\u202f500,50\u00a0€" in html


def test_the_due_date_is_moved(laureate_world, agent, client):
    report = report_of(laureate_world, ReportKind.LAUNCH_FOLLOWUP)
    response = client.post(change_url(report), {"due_on": "2023-10-15", "_save": "Save"})
    assert response.status_code == 302, response.content.decode()[:3000]
    report.refresh_from_db()
    assert report.due_on == date(2023, 10, 15)


# --- accepting and sending back --------------------------------------------------------------

def test_a_filed_report_is_accepted_with_a_message(laureate_world, agent, client):
    report = filed(laureate_world)
    page = client.get(accept_url(report))
    assert page.status_code == 200
    assert 'id="closes-project"' not in page.content.decode()
    response = client.post(accept_url(report), {"message": "Merci, c’est complet."},
                           follow=True)
    assert response.redirect_chain[-1][0] == change_url(report)
    report.refresh_from_db()
    assert (report.status, report.officer_message) == (ReportStatus.ACCEPTED,
                                                       "Merci, c’est complet.")
    assert any("is accepted" in message for message in messages_of(response))
    # No more buttons, and the pages send back to the report.
    assert accept_url(report) not in client.get(change_url(report)).content.decode()
    response = client.post(return_url(report), {"message": "Trop tard"}, follow=True)
    assert "Only a filed report can be accepted or sent back." in messages_of(response)
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED


def test_sending_back_needs_a_message(laureate_world, agent, client):
    report = filed(laureate_world)
    response = client.post(return_url(report), {"message": "  "})
    assert response.status_code == 200
    assert "Tell the collective what to change in its report." in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    message = "Précisez le nombre de personnes formées par session."
    response = client.post(return_url(report), {"message": message}, follow=True)
    assert response.redirect_chain[-1][0] == change_url(report)
    report.refresh_from_db()
    assert (report.status, report.officer_message, report.submitted_at) == (
        ReportStatus.DRAFT, message, None)
    assert message in client.get(change_url(report)).content.decode()


def test_accepting_the_final_report_closes_the_project(laureate_world, agent, client):
    project = laureate_world.project
    sign(laureate_world, project)
    project.refresh_from_db()
    assert project.status == ProjectStatus.RUNNING
    report = filed(laureate_world, ReportKind.FINAL)
    assert report.expenses_to_date == Decimal("187500.50")
    page = client.get(accept_url(report)).content.decode()
    assert 'id="closes-project"' in page and "closes the project" in page
    assert client.post(accept_url(report), {"message": ""}).status_code == 302
    project.refresh_from_db()
    report.refresh_from_db()
    assert (report.status, project.status) == (ReportStatus.ACCEPTED, ProjectStatus.CLOSED)


# --- nobody but officers ---------------------------------------------------------------------

@pytest.mark.parametrize("role", ["member", "evaluator", "tiers_lieux_staff"])
def test_others_are_kept_out(laureate_world, client, role):
    report = filed(laureate_world)
    client.force_login(outsider(laureate_world, role))
    for url in (LIST, change_url(report), accept_url(report), return_url(report)):
        assert client.get(url).status_code in (302, 403, 404), url
    assert client.post(accept_url(report), {"message": ""}).status_code in (302, 403, 404)
    assert client.post(return_url(report), {"message": "Non"}).status_code in (302, 403, 404)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
