from importlib import import_module

import pytest

LOADER = "connaissance.territories.migrations.0002_load_hauts_de_france"


@pytest.fixture(scope="module", autouse=True)
def _hauts_de_france(django_db_setup, django_db_blocker):
    """The reference rows come from a migration; a transactional test (browser journeys) that
    ran earlier in the session empties every table: put them back once for this module."""
    from django.apps import apps

    from connaissance.territories.models import Commune

    with django_db_blocker.unblock():
        if not Commune.objects.exists():
            migration = import_module(LOADER)
            migration.unload(apps, None)
            migration.load(apps, None)
