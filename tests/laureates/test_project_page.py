"""The project page of a laureate's collective (issue 8): members see the award, the payment
schedule, the agreement and the milestones; tiers-lieux staff who incubated the collective
read it without any amount; anyone else gets a 404, from the other side of each rule."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from applications.models import Incubation, IncubationStatus
from laureates.models import Project
from laureates.services import record_payment
from tests.evaluation.builders import evaluator
from tests.factories import UserFactory
from tests.laureates.builders import sign

pytestmark = pytest.mark.django_db
AWARD = "200\u202f000,00\u00a0€"
ADVANCE = "60\u202f000,00\u00a0€"


def url(world):
    return reverse("laureates:project", args=[world.collective.pk])


@pytest.fixture
def followed(laureate_world):
    """The project signed, with an advance paid."""
    world = laureate_world
    sign(world, world.project)
    record_payment(officer=world.officer, project=world.project, kind="advance",
                   amount=Decimal("60000.00"), planned_on=date(2023, 10, 1),
                   paid_on=date(2023, 10, 3))
    world.project.refresh_from_db()
    return world


def page(client, user, world):
    if user is not None:
        client.force_login(user)
    with translation.override("en"):
        return client.get(url(world), HTTP_ACCEPT_LANGUAGE="en")


def staff(world, status=IncubationStatus.IN_PROGRESS):
    Incubation.objects.filter(note__collective=world.collective).update(status=status)
    return UserFactory(roles=["tiers_lieux_staff"], is_staff=True)


def test_a_member_sees_the_whole_project(followed, client):
    response = page(client, followed.member, followed)
    assert response.status_code == 200
    html = response.content.decode()
    assert AWARD in html and "80\u00a0%" in html
    assert ADVANCE in html  # the schedule and its totals
    assert 'id="payment-totals"' in html
    assert "Lancement" in html
    assert reverse("files:download", args=[followed.project.convention_file_id]) in html
    download = client.get(reverse("files:download", args=[followed.project.convention_file_id]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"


def test_an_officer_sees_the_project(followed, client):
    assert page(client, followed.officer, followed).status_code == 200


def test_tiers_lieux_staff_read_without_money(followed, client):
    user = staff(followed)
    response = page(client, user, followed)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lancement" in html and 'id="convention-status"' in html
    for money_shown in (AWARD, ADVANCE, "80\u00a0%", 'id="payments"', 'id="payment-totals"',
                        'id="project-award"', 'id="convention-download"'):
        assert money_shown not in html
    # nor the signed agreement, which states the amount
    download = client.get(reverse("files:download", args=[followed.project.convention_file_id]))
    assert download.status_code == 404


def test_tiers_lieux_staff_without_incubation_get_a_404(followed, client):
    user = staff(followed, status=IncubationStatus.NOT_NEEDED)
    assert page(client, user, followed).status_code == 404


def test_another_collective_gets_a_404(followed, other_collective_member, client):
    assert page(client, other_collective_member.user, followed).status_code == 404
    download = client.get(reverse("files:download", args=[followed.project.convention_file_id]))
    assert download.status_code == 404


def test_an_evaluator_of_the_dossier_gets_a_404(followed, client):
    # ev1 was assigned to the dossier and scored nothing of the follow-up
    assert page(client, followed.ev1, followed).status_code == 404
    assert page(client, evaluator(), followed).status_code == 404


def test_a_visitor_gets_a_404(followed, client):
    assert page(client, None, followed).status_code == 404


def test_a_collective_without_project_gets_a_404(world, client):
    client.force_login(world.member)
    response = client.get(reverse("laureates:project", args=[world.dossier.note.collective_id]))
    assert response.status_code == 404


def test_an_unsigned_project_says_so(laureate_world, client):
    html = page(client, laureate_world.member, laureate_world).content.decode()
    assert "À signer" in html
    assert 'id="convention-download"' not in html
    assert "pas encore enregistré l’échéancier des versements" in html


def test_the_end_date_flag_is_shown(laureate_world, client):
    call = laureate_world.call
    call.eligibility_end = date(2026, 3, 31)  # the project ends on 30 June 2026
    call.save(update_fields=["eligibility_end"])
    html = page(client, laureate_world.member, laureate_world).content.decode()
    assert 'id="end-date-flag"' in html and "après la fin d’éligibilité" in html
    call.eligibility_end = date(2026, 6, 30)
    call.save(update_fields=["eligibility_end"])
    html = page(client, laureate_world.member, laureate_world).content.decode()
    assert "un retard le ferait dépasser cette date" in html
    Project.objects.filter(pk=laureate_world.project.pk).update(status="closed")
    html = page(client, laureate_world.member, laureate_world).content.decode()
    assert 'id="end-date-flag"' not in html


def test_the_page_costs_a_fixed_number_of_queries(followed, client,
                                                   django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from laureates.models import Milestone, Report

    client.force_login(followed.member)
    with django_assert_max_num_queries(10), CaptureQueriesContext(connection) as few:
        assert client.get(url(followed)).status_code == 200
    project = followed.project
    for number in range(2, 5):
        record_payment(officer=followed.officer, project=project, kind="interim",
                       amount=Decimal("100.00"))
        Milestone.objects.create(project=project, position=number, label=f"Jalon {number}")
        Report.objects.create(project=project, kind="periodic", number=number + 10)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(followed)).status_code == 200
    assert len(many) == len(few)


def test_the_dossier_page_leads_to_the_project(laureate_world, client):
    client.force_login(laureate_world.member)
    overview = reverse("applications:dossier", args=[laureate_world.collective.pk])
    html = client.get(overview).content.decode()
    assert 'id="project-link"' in html and url(laureate_world) in html


def test_no_project_link_before_the_project_is_opened(world, client):
    client.force_login(world.member)
    overview = reverse("applications:dossier", args=[world.dossier.note.collective_id])
    assert 'id="project-link"' not in client.get(overview).content.decode()
