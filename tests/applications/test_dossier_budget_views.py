"""The budget section of the full dossier: lines typed the French way, the figures (page and
live JSON preview), drafts saved even when unbalanced or out of range, refusals that keep what
was typed, concurrent saves, an expired session; 404s for everyone else; bounded queries."""

import re
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import DossierSection, ExpenseLine, ResourceLine
from applications.services.dossiers import replace_budget
from applications.services.errors import ApplicationError
from applications.views.keep_typed import session_key
from calls.models import LowSupplyTerritory
from connaissance.formatting import money
from tests.applications.dossier_factories import (
    budget_lines,
    filed_dossier,
    lead_of,
    preselected_dossier,
)
from tests.consortia.factories import MembershipFactory
from tests.factories import PASSWORD, UserFactory
from tests.formsets import forms, management

pytestmark = pytest.mark.django_db


def page_url(dossier):
    return reverse("applications:dossier_section", args=[dossier.note.collective_id, "budget"])


def preview_url(dossier):
    return reverse("applications:dossier_budget_preview", args=[dossier.note.collective_id])


def rows(prefix, lines, blank=3):
    lines = list(lines) + [{}] * blank
    return {**management(prefix, total=len(lines), maximum=200), **forms(prefix, lines)}


def budget_post(version=0, *, expenses=(), resources=(), rate="", action="save"):
    return {"version": str(version), "requested_rate": rate, "action": action,
            **rows("expenses", expenses), **rows("resources", resources)}


def typed(dossier, *, amounts=("250 000,00", "50\u00a0000,00"), resources=None, rate="80"):
    """Expense lines as a person types them (staff by the lead, then training costs)."""
    lead = lead_of(dossier)
    expenses = [{"category": "staff", "partner": str(lead.pk), "label": "Animation",
                 "amount": amounts[0]}]
    if len(amounts) > 1:
        expenses.append({"category": "training", "partner": str(lead.pk),
                         "label": "Formations", "amount": amounts[1],
                         "is_training_cost": "on"})
    if resources is None:
        resources = [{"kind": "region", "funder": "Région", "amount": "200 000,00"},
                     {"kind": "own_funds", "funder": "Fonds propres", "amount": "100000"}]
    return {"expenses": expenses, "resources": resources, "rate": rate}


def section_version(dossier):
    section = DossierSection.objects.filter(dossier=dossier, code="budget").first()
    return section.version if section else 0


def codes(html):
    return set(re.findall(r'<li class="text-danger" data-code="(\w+)"', html))


@pytest.fixture
def member(client):
    dossier, user, _officer = preselected_dossier()
    client.force_login(user)
    return dossier, user


def saved(dossier, user, *, rate=Decimal("80"), **kwargs):
    expenses, resources = budget_lines(dossier, **kwargs)
    replace_budget(user=user, dossier=dossier, version=section_version(dossier),
                   expenses=expenses, resources=resources, requested_rate=rate)


# --- The page ---------------------------------------------------------------------------------

def test_the_page_shows_the_saved_lines_and_the_figures_the_french_way(client, member):
    dossier, user = member
    saved(dossier, user)
    response = client.get(page_url(dossier))
    assert response.status_code == 200
    html = response.content.decode()
    assert money(Decimal("200000")) == "200\u202f000,00\u00a0€"
    for amount in ("300000", "50000", "250000", "200000", "100000", "400000"):
        assert money(Decimal(amount)) in html, amount
    assert 'value="250 000,00"' in html and 'value="50 000,00"' in html  # as one types it
    assert 'name="requested_rate" value="80"' in html
    assert 'data-ok="true"' in html and 'data-balanced="true"' in html
    assert 'id="rounding"' in html and "js/budget-live.js" in html
    assert f'data-preview-url="{preview_url(dossier)}"' in html
    assert f'name="version" value="{section_version(dossier)}"' in html
    # every input of the tables has its label; 2 saved lines + 3 blank rows
    assert html.count('data-row="expense"') == 5
    for name in re.findall(r'<(?:input|select)[^>]*\bid="(id_expenses-\d+-\w+)"', html):
        assert f'for="{name}"' in html, name
    assert response.context["figures"]["values"]["requested_subsidy"] == money(
        Decimal("200000"))


def test_lines_typed_the_french_way_are_saved_with_their_figures(client, member):
    dossier, _user = member
    data = typed(dossier, amounts=("150 000,50", "25\u202f000"), rate="72,5",
                 resources=[{"kind": "region", "funder": "Région", "amount": "175 000,50"}])
    response = client.post(page_url(dossier), budget_post(
        expenses=data["expenses"], resources=data["resources"], rate=data["rate"]))
    assert response.status_code == 302 and response["Location"] == page_url(dossier)
    assert [(e.amount, e.is_training_cost) for e in ExpenseLine.objects.filter(
        dossier=dossier)] == [(Decimal("150000.50"), False), (Decimal("25000.00"), True)]
    assert [r.amount for r in ResourceLine.objects.filter(dossier=dossier)] == [
        Decimal("175000.50")]
    dossier.refresh_from_db()
    assert dossier.requested_rate == Decimal("72.50")
    assert section_version(dossier) == 1
    html = client.get(page_url(dossier)).content.decode()
    # base 175 000,50 € − 25 000,00 € of training = 150 000,50 €;
    # × 72,5 % = 108 750,3625 → 108 750,36 € (to the cent, half up)
    assert money(Decimal("150000.50")) in html and money(Decimal("108750.36")) in html
    assert 'data-figure="requested_rate">72,5\u00a0%' in html
    assert codes(html) == set() and 'data-ok="true"' in html


def test_a_negative_amount_is_refused_nothing_saved_and_kept(client, member):
    dossier, _user = member
    data = typed(dossier, amounts=("250 000,00", "-500,00"))
    response = client.post(page_url(dossier), budget_post(
        expenses=data["expenses"], resources=data["resources"], rate="80"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="erreurs"' in html and 'value="-500,00"' in html and 'value="250 000,00"' in html
    assert re.search(r'name="expenses-1-amount"[^>]*aria-invalid="true"', html)
    assert 'aria-describedby="id_expenses-1-amount-error"' in html
    assert 'id="id_expenses-1-amount-error"' in html  # the message the field points to
    assert not ExpenseLine.objects.filter(dossier=dossier).exists() and \
        section_version(dossier) == 0
    for bad in ("beaucoup", "200 000 000,00", "12,345,678,901.5"):
        data["expenses"][1]["amount"] = bad
        response = client.post(page_url(dossier), budget_post(
            expenses=data["expenses"], resources=data["resources"], rate="80"))
        assert response.status_code == 200, bad
        assert "amount" in response.context["expenses"].forms[1].errors, bad
    assert not ExpenseLine.objects.filter(dossier=dossier).exists()


def test_a_refusal_of_the_service_keeps_what_was_typed(client, member, monkeypatch):
    dossier, _user = member

    def refuse(**kwargs):
        raise ApplicationError("Refus du service pour le test.")
    monkeypatch.setattr("applications.views.dossier_budget.replace_budget", refuse)
    data = typed(dossier)
    response = client.post(page_url(dossier), budget_post(
        expenses=data["expenses"], resources=data["resources"], rate="80"))
    html = response.content.decode()
    assert response.status_code == 200 and 'data-error="refused"' in html
    assert "Refus du service pour le test." in html and 'value="250 000,00"' in html
    assert not ExpenseLine.objects.filter(dossier=dossier).exists()


def test_an_unbalanced_budget_is_saved_as_a_draft_and_shown_as_a_problem(client, member):
    dossier, _user = member
    data = typed(dossier, resources=[{"kind": "region", "funder": "Région",
                                      "amount": "200 000,00"}])
    response = client.post(page_url(dossier), budget_post(
        expenses=data["expenses"], resources=data["resources"], rate="80"))
    assert response.status_code == 302
    assert ExpenseLine.objects.filter(dossier=dossier).count() == 2
    html = client.get(page_url(dossier)).content.decode()
    assert codes(html) == {"unbalanced"}
    assert 'data-balanced="false"' in html and 'data-ok="false"' in html
    assert money(Decimal("-100000")) in html  # the difference


def test_a_rate_out_of_range_is_saved_and_shown_and_the_bonus_raises_the_ceiling(client,
                                                                                  member):
    dossier, _user = member
    data = typed(dossier, rate="85")
    client.post(page_url(dossier), budget_post(
        expenses=data["expenses"], resources=data["resources"], rate="85"))
    dossier.refresh_from_db()
    assert dossier.requested_rate == Decimal("85.00")
    html = client.get(page_url(dossier)).content.decode()
    assert "rate_out_of_range" in codes(html)
    assert 'data-bonus="false"' in html
    # the officers recognise the note's EPCI as a low-training-supply territory
    epci = dossier.note.epcis.get()
    LowSupplyTerritory.objects.create(call=dossier.note.collective.call, epci=epci)
    html = client.get(page_url(dossier)).content.decode()
    assert "rate_out_of_range" not in codes(html)
    assert 'data-bonus="true"' in html and epci.name in html
    assert 'data-figure="rate_ceiling">90\u00a0%' in html
    # a rate that is no percentage at all is refused by the form
    response = client.post(page_url(dossier), budget_post(
        section_version(dossier), expenses=data["expenses"], resources=data["resources"],
        rate="150"))
    assert response.status_code == 200
    assert "requested_rate" in response.context["budget_form"].errors
    assert 'value="150"' in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.requested_rate == Decimal("85.00")


def test_lines_are_added_and_removed(client, member):
    dossier, user = member
    data = typed(dossier)
    response = client.post(page_url(dossier), budget_post(
        expenses=data["expenses"], resources=data["resources"], rate="80",
        action="add_expenses"))
    assert response.status_code == 302
    assert response["Location"] == page_url(dossier) + "?plus=expenses#depenses"
    html = client.get(response["Location"]).content.decode()
    assert html.count('data-row="expense"') == 2 + 6
    assert html.count('data-row="resource"') == 2 + 3
    post = budget_post(1, expenses=data["expenses"], resources=data["resources"], rate="80")
    post["expenses-1-DELETE"] = "on"
    assert client.post(page_url(dossier), post).status_code == 302
    assert list(ExpenseLine.objects.filter(dossier=dossier).values_list("label", flat=True)) \
        == ["Animation"]


def test_a_concurrent_save_shows_both_versions_and_saves_nothing(client, member):
    dossier, user = member
    colleague = MembershipFactory(organisation=lead_of(dossier)).user
    opened_at = section_version(dossier)
    saved(dossier, colleague)  # the colleague saved meanwhile (300 000,00 € of expenses)
    data = typed(dossier, amounts=("111 111,11",),
                 resources=[{"kind": "own_funds", "funder": "Nous", "amount": "111 111,11"}])
    response = client.post(page_url(dossier), budget_post(
        opened_at, expenses=data["expenses"], resources=data["resources"], rate="75"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="conflict"' in html and 'id="differences"' in html
    differences = {str(label): (mine, theirs)
                   for label, mine, theirs in response.context["differences"]}
    assert len(differences) == 3
    mine, theirs = zip(*differences.values(), strict=True)
    assert money(Decimal("111111.11")) in mine[0] and money(Decimal("250000")) in theirs[0]
    assert "75\u00a0%" in mine[2] and "80\u00a0%" in theirs[2]
    assert 'value="111 111,11"' in html  # what I typed stays in the form
    assert f'name="version" value="{opened_at + 1}"' in html
    assert sorted(ExpenseLine.objects.filter(dossier=dossier).values_list(
        "amount", flat=True)) == [Decimal("50000.00"), Decimal("250000.00")]
    # saving again from this page wins
    response = client.post(page_url(dossier), budget_post(
        opened_at + 1, expenses=data["expenses"], resources=data["resources"], rate="75"))
    assert response.status_code == 302
    assert list(ExpenseLine.objects.filter(dossier=dossier).values_list(
        "amount", flat=True)) == [Decimal("111111.11")]


def test_what_was_typed_survives_an_expired_session(client, member):
    dossier, user = member
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.logout()  # the session expired meanwhile
    path = page_url(dossier)
    data = typed(dossier, amounts=("123 456,78",))
    response = client.post(path, budget_post(
        expenses=data["expenses"], resources=data["resources"], rate="77"))
    assert response.status_code == 302
    login, _sep, query = response["Location"].partition("?")
    assert login == reverse("account_login") and parse_qs(query)["next"] == [path]
    assert not ExpenseLine.objects.filter(dossier=dossier).exists()

    response = client.post(reverse("account_login"),
                           {"login": user.email, "password": PASSWORD, "next": path})
    assert response.status_code == 302 and response["Location"] == path
    response = client.get(path)
    html = response.content.decode()
    assert 'value="123 456,78"' in html and 'name="requested_rate" value="77"' in html
    assert response.context["figures"]["values"]["total_expenses"] == money(
        Decimal("123456.78"))
    assert any("kept" in str(m) or "conservé" in str(m) for m in response.context["messages"])
    assert not ExpenseLine.objects.filter(dossier=dossier).exists()  # shown, not saved
    assert session_key(path) not in client.session
    assert 'value="123 456,78"' not in client.get(path).content.decode()


def test_a_filed_dossier_shows_the_budget_read_only(client):
    dossier, user, _officer = filed_dossier()
    client.force_login(user)
    response = client.get(page_url(dossier))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="budget-form"' not in html and "<input" not in html.split('id="depenses"')[1]
    assert 'id="expense-table"' in html and money(Decimal("250000")) in html
    assert "budget-live.js" not in html


# --- The live preview ---------------------------------------------------------------------------

def test_the_preview_computes_the_typed_figures_and_saves_nothing(client, member):
    dossier, _user = member
    data = typed(dossier, rate="75")
    response = client.post(preview_url(dossier), budget_post(
        expenses=data["expenses"], resources=data["resources"], rate="75"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    figures = response.json()
    assert figures["values"]["total_expenses"] == money(Decimal("300000"))
    assert figures["values"]["eligible_base"] == money(Decimal("250000"))
    assert figures["values"]["requested_subsidy"] == money(Decimal("187500"))
    assert figures["values"]["requested_rate"] == "75\u00a0%"
    assert figures["ok"] is True and figures["problems"] == []
    data["expenses"][0]["amount"] = "n'importe quoi"
    figures = client.post(preview_url(dossier), budget_post(
        expenses=data["expenses"], resources=data["resources"], rate="95")).json()
    assert figures["values"]["total_expenses"] == money(Decimal("50000"))
    assert {"invalid", "unbalanced", "rate_out_of_range"} <= set(figures["codes"])
    assert any(p["anchor"] == "#id_expenses-0-amount" for p in figures["problems"])
    for rate, expected in (("", "rate_missing"), ("soixante", "invalid")):
        figures = client.post(preview_url(dossier), budget_post(
            expenses=data["expenses"], resources=data["resources"], rate=rate)).json()
        assert expected in figures["codes"] and "rate_out_of_range" not in figures["codes"]
        assert figures["values"]["requested_rate"] == "—"
    assert section_version(dossier) == 0  # the preview saves nothing
    assert not ExpenseLine.objects.filter(dossier=dossier).exists()
    assert section_version(dossier) == 0
    assert client.get(preview_url(dossier)).status_code == 405


def test_the_preview_needs_the_csrf_token(member):
    dossier, user = member
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    html = browser.get(page_url(dossier)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    post = budget_post(**{k: v for k, v in typed(dossier).items()})
    assert browser.post(preview_url(dossier), post).status_code == 403
    response = browser.post(preview_url(dossier), post, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200 and response.json()["ok"] is True


# --- Who sees what ------------------------------------------------------------------------------

def test_everyone_else_gets_a_404_and_changes_nothing(client, member):
    dossier, user = member
    other, _other_user, _officer = preselected_dossier()
    data = typed(dossier, amounts=("1,00",))
    forged = budget_post(expenses=data["expenses"], resources=data["resources"], rate="80")
    outsiders = {
        "another collective": MembershipFactory(organisation=lead_of(other)).user,
        "tiers-lieux staff": UserFactory(roles=["tiers_lieux_staff"], is_staff=True),
    }
    for who, outsider in outsiders.items():
        client.force_login(outsider)
        for address in (page_url(dossier), preview_url(dossier)):
            assert client.post(address, forged).status_code == 404, (who, address)
        assert client.get(page_url(dossier)).status_code == 404, who
    client.logout()
    for address in (page_url(dossier), preview_url(dossier)):
        response = client.post(address, forged)
        assert response.status_code == 302, address
        assert response["Location"].startswith(reverse("account_login"))
    assert client.get(page_url(dossier)).status_code == 302
    assert not ExpenseLine.objects.filter(dossier__in=[dossier, other]).exists()
    assert section_version(dossier) == 0


# --- Bounded queries ------------------------------------------------------------------------------

def _queries(client, address):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_budget_page_queries_do_not_grow_with_the_lines(client):
    counts = []
    for size in (1, 10):
        dossier, user, _officer = preselected_dossier()
        lead = lead_of(dossier)
        expenses = [{"category": "staff", "partner": lead, "label": f"Ligne {n}",
                     "amount": Decimal("1000.00"), "is_training_cost": n % 2 == 0}
                    for n in range(size)]
        resources = [{"kind": "own_funds", "funder": f"Financeur {n}",
                      "amount": Decimal("1000.00")} for n in range(size)]
        replace_budget(user=user, dossier=dossier, version=0, expenses=expenses,
                       resources=resources, requested_rate=Decimal("75"))
        client.force_login(user)
        counts.append(_queries(client, page_url(dossier)))
    assert counts[0] == counts[1] and counts[0] <= 40
