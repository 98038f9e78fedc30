import time
import uuid

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP

from connaissance.accounts.demo import current_code
from tests.factories import PASSWORD, UserFactory

# A fixed base32 secret for the staff accounts of these tests.
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """allauth keeps rate limits and used TOTP codes in the cache. The test run's cache is a
    Redis shared with other runs (where user ids repeat): each test gets its own empty one."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"accounts-{uuid.uuid4()}"}}


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def member(db):
    return verified(UserFactory(roles=["collective_member"]))


def region_officer():
    # Not tests.factories.officer(): it may give the officer a TOTP with an unknown secret.
    return verified(UserFactory(roles=["region_officer"], is_staff=True))


@pytest.fixture
def staff_without_totp(db):
    return region_officer()


@pytest.fixture
def staff_with_totp(db):
    user = region_officer()
    TOTP.activate(user, SECRET)
    return user


def fresh_code(secret=SECRET):
    """The current code, taken early enough in its 30 s period to be valid when it is checked."""
    from allauth.mfa import app_settings

    if app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD < 3:
        time.sleep(3.1)
    return current_code(secret)


def wrong_code(secret=SECRET):
    """A 6-digit code that no counter of the accepted window yields."""
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    valid = {format_hotp_value(hotp_value(secret, c)) for c in yield_hotp_counters_from_time()}
    valid.add(current_code(secret))
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)


def login(client, user, password=PASSWORD, **extra):
    return client.post("/compte/login/", {"login": user.email, "password": password, **extra})
