"""Officers in the admin: the list of notes (filters, search, bounded queries), the read-only
note with its canvases and what was filed, the decisions (mandatory message, bulk, skipping
notes that are not filed) and the CSV export."""

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from applications.admin.export import headers
from applications.models import Incubation, NoteStatus, OpportunityNote
from calls.models import LowSupplyTerritory
from connaissance.audit.models import AuditEvent
from connaissance.formatting import PARIS
from connaissance.territories.models import Commune, Epci
from tests.applications.factories import NoteFactory, filed_note
from tests.factories import AxisFactory, CallFactory, UserFactory

pytestmark = pytest.mark.django_db
NOTES = "/admin/applications/opportunitynote/"
MESSAGE = "Votre note est retenue : l'incubation commence la semaine prochaine."


def listed(client, **params):
    response = client.get(NOTES, params)
    assert response.status_code == 200
    return {note.pk for note in response.context["cl"].result_list}


def act(client, action, notes, **extra):
    return client.post(NOTES, {"action": action, "index": 0,
                               "_selected_action": [n.pk for n in notes], **extra})


def apply(client, action, notes, message):
    """The second step: the intermediate page posts back with the message."""
    return client.post(NOTES, {"action": action, "apply": "yes", "message": message,
                               "_selected_action": [n.pk for n in notes]}, follow=True)


def flash(response):
    return [str(m) for m in response.context["messages"]]


# --- the list ----------------------------------------------------------------------------------

def test_the_list_shows_status_lead_call_money_and_the_low_supply_flag(client, agent):
    epci = Epci.objects.order_by("code").first()
    note = NoteFactory(submitted=True, requested_subsidy=Decimal("180000.50"))
    note.epcis.add(epci)
    LowSupplyTerritory.objects.create(call=note.collective.call, epci=epci)
    plain = NoteFactory(submitted=True)
    response = client.get(NOTES)
    html = response.content.decode()
    assert note.reference in html and plain.reference in html
    assert "180\u202f000,50\u00a0€" in html
    lead = note.collective.participations.get(role="lead").organisation
    assert lead.legal_name in html and note.collective.call.title in html
    rows = {n.pk: n for n in response.context["cl"].result_list}
    assert rows[note.pk].low_supply_now is True
    assert rows[plain.pk].low_supply_now is False


def test_a_commune_counts_for_the_low_supply_flag_through_its_epci(client, agent):
    commune = Commune.objects.filter(epci__isnull=False).order_by("code").first()
    note = NoteFactory(submitted=True)
    note.communes.add(commune)
    LowSupplyTerritory.objects.create(call=note.collective.call, epci=commune.epci)
    assert client.get(NOTES).context["cl"].result_list[0].low_supply_now is True


def test_filters_status_territory_axis_and_call(client, agent):
    commune = Commune.objects.filter(epci__isnull=False).exclude(departement="80").first()
    other_epci = Epci.objects.exclude(pk=commune.epci_id).order_by("code").first()
    by_commune = NoteFactory(submitted=True)
    by_commune.communes.add(commune)
    by_epci = NoteFactory(submitted=True, status=NoteStatus.PRESELECTED)
    by_epci.epcis.add(other_epci)
    draft = NoteFactory()
    axis = AxisFactory(call=draft.collective.call)
    draft.axes.add(axis)

    assert listed(client, status__exact="submitted") == {by_commune.pk}
    assert listed(client, status__exact="draft") == {draft.pk}
    assert listed(client, epci=commune.epci_id) == {by_commune.pk}
    assert listed(client, epci=other_epci.pk) == {by_epci.pk}
    assert by_commune.pk in listed(client, departement=commune.departement_id)
    assert draft.pk not in listed(client, departement=commune.departement_id)
    departement = other_epci.communes.first().departement_id
    assert by_epci.pk in listed(client, departement=departement)
    assert listed(client, axes__id__exact=axis.pk) == {draft.pk}
    assert listed(client, collective__call__id__exact=draft.collective.call_id) == {draft.pk}


def test_the_date_filed_is_filtered_by_day_in_paris_time(client, agent):
    late = NoteFactory(submitted=True,
                       submitted_at=datetime(2023, 3, 1, 23, 30, tzinfo=PARIS))  # 22:30 UTC
    NoteFactory(submitted=True, submitted_at=datetime(2023, 3, 2, 9, 0, tzinfo=PARIS))
    day = {"submitted_at__year": 2023, "submitted_at__month": 3}
    assert listed(client, submitted_at__day=1, **day) == {late.pk}
    assert late.pk not in listed(client, submitted_at__day=2, **day)


def test_search_by_reference_title_or_collective(client, agent):
    note = NoteFactory(submitted=True, title="Tiers-lieu des Flandres")
    NoteFactory(submitted=True)
    assert listed(client, q=note.reference) == {note.pk}
    assert listed(client, q="Flandres") == {note.pk}
    assert listed(client, q=note.collective.name) == {note.pk}


def count_queries(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(NOTES)
    assert response.status_code == 200
    return len(captured), response


def test_the_list_makes_the_same_queries_for_one_row_as_for_many(client, agent):
    epci = Epci.objects.order_by("code").first()
    first = NoteFactory(submitted=True)
    first.epcis.add(epci)
    one, response = count_queries(client)
    assert response.context["cl"].result_count == 1
    for _ in range(6):
        note = NoteFactory(submitted=True)
        note.epcis.add(epci)
        note.axes.add(AxisFactory(call=note.collective.call))
        LowSupplyTerritory.objects.get_or_create(call=note.collective.call, epci=epci)
    many, response = count_queries(client)
    assert response.context["cl"].result_count == 7
    assert many == one


# --- the note, read-only, with its canvases ---------------------------------------------------

def test_an_officer_reads_the_note_its_canvases_and_what_was_filed(client, agent):
    note = filed_note()
    response = client.get(f"{NOTES}{note.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert note.reference in html and note.title in html
    assert 'name="_save"' not in html  # nothing is edited here
    canvases = list(note.canvases.all())
    assert len(canvases) == 2
    for canvas in canvases:
        url = reverse("files:download", args=[canvas.file_id])
        assert url in html
        download = client.get(url)
        assert download.status_code == 200
        assert b"".join(download.streaming_content).startswith(b"%PDF")
    # the snapshot, legible: labels and the blocks of the canvases as filed
    assert "SHA-256" in html and canvases[0].file.sha256 in html
    assert note.snapshot["epcis"][0]["name"] in html
    assert "Texte — " in html
    assert reverse("files:download", args=[note.receipt_id]) in html


def test_the_note_cannot_be_changed_nor_added_in_the_admin(client, agent):
    note = NoteFactory(submitted=True)
    response = client.post(f"{NOTES}{note.pk}/change/", {"title": "Autre titre"})
    assert response.status_code == 403
    assert client.get(f"{NOTES}add/").status_code == 403
    note.refresh_from_db()
    assert note.title != "Autre titre"


# --- decisions -------------------------------------------------------------------------------

def test_a_decision_asks_for_the_message_on_an_intermediate_page(client, agent):
    note = NoteFactory(submitted=True)
    response = act(client, "preselect", [note])
    assert response.status_code == 200
    assert "admin/applications/opportunitynote/decide.html" in [
        t.name for t in response.templates]
    assert 'name="message"' in response.content.decode()
    note.refresh_from_db()
    assert note.status == NoteStatus.SUBMITTED


def test_a_decision_without_a_message_is_refused(client, agent):
    note = NoteFactory(submitted=True)
    response = apply(client, "preselect", [note], "   ")
    assert response.status_code == 200
    assert "admin/applications/opportunitynote/decide.html" in [
        t.name for t in response.templates]
    assert response.context["error"]
    note.refresh_from_db()
    assert note.status == NoteStatus.SUBMITTED
    assert note.decision_message == ""
    assert not Incubation.objects.filter(note=note).exists()


def test_pre_selecting_with_a_message_goes_through_the_transition_table(client, agent):
    note = filed_note()
    response = apply(client, "preselect", [note], MESSAGE)
    assert response.redirect_chain[-1][0].endswith(NOTES)
    note.refresh_from_db()
    assert note.status == NoteStatus.PRESELECTED
    assert note.decision_message == MESSAGE and note.decided_at is not None
    assert Incubation.objects.filter(note=note).exists()
    event = AuditEvent.objects.for_object(note).get(action="note.preselect")
    assert event.actor == agent and event.reason == MESSAGE
    assert (event.from_state, event.to_state) == ("submitted", "preselected")


def test_bulk_decision_skips_notes_that_are_not_filed(client, agent):
    filed = [NoteFactory(submitted=True) for _ in range(2)]
    draft = NoteFactory()
    decided = NoteFactory(submitted=True, status=NoteStatus.PRESELECTED,
                          decision_message="Déjà décidé.")
    page = act(client, "not_retain", [*filed, draft, decided])
    assert {n.pk for n in page.context["decidable"]} == {n.pk for n in filed}
    assert {n.pk for n in page.context["skipped"]} == {draft.pk, decided.pk}

    response = apply(client, "not_retain", [*filed, draft, decided], MESSAGE)
    statuses = dict(OpportunityNote.objects.values_list("pk", "status"))
    assert [statuses[n.pk] for n in filed] == [NoteStatus.NOT_RETAINED] * 2
    assert statuses[draft.pk] == NoteStatus.DRAFT
    assert statuses[decided.pk] == NoteStatus.PRESELECTED
    decided.refresh_from_db()
    assert decided.decision_message == "Déjà décidé."
    warnings = [m for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1 and decided.reference in str(warnings[0])
    assert not Incubation.objects.exists()


def test_only_officers_may_decide(client):
    user = UserFactory(roles=["evaluator"], is_staff=True)
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    note = NoteFactory(submitted=True)
    response = apply(client, "preselect", [note], MESSAGE)
    assert response.status_code == 403
    note.refresh_from_db()
    assert note.status == NoteStatus.SUBMITTED


# --- CSV export ------------------------------------------------------------------------------

def test_the_csv_export_is_for_excel_in_french(client, agent):
    call = CallFactory(title="Connaissance test")
    filed_at = datetime(2023, 3, 1, 23, 30, tzinfo=PARIS)
    note = NoteFactory(submitted=True, submitted_at=filed_at, collective__call=call,
                       title="Tiers-lieu ; « Flandres »",
                       estimated_total_cost=Decimal("250000.00"),
                       requested_subsidy=Decimal("180000.5"))
    epci = Epci.objects.order_by("code").first()
    note.epcis.add(epci)
    LowSupplyTerritory.objects.create(call=call, epci=epci)
    other = NoteFactory(submitted=True)
    response = act(client, "export_csv", [note, other])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    with translation.override("fr"):
        assert rows[0] == headers()
    assert len(rows) == 3
    row = next(r for r in rows[1:] if r[0] == note.reference)
    assert row[2] == "Tiers-lieu ; « Flandres »"
    assert row[5] == "Connaissance test"
    assert row[6] == "01/03/2023 23:30"
    assert row[8] == epci.name
    assert row[11] == "250000,00" and row[12] == "180000,50"
    with translation.override("fr"):
        assert row[1] == str(NoteStatus.SUBMITTED.label)
        assert row[10] == str(translation.gettext("yes"))
