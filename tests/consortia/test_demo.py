"""The demo data lets a newcomer walk the journey, and `make demo` can run twice."""

import pytest
from django.core.management import CommandError, call_command

from calls.demo import DEMO_SLUG, create_demo_call
from consortia.composition import check_composition
from consortia.demo import create_demo_collective
from consortia.models import Collective

pytestmark = pytest.mark.django_db


def test_demo_collective_is_complete_for_the_note_and_rerunnable(settings):
    settings.DEBUG = True
    call_command("create_demo_accounts", stdout=None)
    create_demo_call()
    collective = create_demo_collective(call_slug=DEMO_SLUG)
    note_check = check_composition(collective, count_pending=True)
    dossier_check = check_composition(collective, count_pending=False)
    assert note_check.ok  # the invited tiers-lieu counts while pending
    assert [i.code for i in dossier_check.missing] == ["tiers_lieu"]
    # a second `make demo` moves the calendar and keeps the collective
    create_demo_call()
    assert create_demo_collective(call_slug=DEMO_SLUG) is None
    assert Collective.objects.filter(call__slug=DEMO_SLUG).count() == 1


def test_demo_seeding_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo_collective")
