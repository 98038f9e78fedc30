"""The demo commands: one account per role, TOTP codes for demo staff, never with DEBUG off."""

import io
import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import validate_totp_code
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from connaissance.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from connaissance.accounts.roles import STAFF_ROLES, Role

from .conftest import fresh_code

pytestmark = pytest.mark.django_db
AGENT = next(a for a in DEMO_ACCOUNTS if a.role == Role.REGION_OFFICER)


@pytest.fixture(autouse=True)
def _debug(settings):
    settings.DEBUG = True  # both commands are for the demo only


def demo_emails():
    return [a.email for a in DEMO_ACCOUNTS]


def test_create_demo_accounts_one_per_role():
    out = io.StringIO()
    call_command("create_demo_accounts", stdout=out)
    User = get_user_model()
    users = User.objects.filter(email__in=demo_emails())
    assert users.count() == len(Role)
    for role in Role:
        [user] = [u for u in users if u.groups.filter(name=role.value).exists()]
        assert list(user.groups.values_list("name", flat=True)) == [role.value]
        assert user.is_staff == (role in STAFF_ROLES)
        assert user.check_password(DEMO_PASSWORD)
        address = EmailAddress.objects.get(user=user)
        assert (address.email, address.verified, address.primary) == (user.email, True, True)
        totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP)
        assert totp.count() == (1 if role in STAFF_ROLES else 0)
        assert user.email in out.getvalue()


def test_create_demo_accounts_is_idempotent():
    call_command("create_demo_accounts", stdout=io.StringIO())
    counts = (get_user_model().objects.count(), EmailAddress.objects.count(),
              Authenticator.objects.count())
    agent = get_user_model().objects.get(email=AGENT.email)
    agent.set_password("changé-entre-temps-42")
    agent.save()
    call_command("create_demo_accounts", stdout=io.StringIO())
    assert (get_user_model().objects.count(), EmailAddress.objects.count(),
            Authenticator.objects.count()) == counts
    agent.refresh_from_db()
    assert agent.check_password(DEMO_PASSWORD)  # reset, not duplicated


def test_demo_totp_prints_a_code_allauth_accepts():
    call_command("create_demo_accounts", stdout=io.StringIO())
    fresh_code(AGENT.totp_secret)  # wait out a period boundary if one is near
    out = io.StringIO()
    call_command("demo_totp", AGENT.email, stdout=out)
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    assert validate_totp_code(AGENT.totp_secret, code)


def test_demo_totp_refuses_without_debug(settings):
    call_command("create_demo_accounts", stdout=io.StringIO())
    settings.DEBUG = False
    out = io.StringIO()
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp", AGENT.email, stdout=out)
    assert out.getvalue() == ""


def test_demo_totp_refuses_an_account_without_totp():
    call_command("create_demo_accounts", stdout=io.StringIO())
    member = next(a for a in DEMO_ACCOUNTS if a.role == Role.COLLECTIVE_MEMBER)
    with pytest.raises(CommandError):
        call_command("demo_totp", member.email, stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("demo_totp", "personne@example.org", stdout=io.StringIO())


def test_create_demo_accounts_refuses_without_debug(settings):
    """Public password and TOTP secrets: never on a production database."""
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("create_demo_accounts", stdout=io.StringIO())
    assert not get_user_model().objects.filter(email__in=demo_emails()).exists()
