"""Officers in the admin: organisations (proof verification, several collectives of a call),
collectives (membership lock, audited), locks per call, read-only lists; bounded queries."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from calls.models import PhaseKind
from connaissance.audit.models import AuditEvent
from consortia.admin.collectives import ParticipationInline
from consortia.models import (
    Collective,
    DigitalProof,
    DirectoryMessage,
    JoinRequest,
    MemberRole,
    Membership,
    MembershipLock,
    Participation,
    ParticipationStatus,
    ProofStatus,
)
from consortia.services.collectives import lock_phase, membership_locked
from tests.consortia.factories import (
    CollectiveFactory,
    DigitalProofFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipationFactory,
    org_admin,
)
from tests.factories import CallFactory, UserFactory

pytestmark = pytest.mark.django_db
ORGS = "/admin/consortia/organisation/"
COLLECTIVES = "/admin/consortia/collective/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def french(label):
    with translation.override("fr"):
        return str(label)


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), response


def posted(response, **overrides):
    """The POST data of an admin change page as displayed, with `overrides`."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): management[name].value()
                     for name in management.fields})
        forms.extend(inline.formset.initial_forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is True:
                data[form.add_prefix(name)] = "on"
            elif value not in (None, False):
                data[form.add_prefix(name)] = value
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


# --- organisations -------------------------------------------------------------------------

def test_the_organisation_list_shows_siret_proof_and_filters(client, agent):
    body = DigitalProofFactory().organisation
    html = client.get(ORGS).content.decode()
    assert body.siret_display in html
    assert french(ProofStatus.DECLARED.label) in html
    for parameter in ("kind__exact=", "proof=", "departement=", "several=", "in_directory__"):
        assert parameter in html, parameter
    assert client.get(ORGS, {"q": body.siret_display}).context["cl"].result_count == 1


def test_the_organisation_list_makes_the_same_queries_for_one_row_as_for_many(client, agent):
    call = CallFactory(calendar=False)
    ParticipationFactory(collective=CollectiveFactory(call=call),
                         organisation=DigitalProofFactory().organisation)
    one, response = queries(client, ORGS)
    assert response.context["cl"].result_count == 2  # the lead and the partner
    for _ in range(3):
        partner = DigitalProofFactory(status=ProofStatus.VERIFIED).organisation
        org_admin(partner)
        for _ in range(2):
            ParticipationFactory(collective=CollectiveFactory(call=call), organisation=partner)
    OrganisationFactory(training_body=True)
    many, response = queries(client, ORGS)
    assert response.context["cl"].result_count > 10
    assert one == many


def test_verifying_proofs_from_the_list(client, agent):
    declared = DigitalProofFactory()
    already = DigitalProofFactory(status=ProofStatus.VERIFIED, verified_at=timezone.now())
    without = OrganisationFactory(training_body=True)
    response = client.post(ORGS, {"action": "verify_proofs", "_selected_action": [
        declared.organisation_id, already.organisation_id, without.pk]}, follow=True)
    assert response.status_code == 200
    declared.refresh_from_db()
    assert (declared.status, declared.verified_by) == (ProofStatus.VERIFIED, agent)
    events = AuditEvent.objects.filter(action="digital_proof.verified")
    assert [e.object_id for e in events] == [str(declared.organisation_id)]
    assert events.get().actor == agent
    already.refresh_from_db()
    assert (already.status, already.verified_by) == (ProofStatus.VERIFIED, None)
    assert not DigitalProof.objects.filter(organisation=without).exists()
    page = client.get(f"{ORGS}{declared.organisation_id}/change/").content.decode()
    assert declared.digital_offer in page
    levels = {m.level_tag for m in response.context["messages"]}
    assert {"success", "warning"} <= levels


def test_organisations_in_several_collectives_of_a_call_are_flagged(client, agent):
    call, other_call = CallFactory(calendar=False), CallFactory(calendar=False)
    twice = OrganisationFactory(legal_name="Deux fois")
    for _ in range(2):
        ParticipationFactory(collective=CollectiveFactory(call=call), organisation=twice)
    spread = OrganisationFactory(legal_name="Deux appels")
    ParticipationFactory(collective=CollectiveFactory(call=call), organisation=spread)
    ParticipationFactory(collective=CollectiveFactory(call=other_call), organisation=spread)
    left = OrganisationFactory(legal_name="Partie")
    ParticipationFactory(collective=CollectiveFactory(call=call), organisation=left)
    ParticipationFactory(collective=CollectiveFactory(call=call), organisation=left,
                         status=ParticipationStatus.WITHDRAWN)
    leader = OrganisationFactory(legal_name="Chef et partenaire")
    CollectiveFactory(call=call, lead=leader)
    ParticipationFactory(collective=CollectiveFactory(call=call), organisation=leader)
    flagged = client.get(ORGS, {"several": "yes"}).context["cl"].result_list
    assert sorted(o.legal_name for o in flagged) == ["Chef et partenaire", "Deux fois"]
    others = client.get(ORGS, {"several": "no"}).context["cl"].result_list
    assert {"Deux appels", "Partie"} <= {o.legal_name for o in others}


def test_an_officer_may_change_a_member_role_and_it_is_audited(client, agent):
    membership = MembershipFactory(role=MemberRole.MEMBER)
    url = f"{ORGS}{membership.organisation_id}/change/"
    response = client.get(url)
    data = posted(response, **{"memberships-0-role": MemberRole.ADMIN})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Membership.objects.get(pk=membership.pk).role == MemberRole.ADMIN
    event = AuditEvent.objects.for_object(membership.organisation).get(action="membership.role")
    assert (event.from_state, event.to_state, event.actor) == ("member", "admin", agent)


def test_officers_neither_add_nor_delete_organisations_or_collectives(client, agent):
    organisation = OrganisationFactory()
    collective = CollectiveFactory()
    for url in (f"{ORGS}add/", f"{ORGS}{organisation.pk}/delete/", f"{COLLECTIVES}add/",
                f"{COLLECTIVES}{collective.pk}/delete/"):
        assert client.get(url).status_code == 403, url


# --- collectives ---------------------------------------------------------------------------

def test_the_collective_list_makes_the_same_queries_for_one_row_as_for_many(client, agent):
    MembershipLock.objects.create(call=CallFactory(), after_phase=PhaseKind.PRESELECTION)
    CollectiveFactory(call=CallFactory())
    one, response = queries(client, COLLECTIVES)
    assert response.context["cl"].result_count == 1
    for i in range(4):
        collective = CollectiveFactory(call=CallFactory(), membership_locked=i % 2 == 0)
        for _ in range(i + 1):
            ParticipationFactory(collective=collective)
    many, response = queries(client, COLLECTIVES)
    assert response.context["cl"].result_count == 5
    assert one == many


def test_the_collective_list_shows_lead_partners_and_lock(client, agent):
    collective = CollectiveFactory(lead=OrganisationFactory(legal_name="Chef de file"),
                                   membership_locked=True)
    ParticipationFactory(collective=collective)
    ParticipationFactory(collective=collective)
    ParticipationFactory(collective=collective, status=ParticipationStatus.WITHDRAWN)
    row = client.get(COLLECTIVES).context["cl"].result_list[0]
    assert (row.lead_name, row.partners) == ("Chef de file", 2)
    assert membership_locked(row)
    assert client.get(COLLECTIVES, {"membership_locked__exact": "0"}).context[
        "cl"].result_count == 0


def test_the_participation_inline_flags_an_organisation_elsewhere_in_the_call(agent):
    call = CallFactory(calendar=False)
    collective = CollectiveFactory(call=call)
    twice = ParticipationFactory(collective=collective).organisation
    ParticipationFactory(collective=CollectiveFactory(call=call), organisation=twice)
    once = ParticipationFactory(collective=collective).organisation
    ParticipationFactory(collective=CollectiveFactory(call=CallFactory(calendar=False)),
                         organisation=once)
    request = RequestFactory().get("/")
    request.user = agent
    inline = ParticipationInline(Collective, admin.site)
    rows = {p.organisation_id: p.elsewhere for p in
            inline.get_queryset(request).filter(collective=collective)}
    lead = collective.participations.get(role="lead").organisation_id
    assert rows == {twice.pk: True, once.pk: False, lead: False}


def test_the_collective_page_makes_the_same_queries_for_one_partner_as_for_five(client,
                                                                                 agent):
    collective = CollectiveFactory()
    ParticipationFactory(collective=collective)
    url = f"{COLLECTIVES}{collective.pk}/change/"
    client.get(url)  # fills the content-type cache of the admin's history link
    one, _response = queries(client, url)
    for _ in range(4):
        partner = ParticipationFactory(collective=collective).organisation
        ParticipationFactory(collective=CollectiveFactory(call=collective.call),
                             organisation=partner)
    five, _response = queries(client, url)
    assert one == five


def test_an_officer_locks_a_collective_and_it_is_audited(client, agent):
    collective = CollectiveFactory()
    ParticipationFactory(collective=collective)
    url = f"{COLLECTIVES}{collective.pk}/change/"
    data = posted(client.get(url), membership_locked="on", name="Renommé")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    collective.refresh_from_db()
    assert collective.membership_locked and collective.name != "Renommé"
    event = AuditEvent.objects.for_object(collective).get(action="collective.membership_locked")
    assert (event.from_state, event.to_state, event.actor) == ("unlocked", "locked", agent)
    client.post(COLLECTIVES, {"action": "unlock_membership",
                              "_selected_action": [collective.pk]})
    collective.refresh_from_db()
    assert not collective.membership_locked
    assert AuditEvent.objects.for_object(collective).filter(
        action="collective.membership_unlocked", actor=agent).exists()


def test_an_officer_chooses_the_phase_whose_closing_locks_membership(client, agent):
    call = CallFactory()  # pre-selection closes in 14 days, filing in 45
    collective = CollectiveFactory(call=call)
    assert lock_phase(call) == PhaseKind.FILING
    response = client.post("/admin/consortia/membershiplock/add/",
                           {"call": call.pk, "after_phase": PhaseKind.PRESELECTION})
    assert response.status_code == 302
    call.refresh_from_db()
    assert lock_phase(call) == PhaseKind.PRESELECTION
    assert AuditEvent.objects.for_object(call).get(action="membership_lock.set").actor == agent
    preselection = call.phases.get(kind=PhaseKind.PRESELECTION)
    collective = Collective.objects.get(pk=collective.pk)
    assert not membership_locked(collective, at=preselection.ends_at)
    assert membership_locked(collective, at=preselection.ends_at + timedelta(seconds=1))


# --- read-only lists and access ------------------------------------------------------------

def test_invitations_requests_and_messages_are_read_only(client, agent):
    invitation = InvitationFactory(invited_by=None)
    organisation = OrganisationFactory()
    join = JoinRequest.objects.create(user=UserFactory(), organisation=organisation)
    message = DirectoryMessage.objects.create(
        sender_organisation=OrganisationFactory(), recipient=organisation, subject="Bonjour",
        body="Un projet ?")
    for model, obj in (("invitation", invitation), ("joinrequest", join),
                       ("directorymessage", message)):
        base = f"/admin/consortia/{model}/"
        assert client.get(base).status_code == 200, model
        assert client.get(f"{base}{obj.pk}/change/").status_code == 200, model
        assert client.get(f"{base}add/").status_code == 403, model
        assert client.get(f"{base}{obj.pk}/delete/").status_code == 403, model
        assert client.post(f"{base}{obj.pk}/change/", {}).status_code == 403, model
    assert str(invitation.key) not in client.get(
        f"/admin/consortia/invitation/{invitation.pk}/change/").content.decode()


def test_participations_are_not_edited_in_the_admin(client, agent):
    participation = ParticipationFactory()
    url = f"{COLLECTIVES}{participation.collective_id}/change/"
    data = posted(client.get(url), **{"participations-0-status": "withdrawn"})
    client.post(url, data)
    assert Participation.objects.get(pk=participation.pk).status == ParticipationStatus.CONFIRMED


def test_collective_members_cannot_reach_the_consortia_admin(client):
    organisation = OrganisationFactory()
    client.force_login(org_admin(organisation))
    for url in (ORGS, f"{ORGS}{organisation.pk}/change/", COLLECTIVES):
        assert client.get(url, follow=True).status_code == 404, url
