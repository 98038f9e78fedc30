"""Transparency (issue 8): the laureates on the public call page once announced (nothing
before), and the SCDL « subventions » 2.1.1 CSV of the signed awards, validated with
frictionless against the committed schema."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from frictionless import Resource, Schema

from consortia.models import Organisation, ParticipationRole
from laureates.services import open_projects, record_payment
from laureates.transparency import SCDL_COLUMNS, SCHEMA_PATH, scdl_rows, write_scdl_csv
from tests.laureates.builders import announce_laureates, selected, sign

pytestmark = pytest.mark.django_db
LEAD = "Association Forêt-Numérique « Épi », Château-Thierry"
NBSP, NNBSP = "\u00a0", "\u202f"


def lead_of(collective):
    return collective.participations.get(role=ParticipationRole.LEAD).organisation


def validate(text):
    resource = Resource(data=text.encode("utf-8"), format="csv", encoding="utf-8",
                        schema=Schema.from_descriptor(json.loads(SCHEMA_PATH.read_text())))
    return resource.validate()


def read_csv(text):
    return list(csv.DictReader(io.StringIO(text)))


# --- the laureates on the call page ------------------------------------------------------------

def test_no_laureate_before_the_announcement(world, client):
    selected(world, dossier=world.dossier)  # staged, not announced
    page = client.get(reverse("calls:detail", args=[world.call.slug]))
    assert page.status_code == 200
    assert 'id="call-laureates"' not in page.content.decode()


def test_the_laureates_are_listed_after_the_announcement(world, client):
    collective = world.dossier.note.collective
    Organisation.objects.filter(pk=lead_of(collective).pk).update(legal_name=LEAD)
    selected(world, dossier=world.dossier)
    announce_laureates(world)
    html = client.get(reverse("calls:detail", args=[world.call.slug])).content.decode()
    assert 'id="call-laureates"' in html
    assert collective.name in html
    assert "Association Forêt-Numérique « Épi », Château-Thierry" in html
    assert "Tiers-lieu apprenant" in html
    assert f"200{NNBSP}000,00{NBSP}€" in html
    assert reverse("laureates:scdl_csv", args=[world.call.slug]) in html
    assert collective.territory in html  # the dossier's project section names no EPCI


def test_the_territory_comes_from_the_project_section(world):
    from connaissance.territories.models import Epci
    from laureates.transparency import laureates_of

    epci = Epci.objects.order_by("pk").first()
    if epci is None:
        pytest.skip("no territory reference data")
    snapshot = world.dossier.snapshot
    snapshot["sections"]["project"]["data"]["epcis"] = [epci.pk]
    type(world.dossier).objects.filter(pk=world.dossier.pk).update(snapshot=snapshot)
    world.dossier.refresh_from_db()
    selected(world, dossier=world.dossier)
    announce_laureates(world)
    assert laureates_of(world.call)[0]["territory"] == epci.name


def test_the_laureates_list_costs_a_fixed_number_of_queries(world, django_assert_num_queries):
    from laureates.transparency import laureates_of

    selected(world, dossier=world.dossier)
    announce_laureates(world)
    with django_assert_num_queries(1):
        one = laureates_of(world.call)
    selected(world)
    selected(world)
    announce_laureates(world)
    with django_assert_num_queries(1):
        three = laureates_of(world.call)
    assert (len(one), len(three)) == (1, 3)


# --- the SCDL CSV ------------------------------------------------------------------------------

@pytest.fixture
def signed_world(laureate_world, settings):
    """The world's project signed on 2 October 2023 (advance paid, balance planned), a second
    laureate announced with its agreement not signed yet."""
    settings.REGION_NAME = "Région Hauts-de-France"
    settings.REGION_SIRET = "12345678900012"
    world = laureate_world
    collective = world.collective
    Organisation.objects.filter(pk=lead_of(collective).pk).update(legal_name=LEAD)
    world.project.decision.announced_at = world.project.decision.announced_at.replace(
        year=2023, month=9, day=1)
    world.project.decision.save(update_fields=["announced_at"])
    sign(world, world.project, on=date(2023, 10, 2))
    record_payment(officer=world.officer, project=world.project, kind="advance",
                   amount=Decimal("60000.00"), planned_on=date(2023, 10, 15),
                   paid_on=date(2023, 10, 20))
    record_payment(officer=world.officer, project=world.project, kind="balance",
                   amount=Decimal("140000.00"), planned_on=date(2026, 9, 30))
    world.unsigned = selected(world)
    announce_laureates(world)
    open_projects(officer=world.officer, call=world.call)
    return world


def test_one_row_per_signed_agreement(signed_world):
    rows = scdl_rows(signed_world.call)
    assert len(rows) == 1  # the second laureate's agreement is not signed yet
    row = rows[0]
    lead = lead_of(signed_world.collective)
    assert list(row) == SCDL_COLUMNS
    assert row == {
        "nomAttribuant": "Région Hauts-de-France", "idAttribuant": "12345678900012",
        "dateConvention": "2023-10-02",
        "referenceDecision": signed_world.dossier.reference,
        "nomBeneficiaire": LEAD, "idBeneficiaire": lead.siret, "rnaBeneficiaire": "",
        "objet": "Tiers-lieu apprenant", "montant": "200000.00",
        "nature": "aide en numéraire", "conditionsVersement": "échelonné",
        "datesPeriodeVersement": "2023-10-20/2026-09-30", "idRAE": "",
        "notificationUE": "non", "pourcentageSubvention": "1.00", "dispositifAide": "",
    }


def test_the_csv_is_valid_against_the_schema(signed_world, client):
    response = client.get(reverse("laureates:scdl_csv", args=[signed_world.call.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")  # UTF-8, no BOM
    assert text.splitlines()[0] == ",".join(SCDL_COLUMNS)
    assert LEAD in text  # commas and quotes in a name are quoted, not split
    report = validate(text)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.stats["errors"] == 0
    assert len(read_csv(text)) == 1


def test_a_wrong_row_is_caught(signed_world):
    """The validation is not vacuous: a 13-digit SIRET, a percentage above 1, a missing
    agreement date are each reported."""
    good = scdl_rows(signed_world.call)[0]
    wrong = [dict(good, idBeneficiaire="1234567890123"),
             dict(good, pourcentageSubvention="1.50"),
             dict(good, dateConvention=""),
             dict(good, datesPeriodeVersement="2023-10-20_2026-09-30"),
             dict(good, notificationUE="peut-être")]
    report = validate(write_scdl_csv(wrong))
    assert not report.valid
    errors = report.flatten(["rowNumber", "fieldName", "type"])
    assert {(row, field) for row, field, _kind in errors} == {
        (2, "idBeneficiaire"), (3, "pourcentageSubvention"), (4, "dateConvention"),
        (5, "datesPeriodeVersement"), (6, "notificationUE")}


def test_a_single_payment_gives_its_date(laureate_world):
    sign(laureate_world, laureate_world.project)
    record_payment(officer=laureate_world.officer, project=laureate_world.project,
                   kind="balance", amount=Decimal("200000.00"), planned_on=date(2026, 9, 30))
    row = scdl_rows(laureate_world.call)[0]
    assert (row["conditionsVersement"], row["datesPeriodeVersement"]) == ("unique",
                                                                          "2026-09-30")


def test_without_payments_the_period_is_the_project(laureate_world):
    laureate_world.project.decision_reference = "CP 2023-0612"
    laureate_world.project.save(update_fields=["decision_reference"])
    sign(laureate_world, laureate_world.project)
    row = scdl_rows(laureate_world.call)[0]
    assert row["referenceDecision"] == "CP 2023-0612"
    assert row["datesPeriodeVersement"] == "2023-09-01/2026-06-30"
    assert validate(write_scdl_csv([row])).valid


def test_before_any_signature_the_csv_has_only_its_header(laureate_world, client):
    text = client.get(reverse("laureates:scdl_csv",
                              args=[laureate_world.call.slug])).content.decode()
    assert text == ",".join(SCDL_COLUMNS) + "\r\n"


def test_the_csv_of_a_draft_call_is_hidden(laureate_world, client):
    laureate_world.call.status = "draft"
    laureate_world.call.save(update_fields=["status"])
    response = client.get(reverse("laureates:scdl_csv", args=[laureate_world.call.slug]))
    assert response.status_code == 404


def test_the_default_region_identity_fits_the_schema():
    from django.conf import settings as django_settings

    assert django_settings.REGION_NAME == "Région Hauts-de-France"
    assert len(django_settings.REGION_SIRET) == 14 and django_settings.REGION_SIRET.isdigit()


def test_the_committed_schema_is_a_valid_table_schema():
    descriptor = json.loads(SCHEMA_PATH.read_text())
    assert Schema.validate_descriptor(descriptor).valid
    schema = Schema.from_descriptor(descriptor)
    assert schema.field_names == SCDL_COLUMNS
    required = {f.name for f in schema.fields if f.constraints.get("required")}
    assert required == {"nomAttribuant", "idAttribuant", "dateConvention", "nomBeneficiaire",
                        "objet", "montant", "nature", "conditionsVersement",
                        "datesPeriodeVersement", "notificationUE", "pourcentageSubvention"}
    assert (SCHEMA_PATH.parent / "SOURCE.md").exists()
