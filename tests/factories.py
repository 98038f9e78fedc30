"""factory_boy factories, one per model."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from calls.calendar import end_of_day, start_of_day
from calls.models import Axis, Call, CallStatus, Phase, PhaseKind, Programme
from connaissance.formatting import to_paris

PASSWORD = "motdepasse-de-test-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for code in extracted or ():
            self.groups.add(Group.objects.get(name=code))


def officer(*, totp=True, **kwargs):
    """A Region officer; staff reach the admin only with TOTP, so one is activated."""
    user = UserFactory(roles=["region_officer"], is_staff=True, **kwargs)
    if totp:
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        TOTP.activate(user, generate_totp_secret())
    return user


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Appel de test {n}")
    slug = factory.Sequence(lambda n: f"appel-test-{n}")
    reference_prefix = factory.Sequence(lambda n: f"TEST-{n}")
    summary = "Un appel pour les tests."
    description = "<p>Description <strong>riche</strong>.</p>"
    budget_envelope = Decimal("3900000.00")
    min_projects = 10
    max_projects = 12
    min_award = Decimal("100000.00")
    max_award = Decimal("400000.00")
    min_rate = Decimal("70.00")
    max_rate = Decimal("80.00")
    bonus_points = Decimal("10.00")
    bonus_reading = "+10 points sur le plafond du taux."
    eligibility_end = date(2029, 6, 30)
    contact_role = "Direction de la formation professionnelle"
    contact_email = "appel@example.org"
    status = CallStatus.PUBLISHED

    @factory.post_generation
    def calendar(self, create, extracted, **kwargs):
        """Phases placed around today (pass calendar=False for none)."""
        if extracted is False:
            return
        today = to_paris(timezone.now()).date()
        for kind, start, end in around(today):
            PhaseFactory(call=self, kind=kind, starts_at=start, ends_at=end)


def around(today):
    """A calendar in which pre-selection and filing are open today."""
    d = lambda days: today + timedelta(days=days)  # noqa: E731
    return [
        (PhaseKind.PUBLICATION, start_of_day(d(-20)), None),
        (PhaseKind.PRESELECTION, start_of_day(d(-19)), end_of_day(d(14))),
        (PhaseKind.INCUBATION, start_of_day(d(-19)), end_of_day(d(60))),
        (PhaseKind.DOSSIER_OPENING, start_of_day(d(-5)), None),
        (PhaseKind.FILING, start_of_day(d(-19)), end_of_day(d(45))),
        (PhaseKind.SELECTION, start_of_day(d(0)), end_of_day(d(75))),
        (PhaseKind.ELIGIBILITY_END, None, end_of_day(date(2029, 6, 30))),
    ]


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    call = factory.SubFactory(CallFactory, calendar=False)
    kind = PhaseKind.PRESELECTION
    starts_at = factory.LazyFunction(lambda: start_of_day(date(2030, 1, 1)))
    ends_at = factory.LazyFunction(lambda: end_of_day(date(2030, 2, 1)))


class AxisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Axis

    call = factory.SubFactory(CallFactory, calendar=False)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Axe {n}")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    call = factory.SubFactory(CallFactory, calendar=False)
    name = factory.Sequence(lambda n: f"Programme {n}")
