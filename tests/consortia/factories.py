"""factory_boy factories of the consortia app (organisations, memberships, collectives).

Shared by the tests of organisations and collectives: keep it additive.
"""

from datetime import date, timedelta

import factory
from django.utils import timezone
from stdnum import luhn

from consortia.models import (
    Collective,
    DigitalProof,
    Invitation,
    MemberRole,
    Membership,
    Organisation,
    OrganisationKind,
    Participation,
    ParticipationRole,
    ParticipationStatus,
    ProofStatus,
)
from tests.factories import CallFactory, UserFactory


def valid_siret(n: int) -> str:
    """A valid SIRET: a SIREN (8 digits + its Luhn digit), a 4-digit NIC, and the Luhn digit
    of the whole. (La Poste's SIRETs follow another rule; the prefix 8 avoids its SIREN.)"""
    siren = f"8{n:07d}"
    siren += luhn.calc_check_digit(siren)
    body = f"{siren}{n % 10000:04d}"
    return body + luhn.calc_check_digit(body)


def valid_nda(n: int = 0) -> str:
    return f"32{n:09d}"[:11]


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    legal_name = factory.Sequence(lambda n: f"Organisation de test {n}")
    siret = factory.Sequence(valid_siret)
    kind = OrganisationKind.TIERS_LIEU
    address = factory.Sequence(lambda n: f"{n + 1} rue de la République")
    commune = None
    postcode = "59000"
    town = "Lille"
    website = ""
    nda = ""
    qualiopi = False

    class Params:
        training_body = factory.Trait(
            kind=OrganisationKind.TRAINING_BODY,
            nda=factory.Sequence(valid_nda),
            qualiopi=True,
        )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = MemberRole.MEMBER

    class Params:
        admin = factory.Trait(role=MemberRole.ADMIN)


def org_admin(organisation=None, **kwargs):
    """A user who administers `organisation` (a new tiers-lieu by default)."""
    organisation = organisation or OrganisationFactory(**kwargs)
    return MembershipFactory(organisation=organisation, role=MemberRole.ADMIN).user


class DigitalProofFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DigitalProof

    organisation = factory.SubFactory(OrganisationFactory, training_body=True)
    digital_offer = "Parcours de formation hybrides, classes virtuelles."
    since = date(2021, 9, 1)
    learner_count = 120
    links = "https://formation.example.org/catalogue"
    status = ProofStatus.DECLARED


class CollectiveFactory(factory.django.DjangoModelFactory):
    """A collective with its lead participation (pass lead=<Organisation> to choose it)."""

    class Meta:
        model = Collective
        skip_postgeneration_save = True

    call = factory.SubFactory(CallFactory)
    name = factory.Sequence(lambda n: f"Collectif de test {n}")
    description = "Un collectif pour les tests."
    territory = "Métropole européenne de Lille"

    @factory.post_generation
    def lead(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        ParticipationFactory(collective=self, role=ParticipationRole.LEAD,
                             organisation=extracted or OrganisationFactory(**kwargs))


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    collective = factory.SubFactory(CollectiveFactory, lead=False)
    organisation = factory.SubFactory(OrganisationFactory)
    role = ParticipationRole.PARTNER
    status = ParticipationStatus.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)


class InvitationFactory(factory.django.DjangoModelFactory):
    """A pending partner invitation to a collective (purpose=MEMBER with organisation=... for a
    member invitation)."""

    class Meta:
        model = Invitation

    purpose = Invitation.Purpose.PARTNER
    email = factory.Sequence(lambda n: f"invite{n}@example.org")
    collective = factory.LazyAttribute(
        lambda o: CollectiveFactory() if o.purpose == Invitation.Purpose.PARTNER else None)
    organisation = None
    declared_name = factory.Sequence(lambda n: f"Partenaire déclaré {n}")
    declared_kind = OrganisationKind.TIERS_LIEU
    invited_by = factory.SubFactory(UserFactory)
    sent_at = factory.LazyFunction(timezone.now)
    send_count = 1
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))

    class Params:
        member = factory.Trait(
            purpose=Invitation.Purpose.MEMBER,
            organisation=factory.SubFactory(OrganisationFactory),
            declared_name="", declared_kind="",
        )
