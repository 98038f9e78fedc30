"""`make demo` shows a laureate: a second demo collective taken through the whole journey by
the services, and a second run changes nothing."""

from datetime import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command

from calls.demo import DEMO_SLUG, create_demo_call
from connaissance.formatting import PARIS
from laureates.demo import LAUREATE_EMAIL, create_demo_laureate
from laureates.models import ConventionStatus, LaunchInvitation, Project, Report

pytestmark = pytest.mark.django_db


def test_the_demo_laureate_has_a_followed_project_and_is_rerunnable(settings, client):
    settings.DEBUG = True
    call_command("create_demo_accounts", stdout=None)
    create_demo_call()
    project = create_demo_laureate(call_slug=DEMO_SLUG)
    assert project.collective.name == "Savoirs en réseau"
    assert project.awarded_amount == 200000
    assert project.convention_status == ConventionStatus.SIGNED
    assert project.payments.count() == 2
    assert project.milestones.count() == 3
    assert LaunchInvitation.objects.filter(project=project).count() == 2
    assert Report.objects.filter(project=project).exists()

    client.login(email=LAUREATE_EMAIL, password="demo-connaissance-2026")
    page = client.get(f"/collectifs/{project.collective_id}/projet/")
    assert page.status_code == 200
    assert "La Fabrique des savoirs du Bassin minier" in page.content.decode()
    call_page = client.get(f"/appels/{DEMO_SLUG}/").content.decode()
    assert "Savoirs en réseau" in call_page

    create_demo_call()  # a second `make demo`
    assert create_demo_laureate(call_slug=DEMO_SLUG) is None
    assert Project.objects.count() == 1


def test_demo_laureate_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo_laureate")


def test_the_demo_laureate_is_built_on_a_leap_day_too(settings):
    settings.DEBUG = True
    with time_machine.travel(datetime(2028, 2, 29, 10, 0, tzinfo=PARIS)):
        call_command("create_demo_accounts", stdout=None)
        create_demo_call()
        assert create_demo_laureate(call_slug=DEMO_SLUG).awarded_amount == 200000
