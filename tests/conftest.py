import os

# The sync Playwright API runs an event loop in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402

from tests.factories import CallFactory, UserFactory  # noqa: E402


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Each test stores its private files in its own folder; passwords hash fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": tmp_path / "private", "base_url": None}},
    }


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests empty the tables after each test, taking the rows that migrations
    load (role groups, the 2023 call) with them: put them back for the next one."""
    marker = request.node.get_closest_marker("django_db")
    if not marker or not (marker.kwargs.get("transaction") or "transaction" in marker.args):
        return
    request.getfixturevalue("transactional_db")
    from importlib import import_module

    from django.apps import apps

    from connaissance.accounts.signals import sync_role_permissions
    from connaissance.territories.models import Commune

    sync_role_permissions()
    import_module("calls.migrations.0002_call_2023").load(apps, None)
    if not Commune.objects.exists():
        import_module("connaissance.territories.migrations.0002_load_hauts_de_france").load(
            apps, None)


@pytest.fixture
def eager_celery():
    """Run tasks in the calling thread (settings do not reach an already-loaded app.conf)."""
    from connaissance.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def call_2023(db):
    from calls.models import Call

    return Call.objects.get(slug="connaissance-hauts-de-france-2023")


@pytest.fixture
def call(db):
    return CallFactory()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def agent(client):
    """A Region officer with TOTP, logged in through the test client."""
    from tests.factories import officer

    user = officer()
    client.force_login(user)
    return user


@pytest.fixture
def english(client, settings):
    """The test client reads the pages in English (the source strings tests assert on)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
