"""The draft of the opportunity note, for its collective: French amounts, communes added one by
one, the low-supply flag, concurrent saves, nothing lost on an expired session; 404s for
everyone else; bounded queries."""

import re
from urllib.parse import parse_qs

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.forms.notes import parse_amount
from applications.models import NoteStatus, OpportunityNote
from applications.services.drafts import note_for, save_draft
from applications.views.keep_typed import session_key
from calls.models import LowSupplyTerritory
from connaissance.territories.models import Commune, Epci
from tests.applications.factories import complete_collective, filable_note, filed_note
from tests.applications.note_pages import draft_post, signed_in_member, url
from tests.consortia.factories import (
    CollectiveFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipationFactory,
    org_admin,
)
from tests.factories import PASSWORD, AxisFactory, officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    return signed_in_member(client)

# --- The draft --------------------------------------------------------------------------------

def test_a_member_gets_an_empty_draft_marked_as_not_filed(client, member):
    collective, _user = member
    response = client.get(url("note", collective))
    assert response.status_code == 200
    note = OpportunityNote.objects.get(collective=collective)
    assert note.status == NoteStatus.DRAFT
    html = response.content.decode()
    assert 'id="draft-banner"' in html
    assert 'data-status="draft"' in html
    assert 'name="version" value="1"' in html
    for button in ('id="save-draft"', 'id="go-file"'):
        assert button in html


def test_parse_amount_reads_french_and_english_ways():
    assert parse_amount("400 000,00") == "400000.00"
    assert parse_amount("400\u00a0000,5 €") == "400000.5"
    assert parse_amount("400\u202f000") == "400000"
    assert parse_amount("1.250.000") == "1250000"
    assert parse_amount("1,250,000.75") == "1250000.75"


def test_saving_the_draft_reads_french_amounts_and_every_field(client, member):
    collective, _user = member
    note = note_for(collective)
    axis = AxisFactory(call=collective.call)
    epci = Epci.objects.order_by("code").first()
    partner = collective.participations.get(role="partner").organisation
    response = client.post(url("note", collective), draft_post(
        note, title="Tiers-lieu apprenant", summary="Résumé", axes=[axis.pk], epcis=[epci.pk],
        territory_precision="Quartier de la gare", target_publics="Jeunes",
        tiers_lieu_services="Ateliers", estimated_total_cost="400 000,00",
        requested_subsidy="280\u00a0000,50", partners=[partner.pk]))
    assert response.status_code == 302
    assert response["Location"] == url("note", collective)
    note.refresh_from_db()
    assert note.version == 2
    assert note.title == "Tiers-lieu apprenant"
    assert str(note.estimated_total_cost) == "400000.00"
    assert str(note.requested_subsidy) == "280000.50"
    assert list(note.axes.all()) == [axis]
    assert list(note.epcis.all()) == [epci]
    assert list(note.partners.all()) == [partner]
    page = client.get(url("note", collective)).content.decode()
    assert 'value="400 000,00"' in page
    assert 'id="draft-banner"' in page  # saved is still not filed


def test_a_wrong_amount_keeps_everything_typed(client, member):
    collective, _user = member
    note = note_for(collective)
    response = client.post(url("note", collective), draft_post(
        note, title="Mon titre", summary="Mon résumé", requested_subsidy="beaucoup"))
    assert response.status_code == 200
    assert "requested_subsidy" in response.context["form"].errors
    html = response.content.decode()
    assert 'value="Mon titre"' in html and "Mon résumé" in html
    note.refresh_from_db()
    assert (note.title, note.version) == ("", 1)


def _commune_codes(response):
    return re.findall(r'<input type="hidden" name="communes" value="(\w+)">',
                      response.content.decode())


def test_communes_are_added_one_by_one_and_removed(client, member):
    collective, _user = member
    note = note_for(collective)
    lille, arras = Commune.objects.get(name="Lille"), Commune.objects.get(name="Arras")
    response = client.post(url("note", collective), draft_post(
        note, title="Titre", add_commune="Lille", action="add_commune"))
    assert response.status_code == 302
    assert response["Location"].endswith("#territoire")
    note.refresh_from_db()
    assert list(note.communes.all()) == [lille]
    page = client.get(url("note", collective))
    assert _commune_codes(page) == [lille.pk]
    # the second one is added to the first; the title typed meanwhile is saved too
    client.post(url("note", collective), draft_post(
        note, title="Titre 2", communes=[lille.pk], add_commune="Arras",
        action="add_commune"))
    note.refresh_from_db()
    assert set(note.communes.all()) == {lille, arras}
    assert note.title == "Titre 2"
    client.post(url("note", collective), draft_post(
        note, title="Titre 2", communes=[lille.pk, arras.pk], remove_commune=lille.pk))
    note.refresh_from_db()
    assert list(note.communes.all()) == [arras]


def test_an_ambiguous_commune_offers_candidates_and_loses_nothing(client, member):
    collective, _user = member
    note = note_for(collective)
    response = client.post(url("note", collective), draft_post(
        note, title="Titre gardé", add_commune="Saint", action="add_commune"))
    assert response.status_code == 200
    assert "add_commune" in response.context["form"].errors
    html = response.content.decode()
    assert 'name="add_commune_choice"' in html
    assert 'value="Titre gardé"' in html
    note.refresh_from_db()
    assert note.title == "" and note.version == 1


def test_low_supply_territory_is_shown_from_the_saved_territory(client, member):
    collective, _user = member
    note = note_for(collective)
    epci = Epci.objects.order_by("code").first()
    page = client.get(url("note", collective)).content.decode()
    assert 'data-low-supply="false"' in page
    LowSupplyTerritory.objects.create(call=collective.call, epci=epci)
    save_draft(user=None, note=note, version=note.version, data={"epcis": [epci]})
    page = client.get(url("note", collective)).content.decode()
    assert 'data-low-supply="true"' in page
    assert epci.name in page


def test_a_concurrent_save_keeps_my_text_and_shows_the_saved_version(client, member):
    collective, user = member
    note = note_for(collective)
    opened_at = note.version
    save_draft(user=user, note=note, version=opened_at,
               data={"title": "Titre du collègue", "summary": "Résumé du collègue"})
    response = client.post(url("note", collective), draft_post(
        note, version=opened_at, title="Mon titre à moi", summary="Résumé du collègue"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="conflict"' in html
    differences = response.context["differences"]
    assert [(str(label), mine, saved) for label, mine, saved in differences] == [
        ("Project title", "Mon titre à moi", "Titre du collègue")] or \
        [(mine, saved) for _label, mine, saved in differences] == [
        ("Mon titre à moi", "Titre du collègue")]
    assert 'value="Mon titre à moi"' in html  # the form keeps what I typed
    note.refresh_from_db()
    assert note.title == "Titre du collègue"
    assert f'name="version" value="{note.version}"' in html
    # saving again from this page wins
    response = client.post(url("note", collective), draft_post(
        note, version=note.version, title="Mon titre à moi"))
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.title == "Mon titre à moi"


def test_what_was_typed_survives_an_expired_session(client, member):
    collective, user = member
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    note = note_for(collective)
    client.logout()  # the session has expired meanwhile
    path = url("note", collective)
    response = client.post(path, draft_post(note, title="Écrit hors connexion",
                                            summary="Trois paragraphes précieux"))
    assert response.status_code == 302
    login, _sep, query = response["Location"].partition("?")
    assert login == reverse("account_login") and parse_qs(query)["next"] == [path]
    assert client.session[session_key(path)]["title"] == ["Écrit hors connexion"]
    note.refresh_from_db()
    assert note.title == ""  # nothing is saved by an anonymous request

    response = client.post(reverse("account_login"),
                           {"login": user.email, "password": PASSWORD, "next": path})
    assert response.status_code == 302 and response["Location"] == path
    response = client.get(path)
    html = response.content.decode()
    assert 'value="Écrit hors connexion"' in html and "Trois paragraphes précieux" in html
    assert any("kept" in str(m) or "conservé" in str(m) for m in response.context["messages"])
    note.refresh_from_db()
    assert note.title == ""  # shown again, not saved: the user checks and saves
    assert session_key(path) not in client.session
    # and a second visit is the saved note again
    assert 'value="Écrit hors connexion"' not in client.get(path).content.decode()

# --- Who sees what ---------------------------------------------------------------------------

def test_everyone_else_gets_a_404_and_the_anonymous_the_login(client):
    note, _user = filable_note()
    collective = note.collective
    urls = [url("note", collective), url("canvas", collective, "team"),
            url("file", collective), url("receipt", collective)]
    other, _other_admin = complete_collective()
    outsiders = {
        "another collective": MembershipFactory(
            organisation=other.participations.get(role="lead").organisation).user,
        "invited, not confirmed": org_admin(),
        "member of a withdrawn partner": MembershipFactory(
            organisation=ParticipationFactory(collective=collective,
                                              status="withdrawn").organisation).user,
    }
    InvitationFactory(collective=collective, email=outsiders["invited, not confirmed"].email)
    for who, user in outsiders.items():
        client.force_login(user)
        for address in urls:
            assert client.get(address).status_code == 404, (who, address)
        for address in urls[:3]:  # the receipt page answers GET only
            assert client.post(address, {"title": "x", "confirm": "on"}).status_code == 404, \
                (who, address)
    client.logout()
    for address in urls:
        response = client.get(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith(reverse("account_login"))
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT and note.title != "x"
    assert not OpportunityNote.objects.filter(collective=other).exists()


def test_an_officer_reads_an_existing_note_without_editing_it(client):
    note, _user = filable_note()
    client.force_login(officer())
    page = client.get(url("note", note.collective)).content.decode()
    assert 'id="filed-note"' in page and 'id="note-form"' not in page
    assert client.get(url("file", note.collective)).status_code == 404
    bare = CollectiveFactory()
    assert client.get(url("note", bare)).status_code == 404
    assert not OpportunityNote.objects.filter(collective=bare).exists()


# --- Bounded queries -------------------------------------------------------------------------

def _queries(client, address):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_note_page_queries_do_not_grow_with_the_note(client):
    counts = []
    communes = list(Commune.objects.order_by("code")[:6])
    epcis = list(Epci.objects.order_by("code")[:6])
    for size in (1, 4):
        note, user = filable_note()
        collective = note.collective
        for _ in range(size):
            note.axes.add(AxisFactory(call=collective.call))
            ParticipationFactory(collective=collective,
                                 organisation=OrganisationFactory())
        note.communes.add(*communes[:size])
        note.epcis.add(*epcis[:size])
        note.partners.add(*[p.organisation for p in collective.participations.all()])
        client.force_login(user)
        client.get(url("note", collective))  # the first visit may create rows
        counts.append(_queries(client, url("note", collective)))
    assert counts[0] == counts[1]
    assert counts[0] <= 25


def test_filed_note_page_queries_are_bounded(client):
    note = filed_note()
    user = MembershipFactory(organisation=note.collective.participations.get(role="lead")
                             .organisation).user
    client.force_login(user)
    assert _queries(client, url("note", note.collective)) <= 20
