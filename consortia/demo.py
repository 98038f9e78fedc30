"""Demo organisations and a collective for the demo call, so a newcomer can walk the journey."""

from datetime import date

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from calls.models import Call
from connaissance.accounts.demo import DEMO_PASSWORD
from connaissance.territories.models import Commune

from .models import Organisation, OrganisationKind
from .services import collectives, invitations, organisations

PARTNER_EMAIL = "partenaire@demo.connaissance.fr"
# Made-up SIRET numbers (valid check digits) for the demo.
TRAINING_SIRET = "90000001900019"
TIERS_LIEU_SIRET = "90000002700012"


def demo_user(email):
    user, _created = get_user_model().objects.get_or_create(
        email=email, defaults={"username": email.split("@")[0]})
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name="collective_member"))
    EmailAddress.objects.update_or_create(user=user, email=email,
                                          defaults={"verified": True, "primary": True})
    return user


@transaction.atomic
def create_demo_collective(*, call_slug):
    """A training body (with its digital proof) leading a collective for the demo call, and a
    pending invitation to a tiers-lieu whose administrator is the partner demo account."""
    if Organisation.objects.filter(siret=TRAINING_SIRET).exists():
        return None
    lead_user = demo_user("collectif@demo.connaissance.fr")
    partner_user = demo_user(PARTNER_EMAIL)
    lille, amiens = Commune.objects.get(code="59350"), Commune.objects.get(code="80021")
    training = organisations.create_organisation(
        user=lead_user, siret=TRAINING_SIRET, legal_name="Formations Numériques des Flandres",
        kind=OrganisationKind.TRAINING_BODY, address="12 rue Nationale", commune=lille,
        postcode="", town="", website="", nda="32591234567", qualiopi=True,
        in_directory=True, directory_pitch="Parcours hybrides et formation à distance.")
    organisations.declare_digital_proof(
        user=lead_user, organisation=training, since=date(2019, 9, 1), learner_count=850,
        digital_offer="60 % de nos parcours sont proposés en formation à distance.")
    organisations.create_organisation(
        user=partner_user, siret=TIERS_LIEU_SIRET, legal_name="Le Tiers-Lieu de la Somme",
        kind=OrganisationKind.TIERS_LIEU, address="3 place Gambetta", commune=amiens,
        postcode="", town="", website="", nda="", qualiopi=False, in_directory=True,
        directory_pitch="Espace de travail partagé, fablab et accueil des publics.")
    collective = collectives.create_collective(
        user=lead_user, call=Call.objects.get(slug=call_slug), lead_organisation=training,
        name="Apprendre près de chez soi", territory="Métropole lilloise et Amiénois",
        description="Des parcours de formation hybrides accueillis en tiers-lieu.")
    invitations.invite_partner(
        user=lead_user, collective=collective, email=PARTNER_EMAIL,
        declared_name="Le Tiers-Lieu de la Somme", declared_kind=OrganisationKind.TIERS_LIEU,
        message="Rejoignez notre collectif !")
    return collective
