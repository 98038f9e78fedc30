"""The report page of a project: the collective saves drafts and files; others read (without
the amounts when they do not see the money); outsiders get a 404."""

from decimal import Decimal

import pytest
from django.urls import reverse

from applications.models import Incubation, IncubationStatus
from connaissance.mail.models import OutgoingMail
from laureates.models import Report, ReportKind, ReportStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def followup(laureate_world):
    world = laureate_world
    world.report = Report.objects.get(project=world.project, kind=ReportKind.LAUNCH_FOLLOWUP)
    world.url = reverse("laureates:report", args=[world.collective.pk, world.report.pk])
    return world


def _complete(version, **extra):
    return {"version": version, "team_in_place": "partly",
            "team_details": "Une coordinatrice, deux formateurs ; un poste à pourvoir.",
            "sessions_held": "4", "first_session_on": "2023-09-12", "learners_reached": "37",
            "difficulties": "Transport des apprenants ruraux.", **extra}


def test_the_collective_saves_a_draft_then_files_it(client, followup,
                                                    django_capture_on_commit_callbacks):
    client.force_login(followup.member)
    page = client.get(followup.url)
    assert page.status_code == 200 and 'id="draft-banner"' in page.content.decode()
    response = client.post(followup.url, {**_complete(1), "learners_reached": "",
                                          "action": "save"})
    assert response.status_code == 302
    report = Report.objects.get(pk=followup.report.pk)
    assert (report.status, report.version, report.sessions_held) == ("draft", 2, 4)
    page = client.get(followup.url).content.decode()
    assert 'id="missing"' in page  # learners reached is still missing
    # Filing without the confirmation keeps the draft and says why.
    response = client.post(followup.url, {**_complete(2), "action": "file"})
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.learners_reached == 37
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(followup.url, {**_complete(3), "action": "file", "confirm": "on"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by == followup.member
    assert OutgoingMail.objects.filter(cause="laureates:report_filed",
                                       to=[followup.call.contact_email]).count() == 1
    page = client.get(followup.url).content.decode()
    assert 'id="report-form"' not in page and "Transport des apprenants ruraux." in page
    # A filed report cannot be changed by a late POST.
    client.post(followup.url, {**_complete(4), "learners_reached": "1", "action": "save"})
    report.refresh_from_db()
    assert report.learners_reached == 37


def test_filing_what_is_incomplete_is_refused_but_saved(client, followup):
    client.force_login(followup.member)
    response = client.post(followup.url, {"version": 1, "team_in_place": "no",
                                          "action": "file", "confirm": "on"})
    assert response.status_code == 200
    report = Report.objects.get(pk=followup.report.pk)
    assert report.status == ReportStatus.DRAFT and report.team_in_place == "no"
    html = response.content.decode()
    assert "missing" in html or "manque" in html


@pytest.mark.parametrize("field, typed", [
    ("sessions_held", "3000000000"), ("learners_reached", "99999999999999999999")])
def test_an_impossible_number_is_a_message_and_the_text_is_kept(client, followup, field,
                                                               typed):
    client.force_login(followup.member)
    response = client.post(followup.url, {**_complete(1), field: typed, "action": "save"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "check this number" in html or "vérifiez ce nombre" in html
    assert typed in html and "Transport des apprenants ruraux." in html
    assert Report.objects.get(pk=followup.report.pk).version == 1


def test_someone_elses_save_is_not_overwritten_and_the_text_is_kept(client, followup):
    client.force_login(followup.member)
    client.post(followup.url, {**_complete(1), "action": "save"})
    response = client.post(followup.url, {**_complete(1), "difficulties": "Mon texte à moi",
                                          "action": "save"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="conflict"' in html and "Mon texte à moi" in html
    assert 'name="version" value="2"' in html
    report = Report.objects.get(pk=followup.report.pk)
    assert report.difficulties == "Transport des apprenants ruraux."


def test_expenses_in_french_notation_and_hidden_from_the_tiers_lieux(client, laureate_world):
    world = laureate_world
    report = Report.objects.filter(project=world.project, kind=ReportKind.PERIODIC).first() \
        or Report.objects.get(project=world.project, kind=ReportKind.FINAL)
    url = reverse("laureates:report", args=[world.collective.pk, report.pk])
    client.force_login(world.member)
    client.post(url, {"version": 1, "activities": "Ateliers", "expenses_to_date": "12 500,50",
                      "action": "save"})
    report.refresh_from_db()
    assert report.expenses_to_date == Decimal("12500.50")
    response = client.post(url, {"version": 2, "expenses_to_date": "douze", "action": "save"})
    assert response.status_code == 200 and "douze" in response.content.decode()
    for impossible in ("1E+30", "123456789012"):  # more than the column holds: a message
        response = client.post(url, {"version": 2, "expenses_to_date": impossible,
                                      "action": "save"})
        assert response.status_code == 200 and impossible in response.content.decode()
    report.refresh_from_db()
    assert report.expenses_to_date == Decimal("12500.50")
    staff = UserFactory(roles=["tiers_lieux_staff"], is_staff=True)
    Incubation.objects.filter(note__collective=world.collective).update(
        status=IncubationStatus.DONE)
    client.force_login(staff)
    html = client.get(url).content.decode()
    assert "Ateliers" in html and "500,50" not in html
    assert 'id="report-form"' not in html
    client.force_login(world.officer)
    assert "500,50" in client.get(url).content.decode()


def test_outsiders_get_a_404(client, followup, other_collective_member):
    for user in (other_collective_member.user, followup.ev1, UserFactory(),
                 UserFactory(roles=["tiers_lieux_staff"], is_staff=True)):
        Incubation.objects.filter(note__collective=followup.collective).update(
            status=IncubationStatus.NOT_NEEDED)
        client.force_login(user)
        assert client.get(followup.url).status_code == 404
        assert client.post(followup.url, {**_complete(1), "action": "save"}).status_code == 404
    assert Report.objects.get(pk=followup.report.pk).version == 1
    # A report of another project through this collective's address: 404 too.
    client.force_login(followup.member)
    other = Report.objects.exclude(project=followup.project).first()
    if other is not None:
        assert client.get(reverse("laureates:report", args=[followup.collective.pk,
                                                            other.pk])).status_code == 404


def test_the_project_page_lists_the_reports(client, followup):
    client.force_login(followup.member)
    html = client.get(reverse("laureates:project", args=[followup.collective.pk])).content
    assert followup.url.encode() in html
