"""Organisation pages: registration, SIRET/NDA checks, permissions (from the side of the user
who must not see), requests to join, proof of digitalisation, query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from connaissance.audit.models import AuditEvent
from connaissance.mail.models import OutgoingMail
from connaissance.territories.models import Commune
from consortia.models import (
    DigitalProof,
    JoinRequest,
    MemberRole,
    Membership,
    Organisation,
    RequestStatus,
)
from tests.consortia.factories import (
    DigitalProofFactory,
    MembershipFactory,
    OrganisationFactory,
    org_admin,
    valid_siret,
)
from tests.core.factories_core import minimal_pdf
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIRET = valid_siret(4242)
SIRET_TYPED = f"{SIRET[:3]} {SIRET[3:6]} {SIRET[6:9]} {SIRET[9:]}"


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


@pytest.fixture
def commune():
    return Commune.objects.get(code="59350")  # Lille


def form_data(commune=None, **overrides):
    data = {"legal_name": "Tiers-lieu des Tisserands", "siret": SIRET_TYPED,
            "kind": "tiers_lieu", "address": "12 rue de Roubaix",
            "commune": str(commune) if commune else "", "postcode": "", "town": "",
            "website": "tisserands.example.org", "nda": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def error_codes(response, field):
    return [e.code for e in response.context["form"].errors.as_data()[field]]


# --- registration --------------------------------------------------------------------------


def test_create_organisation(client, user, commune):
    client.force_login(user)
    response = client.post(reverse("consortia:organisation_create"), form_data(commune))
    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("consortia:organisation", args=[organisation.pk])
    assert organisation.siret == SIRET  # stored compact
    assert organisation.commune == commune
    assert organisation.website == "https://tisserands.example.org"
    assert Membership.objects.get(organisation=organisation).user == user
    assert Membership.objects.get(organisation=organisation).role == MemberRole.ADMIN
    event = AuditEvent.objects.get(action="organisation.created")
    assert event.actor == user and event.object_id == str(organisation.pk)

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert organisation.siret_display in page.content.decode()  # shown formatted


def test_create_training_body_outside_region_goes_to_the_proof(client, user):
    client.force_login(user)
    response = client.post(reverse("consortia:organisation_create"), form_data(
        kind="training_body", nda="32 59 1234567", qualiopi="on", outside_region="on",
        postcode="75011", town="Paris"))
    organisation = Organisation.objects.get()
    assert response["Location"] == reverse("consortia:digital_proof", args=[organisation.pk])
    assert (organisation.nda, organisation.qualiopi) == ("32591234567", True)
    assert (organisation.commune, organisation.postcode, organisation.town) == (
        None, "75011", "Paris")


@pytest.mark.parametrize(("siret", "code"), [
    (SIRET[:-1] + str((int(SIRET[-1]) + 1) % 10), "siret_checksum"),
    (SIRET[:13], "siret_length"),
    (SIRET[:12] + "AB", "siret_digits"),
])
def test_invalid_siret_is_refused_with_a_message(client, user, commune, siret, code):
    client.force_login(user)
    response = client.post(reverse("consortia:organisation_create"),
                           form_data(commune, siret=siret))
    assert response.status_code == 200
    assert error_codes(response, "siret") == [code]
    message = response.context["form"].errors["siret"][0]
    assert message and message in response.content.decode()
    assert not Organisation.objects.exists()
    # everything typed is kept
    assert "Tiers-lieu des Tisserands" in response.content.decode()


@pytest.mark.parametrize(("nda", "code"), [
    ("3259123456", "nda_length"), ("325912345678", "nda_length"), ("", "nda_required"),
    ("32-59-ABC", "nda_digits"),
])
def test_training_body_nda_is_checked(client, user, commune, nda, code):
    client.force_login(user)
    response = client.post(reverse("consortia:organisation_create"),
                           form_data(commune, kind="training_body", nda=nda))
    assert response.status_code == 200
    assert error_codes(response, "nda") == [code]
    assert not Organisation.objects.exists()


def test_commune_or_outside_address_is_required(client, user):
    client.force_login(user)
    response = client.post(reverse("consortia:organisation_create"), form_data())
    assert error_codes(response, "commune") == ["required"]
    response = client.post(reverse("consortia:organisation_create"),
                           form_data(outside_region="on"))
    assert error_codes(response, "postcode") == ["required"]
    assert error_codes(response, "town") == ["required"]
    assert not Organisation.objects.exists()


def test_taken_siret_offers_to_ask_to_join(client, user, commune):
    existing = OrganisationFactory(siret=SIRET, legal_name="Déjà Là SAS")
    client.force_login(user)
    response = client.post(reverse("consortia:organisation_create"), form_data(commune))
    assert response.status_code == 200
    assert response.context["taken"] == existing
    assert "Déjà Là SAS" in str(response.context["form"].errors["siret"][0])
    assert reverse("consortia:ask_to_join", args=[existing.pk]) in response.content.decode()
    assert Organisation.objects.count() == 1
    assert not Membership.objects.filter(user=user).exists()


def test_double_submission_creates_one_organisation(client, user, commune):
    client.force_login(user)
    url = reverse("consortia:organisation_create")
    assert client.post(url, form_data(commune)).status_code == 302
    again = client.post(url, form_data(commune))
    assert again.status_code == 200
    assert Organisation.objects.count() == 1
    assert Membership.objects.filter(user=user).count() == 1
    organisation = Organisation.objects.get()
    assert again.context["taken_is_mine"]
    assert reverse("consortia:organisation", args=[organisation.pk]) in again.content.decode()


def test_admin_edits_the_organisation(client, commune):
    organisation = OrganisationFactory(commune=commune, postcode="", town="")
    client.force_login(org_admin(organisation))
    url = reverse("consortia:organisation_edit", args=[organisation.pk])
    page = client.get(url)
    assert page.status_code == 200 and str(commune) in page.content.decode()
    response = client.post(url, form_data(commune, siret=None, legal_name="Nouveau nom",
                                          in_directory="on", directory_pitch="Cherche OF"))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.legal_name, organisation.in_directory) == ("Nouveau nom", True)
    assert organisation.siret != SIRET  # the SIRET is not editable
    assert AuditEvent.objects.filter(action="organisation.updated").exists()


# --- permissions ---------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login(client):
    organisation = OrganisationFactory()
    for url in (reverse("consortia:organisations"), reverse("consortia:organisation_create"),
                reverse("consortia:organisation", args=[organisation.pk]),
                reverse("consortia:ask_to_join", args=[organisation.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/compte/login/")


@pytest.mark.parametrize("name", ["organisation", "organisation_edit", "digital_proof",
                                  "member_invite"])
def test_non_member_gets_404(client, user, name):
    organisation = OrganisationFactory(training_body=True)
    org_admin(organisation)
    MembershipFactory(user=user)  # member of another organisation
    client.force_login(user)
    url = reverse(f"consortia:{name}", args=[organisation.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


@pytest.mark.parametrize("name", ["organisation_edit", "digital_proof", "member_invite"])
def test_plain_member_gets_404_on_admin_pages(client, name):
    membership = MembershipFactory(organisation__training_body=True, role=MemberRole.MEMBER)
    client.force_login(membership.user)
    organisation = membership.organisation
    assert client.get(reverse("consortia:organisation", args=[organisation.pk])).status_code == 200
    url = reverse(f"consortia:{name}", args=[organisation.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


def test_proof_page_is_404_for_a_non_training_body(client):
    admin = org_admin(kind="tiers_lieu")
    client.force_login(admin)
    organisation = admin.org_memberships.get().organisation
    assert client.get(reverse("consortia:digital_proof",
                              args=[organisation.pk])).status_code == 404


def test_detail_shows_members_and_proof_to_a_member(client):
    proof = DigitalProofFactory()
    membership = MembershipFactory(organisation=proof.organisation)
    client.force_login(membership.user)
    page = client.get(reverse("consortia:organisation", args=[proof.organisation.pk]))
    content = page.content.decode()
    assert membership.user.email in content
    assert str(proof.get_status_display()).capitalize() in content
    assert reverse("consortia:member_invite", args=[proof.organisation.pk]) not in content


# --- requests to join ----------------------------------------------------------------------


def test_ask_to_join_reveals_only_name_and_siret(client, user):
    organisation = OrganisationFactory(address="7 allée Secrète", website="https://x.example")
    client.force_login(user)
    page = client.get(reverse("consortia:ask_to_join", args=[organisation.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert organisation.legal_name in content and organisation.siret_display in content
    assert "7 allée Secrète" not in content and "x.example" not in content


def test_join_request_approved_flow(client, user):
    organisation = OrganisationFactory()
    admin = org_admin(organisation)
    client.force_login(user)
    response = client.post(reverse("consortia:ask_to_join", args=[organisation.pk]),
                           {"message": "Je suis la nouvelle chargée de projet."})
    assert response.status_code == 302
    join = JoinRequest.objects.get()
    assert join.status == RequestStatus.PENDING
    mail = OutgoingMail.objects.get(cause="consortia:join_request")
    assert mail.to == [admin.email]
    assert f"/organisations/{organisation.pk}/" in mail.body_text
    assert "http" in mail.body_text  # absolute link

    # a second request while the first waits changes nothing
    again = client.post(reverse("consortia:ask_to_join", args=[organisation.pk]), {})
    assert again.status_code == 200 and again.context["form"].non_field_errors()
    assert JoinRequest.objects.count() == 1

    # the requester cannot decide their own request
    decide = reverse("consortia:join_request_decide", args=[join.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 404

    client.force_login(admin)
    page = client.get(reverse("consortia:organisation", args=[organisation.pk]))
    assert decide in page.content.decode()
    response = client.post(decide, {"decision": "approve"})
    assert response.status_code == 302
    join.refresh_from_db()
    assert join.status == RequestStatus.APPROVED and join.decided_by == admin
    assert Membership.objects.get(user=user, organisation=organisation).role == MemberRole.MEMBER
    assert OutgoingMail.objects.filter(cause="consortia:join_request_decided",
                                       to=[user.email]).exists()
    # answered once only
    client.post(decide, {"decision": "refuse"})
    join.refresh_from_db()
    assert join.status == RequestStatus.APPROVED

    client.force_login(user)
    assert client.get(reverse("consortia:organisation",
                              args=[organisation.pk])).status_code == 200


def test_join_request_refused(client, user):
    organisation = OrganisationFactory()
    admin = org_admin(organisation)
    join = JoinRequest.objects.create(user=user, organisation=organisation)
    client.force_login(admin)
    client.post(reverse("consortia:join_request_decide", args=[join.pk]),
                {"decision": "refuse"})
    join.refresh_from_db()
    assert join.status == RequestStatus.REFUSED
    assert not Membership.objects.filter(user=user, organisation=organisation).exists()


def test_member_invitation_is_sent(client):
    organisation = OrganisationFactory()
    admin = org_admin(organisation)
    client.force_login(admin)
    url = reverse("consortia:member_invite", args=[organisation.pk])
    response = client.post(url, {"email": "Collegue@Example.org", "message": "Bienvenue"})
    assert response.status_code == 302
    mail = OutgoingMail.objects.get(cause="consortia:member_invitation")
    assert mail.to == ["collegue@example.org"] and "/invitations/" in mail.body_text
    again = client.post(url, {"email": "collegue@example.org"})
    assert again.status_code == 200 and error_codes(again, "email")
    page = client.get(reverse("consortia:organisation", args=[organisation.pk]))
    assert "collegue@example.org" in page.content.decode()


# --- proof of digitalisation ---------------------------------------------------------------


def proof_data(**overrides):
    return {"digital_offer": "Classes virtuelles pour le CAP cuisine", "since": "2021-09-01",
            "learner_count": "85", "links": "https://of.example.org/catalogue", **overrides}


def test_proof_is_declared_with_a_document(client):
    organisation = OrganisationFactory(training_body=True)
    admin = org_admin(organisation)
    client.force_login(admin)
    document = SimpleUploadedFile("preuve.pdf", minimal_pdf(), content_type="application/pdf")
    response = client.post(reverse("consortia:digital_proof", args=[organisation.pk]),
                           proof_data(document=document))
    assert response.status_code == 302
    proof = DigitalProof.objects.get(organisation=organisation)
    assert proof.status == "declared" and proof.learner_count == 85
    assert proof.document.content_type == "application/pdf"
    page = client.get(reverse("consortia:organisation", args=[organisation.pk]))
    download = reverse("files:download", args=[proof.document.pk])
    assert download in page.content.decode()
    assert client.get(download).status_code == 200
    client.force_login(UserFactory())
    assert client.get(download).status_code == 404


def test_renamed_executable_is_refused_and_the_rest_is_kept(client):
    organisation = OrganisationFactory(training_body=True)
    client.force_login(org_admin(organisation))
    executable = SimpleUploadedFile("preuve.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200,
                                    content_type="application/pdf")
    response = client.post(reverse("consortia:digital_proof", args=[organisation.pk]),
                           proof_data(document=executable))
    assert response.status_code == 200
    assert error_codes(response, "document") == ["bad_type"]
    content = response.content.decode()
    assert "Classes virtuelles pour le CAP cuisine" in content
    assert 'value="85"' in content and "https://of.example.org/catalogue" in content
    assert not DigitalProof.objects.exists()


def test_proof_links_are_checked(client):
    organisation = OrganisationFactory(training_body=True)
    client.force_login(org_admin(organisation))
    response = client.post(reverse("consortia:digital_proof", args=[organisation.pk]),
                           proof_data(links="pas une adresse"))
    assert error_codes(response, "links") == ["invalid_link"]


# --- lists ---------------------------------------------------------------------------------


def _list_queries(client, user):
    client.force_login(user)
    url = reverse("consortia:organisations")
    client.get(url)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_my_organisations_query_count_does_not_grow(client):
    one, five = UserFactory(), UserFactory()
    MembershipFactory(user=one, role=MemberRole.ADMIN,
                      organisation=DigitalProofFactory().organisation)
    for i in range(5):
        organisation = (DigitalProofFactory().organisation if i % 2
                        else OrganisationFactory())
        MembershipFactory(user=five, organisation=organisation,
                          role=MemberRole.ADMIN if i < 3 else MemberRole.MEMBER)
        JoinRequest.objects.create(user=UserFactory(), organisation=organisation)
    count_one, _ = _list_queries(client, one)
    count_five, response = _list_queries(client, five)
    assert count_one == count_five
    assert len(response.context["memberships"]) == 5
