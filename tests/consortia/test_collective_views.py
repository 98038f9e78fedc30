"""Collective pages: creation by the lead, the composition checklist, participants, partner
withdrawal, the lock; 404s seen from the side of those who must not see; bounded queries."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from calls.models import CallStatus, PhaseKind
from connaissance.audit.models import AuditEvent
from connaissance.territories.models import Commune, Departement, Epci
from consortia.errors import ConsortiaError
from consortia.models import (
    Collective,
    MemberRole,
    OrganisationKind,
    Participation,
    ParticipationRole,
    ParticipationStatus,
)
from consortia.services.collectives import create_collective
from tests.consortia.factories import (
    CollectiveFactory,
    DigitalProofFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipationFactory,
)
from tests.factories import CallFactory, UserFactory

pytestmark = pytest.mark.django_db


def admin_of(organisation):
    user = MembershipFactory(organisation=organisation, role=MemberRole.ADMIN).user
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def collective_led_by_training_body(call=None):
    """A collective whose lead is a training body with a digital proof, and its admin."""
    lead = DigitalProofFactory().organisation
    user = admin_of(lead)
    return CollectiveFactory(lead=lead, **({"call": call} if call else {})), user


def close_filing(call):
    call.phases.filter(kind=PhaseKind.FILING).update(ends_at=timezone.now() - timedelta(days=1))


def checklist_state(html, scope):
    """{item code: ok} of one of the two checklists of the page."""
    section = html.split(f'data-checklist="{scope}"')[1].split("</section>")[0]
    return {code: ok == "true" for code, ok in
            re.findall(r'data-code="(\w+)" data-ok="(true|false)"', section)}


def some_epci():
    """An EPCI of the reference data (or one made for the test if it is not loaded)."""
    epci = Epci.objects.filter(communes__isnull=False).first()
    if epci is None:
        dep, _ = Departement.objects.get_or_create(code="59", defaults={"name": "Nord"})
        epci = Epci.objects.create(code="200093201", name="Métropole Européenne de Lille",
                                   kind="METRO")
        Commune.objects.create(code="59350", name="Lille", search_name="lille",
                               postcodes=["59000"], departement=dep, epci=epci)
    return epci


# --- the call page leads here ---------------------------------------------------------------

def test_call_page_offers_to_form_a_collective(client):
    call = CallFactory()
    html = client.get(reverse("calls:detail", args=[call.slug])).content.decode()
    assert reverse("consortia:collective_create", args=[call.slug]) in html


# --- creation -------------------------------------------------------------------------------

def test_create_requires_signing_in(client):
    call = CallFactory()
    url = reverse("consortia:collective_create", args=[call.slug])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/")
    assert quote(url, safe="") in response["Location"] or url in response["Location"]


def test_create_without_an_organisation_links_to_registering_one(client):
    call = CallFactory()
    client.force_login(UserFactory())
    url = reverse("consortia:collective_create", args=[call.slug])
    html = client.get(url).content.decode()
    assert 'id="no-organisation"' in html
    assert f'{reverse("consortia:organisation_create")}?next={quote(url, safe="")}' in html
    assert 'id="collective-form"' not in html


def test_create_offers_only_organisations_the_user_administers(client):
    call = CallFactory()
    mine = OrganisationFactory(legal_name="Tiers-lieu que j'administre")
    user = admin_of(mine)
    merely_member = OrganisationFactory(legal_name="Organisme dont je suis membre")
    MembershipFactory(user=user, organisation=merely_member, role=MemberRole.MEMBER)
    client.force_login(user)
    html = client.get(reverse("consortia:collective_create", args=[call.slug])).content.decode()
    assert escape(mine.legal_name) in html
    assert escape(merely_member.legal_name) not in html


def test_create_a_collective(client):
    call = CallFactory()
    lead = DigitalProofFactory().organisation
    user = admin_of(lead)
    epci = some_epci()
    client.force_login(user)
    url = reverse("consortia:collective_create", args=[call.slug])
    html = client.get(url).content.decode()
    assert "<optgroup" in html and f'value="{epci.code}"' in html
    response = client.post(url, {
        "lead_organisation": lead.pk, "name": "Tiers-lieux apprenants du Nord",
        "description": "Des formations hybrides dans les tiers-lieux.",
        "territory": "Arrondissement de Lille", "epcis": [epci.code]})
    collective = Collective.objects.get(name="Tiers-lieux apprenants du Nord")
    assert response.status_code == 302
    assert response["Location"] == reverse("consortia:collective", args=[collective.pk])
    assert collective.call == call and list(collective.epcis.all()) == [epci]
    assert collective.participations.get().organisation == lead
    assert collective.participations.get().role == ParticipationRole.LEAD
    assert AuditEvent.objects.for_object(collective).filter(action="collective.created").exists()


def test_create_refusal_shows_the_message_and_keeps_what_was_typed(client):
    existing, user = collective_led_by_training_body()
    lead = existing.participations.get().organisation
    client.force_login(user)
    url = reverse("consortia:collective_create", args=[existing.call.slug])
    with pytest.raises(ConsortiaError) as refusal:
        create_collective(user=user, call=existing.call, lead_organisation=lead,
                          name=existing.name.upper(), description="x", territory="y")
    response = client.post(url, {"lead_organisation": lead.pk, "name": existing.name.upper(),
                                 "description": "Ma description détaillée",
                                 "territory": "Somme"})
    html = response.content.decode()
    assert response.status_code == 200
    assert escape(str(refusal.value)) in html
    assert "Ma description détaillée" in html and 'value="Somme"' in html
    assert Collective.objects.count() == 1


def test_create_for_a_draft_call_is_a_404(client):
    call = CallFactory(status=CallStatus.DRAFT)
    client.force_login(admin_of(OrganisationFactory()))
    assert client.get(reverse("consortia:collective_create", args=[call.slug])).status_code == 404


# --- the collective page ------------------------------------------------------------------

def test_detail_shows_both_checklists(client):
    collective, user = collective_led_by_training_body()
    InvitationFactory(collective=collective, declared_kind=OrganisationKind.TIERS_LIEU,
                      declared_name="La Fabrique du Coin")
    client.force_login(user)
    html = client.get(reverse("consortia:collective", args=[collective.pk])).content.decode()
    # declared partners count for the opportunity note, not for the full dossier
    assert checklist_state(html, "note") == {"lead": True, "training_body": True,
                                             "tiers_lieu": True}
    assert checklist_state(html, "full") == {"lead": True, "training_body": True,
                                             "tiers_lieu": False}
    assert "✓" in html and "✗" in html  # icons, with text badges beside them
    assert "La Fabrique du Coin" in html  # in the checklist and in the invitations list
    assert 'id="invite-partner"' in html and 'id="locked-banner"' not in html


def test_detail_lists_participants_with_withdrawn_ones_greyed(client):
    collective, user = collective_led_by_training_body()
    ParticipationFactory(collective=collective, role_in_project="Accueille les ateliers",
                         organisation=OrganisationFactory(legal_name="Le Tiers-Lieu Vert"))
    gone = ParticipationFactory(collective=collective, status=ParticipationStatus.WITHDRAWN,
                                organisation=OrganisationFactory(legal_name="Parti Ailleurs"))
    client.force_login(user)
    html = client.get(reverse("consortia:collective", args=[collective.pk])).content.decode()
    assert "Accueille les ateliers" in html and "Le Tiers-Lieu Vert" in html
    assert (f'data-participation="{gone.pk}" data-status="withdrawn" '
            'class="text-body-secondary"') in html
    assert checklist_state(html, "full")["tiers_lieu"] is True


def test_a_confirmed_partner_sees_the_page_but_manages_nothing(client):
    collective, _lead_admin = collective_led_by_training_body()
    partner = ParticipationFactory(collective=collective).organisation
    InvitationFactory(collective=collective, email="secret@example.org")
    member = MembershipFactory(organisation=partner, role=MemberRole.MEMBER).user
    client.force_login(member)
    html = client.get(reverse("consortia:collective", args=[collective.pk])).content.decode()
    assert collective.name in html
    assert "secret@example.org" not in html and 'id="invite-partner"' not in html
    assert client.get(reverse("consortia:partner_invite",
                              args=[collective.pk])).status_code == 404


def _outsiders(collective):
    """The people who must not see the collective."""
    other, other_admin = collective_led_by_training_body()
    invited_org = OrganisationFactory()
    invited = admin_of(invited_org)
    InvitationFactory(collective=collective, email=invited.email)
    withdrawn = ParticipationFactory(collective=collective,
                                     status=ParticipationStatus.WITHDRAWN).organisation
    return {"another collective's member": other_admin,
            "an invited but not yet confirmed person": invited,
            "a member of a withdrawn partner": admin_of(withdrawn),
            "an anonymous visitor": None}


def test_those_who_must_not_see_get_a_404(client):
    collective, lead_admin = collective_led_by_training_body()
    partner = ParticipationFactory(collective=collective)
    invitation = InvitationFactory(collective=collective)
    urls = [reverse("consortia:collective", args=[collective.pk]),
            reverse("consortia:partner_invite", args=[collective.pk]),
            reverse("consortia:partner_withdraw", args=[collective.pk, partner.pk])]
    posts = [reverse("consortia:invitation_resend", args=[invitation.pk]),
             reverse("consortia:invitation_retract", args=[invitation.pk])]
    outsiders = _outsiders(collective)
    invitations = collective.invitations.count()
    for who, user in outsiders.items():
        client.logout()
        if user:
            client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (who, url)
        for url in [*urls[1:], *posts]:
            assert client.post(url, {"reason": "x", "email": "a@example.org"}).status_code \
                == 404, (who, url)
    partner.refresh_from_db()
    invitation.refresh_from_db()
    assert partner.status == ParticipationStatus.CONFIRMED
    assert (invitation.status, invitation.send_count) == ("pending", 1)
    assert collective.invitations.count() == invitations


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_detail_queries_do_not_grow_with_partners(client):
    counts = []
    for partners in (1, 5):
        collective, user = collective_led_by_training_body()
        for _ in range(partners):
            ParticipationFactory(collective=collective,
                                 organisation=DigitalProofFactory().organisation)
            InvitationFactory(collective=collective)
        client.force_login(user)
        counts.append(_queries(client, reverse("consortia:collective", args=[collective.pk])))
    assert counts[0] == counts[1]


def test_my_collectives_lists_mine_with_their_checklist_state(client):
    mine, user = collective_led_by_training_body()
    ParticipationFactory(collective=mine)  # a confirmed tiers-lieu: complete
    lead = mine.participations.get(role=ParticipationRole.LEAD).organisation
    second = CollectiveFactory(lead=lead)  # the training body alone: incomplete
    not_mine, _ = collective_led_by_training_body()
    client.force_login(user)
    html = client.get(reverse("consortia:collectives")).content.decode()
    assert mine.name in html and second.name in html and not_mine.name not in html
    row = html.split(f'data-collective="{mine.pk}"')[1].split("</tr>")[0]
    assert row.count('data-ok="true"') == 2
    row = html.split(f'data-collective="{second.pk}"')[1].split("</tr>")[0]
    assert row.count('data-ok="false"') == 2


def test_my_collectives_queries_do_not_grow(client):
    counts = []
    for collectives in (1, 5):
        lead = DigitalProofFactory().organisation
        user = admin_of(lead)
        for _ in range(collectives):
            collective = CollectiveFactory(lead=lead)
            ParticipationFactory(collective=collective)
            InvitationFactory(collective=collective)
        client.force_login(user)
        counts.append(_queries(client, reverse("consortia:collectives")))
    assert counts[0] == counts[1]


def test_my_collectives_requires_signing_in(client):
    response = client.get(reverse("consortia:collectives"))
    assert response.status_code == 302 and response["Location"].startswith("/compte/login/")


# --- withdrawing a partner, and the lock --------------------------------------------------

def test_lead_withdraws_a_partner_after_a_confirmation_step(client):
    collective, user = collective_led_by_training_body()
    partner = ParticipationFactory(collective=collective)
    client.force_login(user)
    url = reverse("consortia:partner_withdraw", args=[collective.pk, partner.pk])
    html = client.get(url).content.decode()
    assert 'id="withdraw-form"' in html
    partner.refresh_from_db()
    assert partner.status == ParticipationStatus.CONFIRMED  # a GET changes nothing
    response = client.post(url, {"reason": "Ne peut plus s'engager"})
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.status == ParticipationStatus.WITHDRAWN
    event = AuditEvent.objects.for_object(collective).get(action="participation.withdrawn")
    assert event.reason == "Ne peut plus s'engager" and event.actor == user


def test_withdrawing_another_collectives_partner_is_a_404(client):
    collective, user = collective_led_by_training_body()
    elsewhere = ParticipationFactory()
    client.force_login(user)
    url = reverse("consortia:partner_withdraw", args=[collective.pk, elsewhere.pk])
    assert client.post(url).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == ParticipationStatus.CONFIRMED


def test_the_lead_cannot_be_withdrawn(client):
    collective, user = collective_led_by_training_body()
    lead = collective.participations.get()
    client.force_login(user)
    response = client.post(reverse("consortia:partner_withdraw", args=[collective.pk, lead.pk]))
    assert response.status_code == 200 and 'id="erreurs"' in response.content.decode()
    assert Participation.objects.get(pk=lead.pk).status == ParticipationStatus.CONFIRMED


def test_once_filing_has_closed_the_composition_is_locked(client):
    collective, user = collective_led_by_training_body()
    partner = ParticipationFactory(collective=collective)
    invitation = InvitationFactory(collective=collective)
    close_filing(collective.call)
    client.force_login(user)
    html = client.get(reverse("consortia:collective", args=[collective.pk])).content.decode()
    assert 'id="locked-banner"' in html
    assert 'id="invite-partner"' not in html
    assert reverse("consortia:partner_withdraw", args=[collective.pk, partner.pk]) not in html
    assert reverse("consortia:invitation_resend", args=[invitation.pk]) not in html

    response = client.post(reverse("consortia:partner_invite", args=[collective.pk]), {
        "email": "tard@example.org", "declared_name": "Trop tard",
        "declared_kind": OrganisationKind.TIERS_LIEU})
    assert response.status_code == 200 and 'id="erreurs"' in response.content.decode()
    assert "tard@example.org" in response.content.decode()  # what was typed is kept
    response = client.post(
        reverse("consortia:partner_withdraw", args=[collective.pk, partner.pk]))
    assert response.status_code == 200 and 'id="erreurs"' in response.content.decode()
    response = client.post(reverse("consortia:invitation_resend", args=[invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    partner.refresh_from_db()
    assert partner.status == ParticipationStatus.CONFIRMED
    assert invitation.send_count == 1
    assert collective.invitations.count() == 1


def test_officers_lock_a_collective_by_hand(client):
    collective, user = collective_led_by_training_body()
    Collective.objects.filter(pk=collective.pk).update(membership_locked=True)
    client.force_login(user)
    html = client.get(reverse("consortia:collective", args=[collective.pk])).content.decode()
    assert 'id="locked-banner"' in html and 'id="invite-partner"' not in html
