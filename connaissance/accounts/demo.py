"""Demo accounts: one per role, with known passwords and, for staff, known TOTP secrets."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .roles import STAFF_ROLES, Role

DEMO_PASSWORD = "demo-connaissance-2026"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: Role
    totp_secret: str = ""


DEMO_ACCOUNTS = [
    DemoAccount("collectif@demo.connaissance.fr", Role.COLLECTIVE_MEMBER),
    DemoAccount("agent@demo.connaissance.fr", Role.REGION_OFFICER,
                "KRUGKIDROVUWG2ZAMJZG653OEBTG64DY"),
    DemoAccount("evaluateur@demo.connaissance.fr", Role.EVALUATOR,
                "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
    DemoAccount("tierslieux@demo.connaissance.fr", Role.TIERS_LIEUX_STAFF,
                "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"),
]


@transaction.atomic
def create_demo_accounts(password: str = DEMO_PASSWORD):
    User = get_user_model()
    created = []
    for account in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(
            email=account.email, defaults={"username": account.email.split("@")[0]}
        )
        user.set_password(password)
        user.is_staff = account.role in STAFF_ROLES
        user.save()
        user.groups.add(Group.objects.get(name=account.role.value))
        EmailAddress.objects.update_or_create(
            user=user, email=account.email, defaults={"verified": True, "primary": True}
        )
        if account.totp_secret:
            Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
            TOTP.activate(user, account.totp_secret)
        created.append((account, user))
    return created


def current_code(secret: str) -> str:
    """The TOTP code an authenticator app would show now for `secret`."""
    import time

    from allauth.mfa import app_settings

    counter = int(time.time()) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))
