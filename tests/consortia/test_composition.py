"""The consortium rule, table-driven: every kind of lead × every kind of partner × every state of
the partner (confirmed, invited, declined, retracted, expired, withdrawn) × count_pending.

At least one training body with a proof of digitalisation, at least one tiers-lieu, the lead;
a partner counts once confirmed; for the opportunity note (count_pending=True) a partner
declared by the lead in a pending, unexpired invitation counts too.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from consortia.composition import check_composition
from consortia.models import (
    Collective,
    InvitationStatus,
    OrganisationKind,
    ParticipationStatus,
)
from consortia.services.collectives import with_composition_data
from tests.consortia.factories import (
    CollectiveFactory,
    DigitalProofFactory,
    InvitationFactory,
    OrganisationFactory,
    ParticipationFactory,
)
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db

PROVEN_BODY = "training_body+proof"  # a training body with a proof of digitalisation
KINDS = [PROVEN_BODY, *OrganisationKind.values]  # OrganisationKind: the body without proof
STATES = ["confirmed", "pending", "declined", "retracted", "expired", "withdrawn"]


def make_organisation(kind):
    if kind == PROVEN_BODY:
        return DigitalProofFactory().organisation
    if kind == OrganisationKind.TRAINING_BODY:
        return OrganisationFactory(training_body=True)
    return OrganisationFactory(kind=kind)


def declared(kind):
    return OrganisationKind.TRAINING_BODY if kind == PROVEN_BODY else kind


def add_partner(collective, kind, state):
    """The partner of `kind` in `state` (an invitation carries the kind the lead declared)."""
    now = timezone.now()
    if state in ("confirmed", "withdrawn"):
        ParticipationFactory(collective=collective, organisation=make_organisation(kind),
                             status=(ParticipationStatus.CONFIRMED if state == "confirmed"
                                     else ParticipationStatus.WITHDRAWN))
        if state == "withdrawn":
            InvitationFactory(collective=collective, declared_kind=declared(kind),
                              status=InvitationStatus.ACCEPTED, invited_by=None)
        return
    status = {"pending": InvitationStatus.PENDING, "expired": InvitationStatus.PENDING,
              "declined": InvitationStatus.DECLINED,
              "retracted": InvitationStatus.RETRACTED}[state]
    expires = now - timedelta(minutes=1) if state == "expired" else now + timedelta(days=3)
    InvitationFactory(collective=collective, declared_kind=declared(kind), status=status,
                      expires_at=expires, invited_by=None)


def expected(lead, partner, state, count_pending):
    counts = state == "confirmed"
    declared_counts = count_pending and state == "pending"
    body = (lead == PROVEN_BODY or (partner == PROVEN_BODY and counts)
            or (declared_counts and declared(partner) == OrganisationKind.TRAINING_BODY))
    place = (lead == OrganisationKind.TIERS_LIEU
             or (partner == OrganisationKind.TIERS_LIEU and (counts or declared_counts)))
    return {"lead": True, "training_body": body, "tiers_lieu": place}


def loaded(collective):
    return with_composition_data(Collective.objects.filter(pk=collective.pk)).get()


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("partner", KINDS)
@pytest.mark.parametrize("lead", KINDS)
def test_composition_rule(lead, partner, state):
    collective = CollectiveFactory(call=CallFactory(calendar=False),
                                   lead=make_organisation(lead))
    add_partner(collective, partner, state)
    collective = loaded(collective)
    for count_pending in (False, True):
        result = check_composition(collective, count_pending=count_pending)
        got = {item.code: item.ok for item in result.items}
        want = expected(lead, partner, state, count_pending)
        assert got == want, (lead, partner, state, count_pending)
        assert result.ok is all(want.values())
        assert [item.code for item in result.missing] == [c for c, ok in want.items() if not ok]
        for item in result.items:
            assert item.label.strip() and item.detail.strip()


def test_a_full_collective_passes_with_confirmed_partners_only():
    collective = CollectiveFactory(lead=OrganisationFactory(kind=OrganisationKind.ECONOMIC))
    add_partner(collective, PROVEN_BODY, "confirmed")
    add_partner(collective, OrganisationKind.TIERS_LIEU, "confirmed")
    add_partner(collective, OrganisationKind.RECEPTION, "pending")
    assert check_composition(loaded(collective), count_pending=False).ok


def test_declared_partners_count_for_the_note_but_not_for_the_dossier():
    collective = CollectiveFactory(lead=OrganisationFactory(kind=OrganisationKind.OTHER))
    add_partner(collective, OrganisationKind.TRAINING_BODY, "pending")
    add_partner(collective, OrganisationKind.TIERS_LIEU, "pending")
    collective = loaded(collective)
    assert check_composition(collective, count_pending=True).ok
    dossier = check_composition(collective, count_pending=False)
    assert [item.code for item in dossier.missing] == ["training_body", "tiers_lieu"]


def test_a_confirmed_training_body_without_proof_is_named_in_what_to_do():
    body = OrganisationFactory(training_body=True, legal_name="Formations du Littoral")
    collective = CollectiveFactory(lead=OrganisationFactory())
    ParticipationFactory(collective=collective, organisation=body)
    item = next(i for i in check_composition(loaded(collective), count_pending=False).items
                if i.code == "training_body")
    assert not item.ok
    assert "Formations du Littoral" in item.detail


def test_a_verified_proof_counts_like_a_declared_one():
    collective = CollectiveFactory(lead=DigitalProofFactory(status="verified").organisation)
    ParticipationFactory(collective=collective, organisation=OrganisationFactory())
    assert check_composition(loaded(collective), count_pending=False).ok


def test_without_lead_the_checklist_says_so():
    collective = CollectiveFactory(lead=False)
    add_partner(collective, PROVEN_BODY, "confirmed")
    add_partner(collective, OrganisationKind.TIERS_LIEU, "confirmed")
    result = check_composition(loaded(collective), count_pending=False)
    assert [item.code for item in result.missing] == ["lead"]


def test_an_invitation_counts_until_the_instant_it_expires():
    collective = CollectiveFactory(lead=DigitalProofFactory().organisation)
    invitation = InvitationFactory(collective=collective,
                                   declared_kind=OrganisationKind.TIERS_LIEU)
    collective = loaded(collective)
    before = invitation.expires_at - timedelta(seconds=1)
    assert check_composition(collective, count_pending=True, at=before).ok
    assert not check_composition(collective, count_pending=True, at=invitation.expires_at).ok


def test_the_rule_reads_only_prefetched_data(django_assert_num_queries):
    collective = CollectiveFactory(lead=DigitalProofFactory().organisation)
    for kind in (OrganisationKind.TIERS_LIEU, OrganisationKind.TRAINING_BODY,
                 OrganisationKind.ECONOMIC):
        add_partner(collective, kind, "confirmed")
        add_partner(collective, kind, "pending")
    collective = loaded(collective)
    with django_assert_num_queries(0):
        check_composition(collective, count_pending=True)
        check_composition(collective, count_pending=False)
