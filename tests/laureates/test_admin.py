"""The officers' admin of the projects (issue 8): the list at a constant number of queries,
the project page with its payment schedule (the total rule enforced through the service, with
its message), the signed agreement uploaded, the milestones' statuses, opening the projects of
a call, and nobody but officers."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from laureates.models import ConventionStatus, Payment, Project, ProjectStatus
from laureates.services import record_payment
from tests.formsets import forms, management
from tests.laureates.builders import announce_laureates, outsider, selected, signed_pdf

pytestmark = pytest.mark.django_db
LIST = reverse("admin:laureates_project_changelist")


def change_url(project):
    return reverse("admin:laureates_project_change", args=[project.pk])


def form_data(project, payments=(), milestones=None, **fields):
    """The change form as posted: `payments` are dicts (with `id` for existing lines, `DELETE`
    to remove), `milestones` {milestone: (status, done_on)}."""
    existing = [p for p in payments if p.get("id")]
    data = {"decision_reference": fields.pop("decision_reference", ""),
            **management("payments", total=len(payments), initial=len(existing)),
            **forms("payments", [{**line, "project": str(project.pk)} for line in payments])}
    rows = list(project.milestones.all())
    data.update(management("milestones", total=len(rows), initial=len(rows)))
    for index, milestone in enumerate(rows):
        status, done_on = (milestones or {}).get(milestone, (milestone.status,
                                                             milestone.done_on))
        data.update({f"milestones-{index}-id": str(milestone.pk),
                     f"milestones-{index}-project": str(project.pk),
                     f"milestones-{index}-status": status,
                     f"milestones-{index}-done_on": done_on.isoformat() if done_on else ""})
    data.update(fields)
    return data


def post(client, project, data):
    with translation.override("en"):
        return client.post(change_url(project), data, HTTP_ACCEPT_LANGUAGE="en")


# --- the list --------------------------------------------------------------------------------

def test_the_list_costs_the_same_for_one_or_many_projects(laureate_world, agent, client,
                                                           django_assert_num_queries):
    record_payment(officer=laureate_world.officer, project=laureate_world.project,
                   kind="advance", amount=Decimal("60000.00"), paid_on=date(2023, 10, 3))
    client.get(LIST)  # warm the per-session queries
    with CaptureQueriesContext(connection) as one:
        response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "60\u202f000,00\u00a0€" in html and "200\u202f000,00\u00a0€" in html
    count = len(one.captured_queries)  # read now: the next request resets the log
    selected(laureate_world)
    selected(laureate_world)
    announce_laureates(laureate_world)
    client.post(reverse("admin:laureates_project_open"), {"call": laureate_world.call.pk})
    assert Project.objects.count() == 3
    with django_assert_num_queries(count):
        assert client.get(LIST).status_code == 200


# --- payments through the service ------------------------------------------------------------

def test_payments_up_to_the_award_are_saved(laureate_world, agent, client):
    project = laureate_world.project
    response = post(client, project, form_data(project, payments=[
        {"kind": "advance", "amount": "60000.00", "planned_on": "2023-10-01",
         "paid_on": "2023-10-03"},
        {"kind": "balance", "amount": "140000.00", "planned_on": "2026-09-30"}],
        decision_reference="CP 2023-0612"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert sorted(project.payments.values_list("amount", flat=True)) == [
        Decimal("60000.00"), Decimal("140000.00")]
    assert Payment.objects.filter(recorded_by=agent).count() == 2
    project.refresh_from_db()
    assert project.decision_reference == "CP 2023-0612"


def test_one_cent_over_the_award_is_refused_with_the_message(laureate_world, agent, client):
    project = laureate_world.project
    response = post(client, project, form_data(project, payments=[
        {"kind": "advance", "amount": "60000.00"},
        {"kind": "balance", "amount": "140000.01"}]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "de plus que le montant attribué" in html and "0,01\u00a0€" in html
    assert not project.payments.exists()


def test_changing_and_deleting_lines(laureate_world, agent, client):
    project = laureate_world.project
    advance = record_payment(officer=agent, project=project, kind="advance",
                             amount=Decimal("150000.00"))
    balance = record_payment(officer=agent, project=project, kind="balance",
                             amount=Decimal("50000.00"))
    response = post(client, project, form_data(project, payments=[
        {"id": str(advance.pk), "kind": "advance", "amount": "60000.00"},
        {"id": str(balance.pk), "kind": "balance", "amount": "50000.00", "DELETE": "on"},
        {"kind": "balance", "amount": "140000.00"}]))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert sorted(project.payments.values_list("amount", flat=True)) == [
        Decimal("60000.00"), Decimal("140000.00")]


# --- the signed agreement and the milestones ---------------------------------------------------

def test_the_signed_agreement_is_uploaded(laureate_world, agent, client):
    project = laureate_world.project
    data = form_data(project, signed_on=date.today().isoformat())
    data["signed_convention"] = signed_pdf()
    assert post(client, project, data).status_code == 302
    project.refresh_from_db()
    assert (project.convention_status, project.status) == (ConventionStatus.SIGNED,
                                                           ProjectStatus.RUNNING)
    page = client.get(change_url(project)).content.decode()
    assert reverse("files:download", args=[project.convention_file_id]) in page
    assert 'name="signed_convention"' not in page  # recorded once


def test_a_bad_agreement_is_refused_on_the_form(laureate_world, agent, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    project = laureate_world.project
    data = form_data(project, signed_on="2000-01-01")
    data["signed_convention"] = signed_pdf()
    assert "avant l’annonce de la décision" in post(client, project, data).content.decode()
    data = form_data(project, signed_on=date.today().isoformat())
    data["signed_convention"] = SimpleUploadedFile("c.pdf", b"MZ\x90 not a pdf")
    assert post(client, project, data).status_code == 200
    project.refresh_from_db()
    assert project.convention_status == ConventionStatus.TO_SIGN


def test_milestone_statuses_are_saved(laureate_world, agent, client):
    project = laureate_world.project
    milestone = project.milestones.get()
    response = post(client, project, form_data(project, milestones={
        milestone: ("done", date(2023, 9, 20))}))
    assert response.status_code == 302, response.content.decode()[:3000]
    milestone.refresh_from_db()
    assert (milestone.status, milestone.done_on) == ("done", date(2023, 9, 20))


# --- opening, and nobody but officers -----------------------------------------------------------

def test_officers_open_the_projects_of_a_call(world, agent, client):
    selected(world, dossier=world.dossier)
    announce_laureates(world)
    page = client.get(reverse("admin:laureates_project_open")).content.decode()
    assert world.call.title in page
    response = client.post(reverse("admin:laureates_project_open"), {"call": world.call.pk})
    assert response.status_code == 302
    assert Project.objects.filter(collective__call=world.call).count() == 1
    client.post(reverse("admin:laureates_project_open"), {"call": world.call.pk})
    assert Project.objects.count() == 1


@pytest.mark.parametrize("role", ["evaluator", "tiers_lieux_staff"])
def test_other_staff_are_kept_out(laureate_world, client, role):
    client.force_login(outsider(laureate_world, role))
    for url in (LIST, change_url(laureate_world.project),
                reverse("admin:laureates_project_open")):
        assert client.get(url).status_code in (302, 403, 404), url
    assert client.post(reverse("admin:laureates_project_open"),
                       {"call": laureate_world.call.pk}).status_code in (302, 403, 404)


# --- the tiers-lieux staff's list ----------------------------------------------------------------

FOLLOWED = reverse("admin:laureates_followedproject_changelist")


def staff_client(client):
    user = outsider(None, "tiers_lieux_staff")
    client.force_login(user)
    return user


def test_tiers_lieux_staff_list_their_projects_without_money(laureate_world, client):
    from applications.models import Incubation, IncubationStatus

    record_payment(officer=laureate_world.officer, project=laureate_world.project,
                   kind="advance", amount=Decimal("60000.00"))
    staff_client(client)
    html = client.get(FOLLOWED).content.decode()
    assert laureate_world.collective.name in html
    assert laureate_world.project.get_absolute_url() in html
    for amount in ("200\u202f000,00", "60\u202f000,00", "80\u00a0%"):
        assert amount not in html
    assert client.get(change_url(laureate_world.project)).status_code in (302, 403, 404)
    Incubation.objects.filter(note__collective=laureate_world.collective).update(
        status=IncubationStatus.NOT_NEEDED)
    assert laureate_world.collective.name not in client.get(FOLLOWED).content.decode()


def test_officers_do_not_use_the_staff_list(laureate_world, agent, client):
    assert client.get(FOLLOWED).status_code in (302, 403, 404)
