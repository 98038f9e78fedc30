"""The partner directory: search by kind and territory, contact through the portal (never an
address shown), leave at any time."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from connaissance.audit.models import AuditEvent
from connaissance.mail.models import OutgoingMail
from connaissance.territories.models import Commune
from consortia.models import DirectoryMessage, MemberRole, Organisation, OrganisationKind
from tests.consortia.factories import MembershipFactory, OrganisationFactory, org_admin
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/annuaire/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def lille():
    return Commune.objects.select_related("epci", "departement").get(code="59350")


@pytest.fixture
def amiens():
    return Commune.objects.select_related("epci", "departement").get(code="80021")


def listed(commune, **kwargs):
    kwargs = {"directory_pitch": "Nous accueillons des publics éloignés de l'emploi.",
              "postcode": "", "town": "", **kwargs}
    return OrganisationFactory(in_directory=True, commune=commune, **kwargs)


@pytest.fixture
def searcher(db):
    """A signed-in user who administers a training body (not listed)."""
    return org_admin(OrganisationFactory(training_body=True, legal_name="Centre Chercheur"))


def names(response):
    return [o.legal_name for o in response.context["page"].object_list]


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for url in (URL, "/annuaire/1/ecrire/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/compte/login/")


def test_the_directory_lists_only_organisations_that_opted_in(client, searcher, lille):
    place = listed(lille, legal_name="La Fabrique Lilloise", kind=OrganisationKind.TIERS_LIEU)
    OrganisationFactory(legal_name="Pas dans l'annuaire", commune=lille)
    client.force_login(searcher)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert names(response) == ["La Fabrique Lilloise"]
    assert "Pas dans l" not in html
    assert place.directory_pitch.replace("'", "&#x27;") in html
    assert lille.name in html and lille.epci.name in html


def test_results_never_show_addresses_or_member_names(client, searcher, lille):
    place = listed(lille, legal_name="Tiers-lieu Discret")
    admin = org_admin(place)
    admin.first_name, admin.last_name = "Camille", "Secrète"
    admin.save()
    member = MembershipFactory(organisation=place, user=UserFactory(
        first_name="Dominique", last_name="Cachée", email="dominique.cachee@example.org")).user
    client.force_login(searcher)
    for url in (URL, f"/annuaire/{place.pk}/ecrire/"):
        html = client.get(url).content.decode()
        assert "Tiers-lieu Discret" in html
        for secret in (admin.email, member.email, "Camille", "Secrète", "Dominique", "Cachée",
                       place.address, place.siret):
            assert secret not in html, (url, secret)
        # the only address on the page is the signed-in user's own, in the header
        assert not re.search(r"[\w.+-]+@example\.org", html.replace(searcher.email, "")), url


@pytest.mark.parametrize("filters, expected", [
    ({"kind": "tiers_lieu"}, ["Lille Tiers-lieu", "Amiens Tiers-lieu"]),
    ({"kind": "training_body"}, ["Lille Formation"]),
    ({"departement": "80"}, ["Amiens Tiers-lieu"]),
    ({"departement": "59", "kind": "tiers_lieu"}, ["Lille Tiers-lieu"]),
    ({"epci": "LILLE"}, ["Lille Formation", "Lille Tiers-lieu"]),
    ({"epci": "AMIENS", "kind": "training_body"}, []),
])
def test_filters_by_kind_and_territory(client, searcher, lille, amiens, filters, expected):
    listed(lille, legal_name="Lille Tiers-lieu", kind=OrganisationKind.TIERS_LIEU)
    listed(lille, legal_name="Lille Formation", training_body=True)
    listed(amiens, legal_name="Amiens Tiers-lieu", kind=OrganisationKind.TIERS_LIEU)
    epcis = {"LILLE": lille.epci_id, "AMIENS": amiens.epci_id}
    if "epci" in filters:
        filters = {**filters, "epci": epcis[filters["epci"]]}
    client.force_login(searcher)
    response = client.get(URL, filters)
    assert response.status_code == 200
    assert sorted(names(response)) == sorted(expected)


def test_an_unknown_filter_value_is_an_error_not_a_crash(client, searcher):
    client.force_login(searcher)
    response = client.get(URL, {"kind": "pirate", "departement": "99"})
    assert response.status_code == 200
    assert response.context["page"] is None
    assert 'class="alert alert-danger"' in response.content.decode()


def test_the_search_page_makes_as_many_queries_for_one_result_as_for_five(
        client, searcher, lille, amiens):
    client.force_login(searcher)
    listed(lille, legal_name="Premier")

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL)
        assert response.status_code == 200
        return len(queries), len(names(response))

    one, shown = count()
    assert shown == 1
    for i, commune in enumerate([lille, amiens, lille, amiens]):
        listed(commune, legal_name=f"Suivant {i}")
    listed(None, legal_name="Hors région", postcode="75011", town="Paris")
    five, shown = count()
    assert shown == 6
    assert one == five


def test_a_user_without_organisation_is_told_to_register_one(client, lille):
    place = listed(lille)
    client.force_login(UserFactory())
    html = client.get(URL).content.decode()
    assert 'id="no-organisation"' in html and "/organisations/nouvelle/" in html
    response = client.get(f"/annuaire/{place.pk}/ecrire/")
    assert 'id="no-organisation"' in response.content.decode()
    assert "form" not in response.context
    client.post(f"/annuaire/{place.pk}/ecrire/", {"subject": "Bonjour", "body": "Salut",
                                                   "consent": "on"})
    assert not DirectoryMessage.objects.exists()


def test_pages_keep_to_the_strict_csp(client, searcher, lille):
    place = listed(lille)
    client.force_login(searcher)
    for url in (URL, f"/annuaire/{place.pk}/ecrire/"):
        html = client.get(url).content.decode()
        assert " style=" not in html and "<style" not in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url


# --- contact -------------------------------------------------------------------------------

@pytest.fixture
def recipient(lille):
    return listed(lille, legal_name="Tiers-lieu Destinataire")


def message(searcher, **overrides):
    return {"sender_organisation": searcher.org_memberships.get().organisation_id,
            "subject": "Un projet commun ?", "body": "Nous formons des demandeurs d'emploi.",
            "consent": "on", **overrides}


def test_a_message_is_recorded_and_relayed_to_the_recipient_admins(client, searcher,
                                                                    recipient):
    admin = org_admin(recipient)
    MembershipFactory(organisation=recipient, role=MemberRole.MEMBER)  # not an administrator
    searcher.first_name, searcher.last_name = "Alex", "Chercheur"
    searcher.save()
    client.force_login(searcher)
    response = client.post(f"/annuaire/{recipient.pk}/ecrire/", message(searcher))
    assert response.status_code == 302 and response["Location"] == URL
    sent = DirectoryMessage.objects.get()
    assert (sent.sender, sent.recipient, sent.subject) == (searcher, recipient,
                                                           "Un projet commun ?")
    assert sent.sender_organisation.legal_name == "Centre Chercheur"
    mail = OutgoingMail.objects.get(cause="consortia:directory_message")
    assert mail.to == [admin.email]
    assert "Un projet commun ?" in mail.subject
    for text in ("Nous formons des demandeurs d'emploi.", searcher.email, "Alex Chercheur",
                 "Centre Chercheur"):
        assert text in mail.body_text
    assert "&#x27;" not in mail.body_text
    assert AuditEvent.objects.for_object(recipient).filter(action="directory.message").exists()


def test_without_consent_nothing_is_sent(client, searcher, recipient):
    org_admin(recipient)
    client.force_login(searcher)
    response = client.post(f"/annuaire/{recipient.pk}/ecrire/",
                           message(searcher, consent=""))
    assert response.status_code == 200
    assert response.context["form"].errors["consent"]
    assert not DirectoryMessage.objects.exists() and not OutgoingMail.objects.exists()


def test_one_cannot_write_on_behalf_of_another_organisation(client, searcher, recipient):
    stranger = OrganisationFactory()
    client.force_login(searcher)
    response = client.post(f"/annuaire/{recipient.pk}/ecrire/",
                           message(searcher, sender_organisation=stranger.pk))
    assert response.context["form"].errors["sender_organisation"]
    assert not DirectoryMessage.objects.exists()


def test_a_double_submission_sends_one_message(client, searcher, recipient):
    org_admin(recipient)
    client.force_login(searcher)
    client.post(f"/annuaire/{recipient.pk}/ecrire/", message(searcher))
    response = client.post(f"/annuaire/{recipient.pk}/ecrire/", message(searcher))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert DirectoryMessage.objects.count() == 1
    assert OutgoingMail.objects.count() == 1


def test_an_organisation_outside_the_directory_cannot_be_written_to(client, searcher):
    hidden = OrganisationFactory()
    client.force_login(searcher)
    assert client.get(f"/annuaire/{hidden.pk}/ecrire/").status_code == 404
    assert client.post(f"/annuaire/{hidden.pk}/ecrire/", message(searcher)).status_code == 404
    assert not DirectoryMessage.objects.exists()


def test_one_does_not_write_to_ones_own_organisation(client, lille):
    own = listed(lille)
    client.force_login(org_admin(own))
    response = client.get(f"/annuaire/{own.pk}/ecrire/")
    assert 'id="own-organisation"' in response.content.decode()


# --- leaving -------------------------------------------------------------------------------

def test_an_administrator_takes_the_organisation_out_of_the_directory(client, recipient):
    admin = org_admin(recipient)
    client.force_login(admin)
    assert f"/annuaire/quitter/{recipient.pk}/" in client.get(URL).content.decode()
    response = client.post(f"/annuaire/quitter/{recipient.pk}/", {"next": URL})
    assert response.status_code == 302 and response["Location"] == URL
    assert not Organisation.objects.get(pk=recipient.pk).in_directory
    event = AuditEvent.objects.for_object(recipient).get(action="directory.left")
    assert event.actor == admin
    client.post(f"/annuaire/quitter/{recipient.pk}/")  # twice: nothing more
    assert AuditEvent.objects.for_object(recipient).filter(action="directory.left").count() == 1


@pytest.mark.parametrize("who", ["member", "outsider"])
def test_others_cannot_take_it_out(client, recipient, who):
    if who == "member":
        user = MembershipFactory(organisation=recipient, role=MemberRole.MEMBER).user
    else:
        user = org_admin(OrganisationFactory())
    client.force_login(user)
    assert client.post(f"/annuaire/quitter/{recipient.pk}/").status_code == 404
    assert Organisation.objects.get(pk=recipient.pk).in_directory


def test_leaving_needs_a_post_and_a_safe_next(client, recipient):
    client.force_login(org_admin(recipient))
    assert client.get(f"/annuaire/quitter/{recipient.pk}/").status_code == 405
    assert Organisation.objects.get(pk=recipient.pk).in_directory
    response = client.post(f"/annuaire/quitter/{recipient.pk}/",
                           {"next": "https://evil.example.com/"})
    assert response["Location"] == URL
