"""The payment schedule (issue 8): lines recorded by officers, whose total never exceeds the
awarded amount (tested at the bound, to the cent)."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from laureates.errors import LaureateError
from laureates.models import Payment
from laureates.services import (
    apply_payment_changes,
    check_total,
    delete_payment,
    record_payment,
)

pytestmark = pytest.mark.django_db
AWARD = Decimal("200000.00")


def test_check_total_at_the_bound():
    assert check_total(awarded=AWARD, amounts=[Decimal("60000.00"),
                                               Decimal("140000.00")]) == AWARD
    with translation.override("en"), pytest.raises(LaureateError) as refused:
        check_total(awarded=AWARD, amounts=[Decimal("60000.00"), Decimal("140000.01")])
    message = str(refused.value)
    assert "200\u202f000,01\u00a0€" in message  # the total, in French format
    assert "200\u202f000,00\u00a0€" in message
    assert "0,01\u00a0€" in message
    assert check_total(awarded=AWARD, amounts=[]) == Decimal("0")


def test_the_amounts_of_the_refusal_are_in_french_format_in_any_language():
    with translation.override("fr"), pytest.raises(LaureateError) as refused:
        check_total(awarded=AWARD, amounts=[AWARD + Decimal("0.01")])
    assert "0,01\u00a0€" in str(refused.value)


def test_payments_up_to_the_award(laureate_world):
    officer, project = laureate_world.officer, laureate_world.project
    advance = record_payment(officer=officer, project=project, kind="advance",
                             amount=Decimal("60000.00"), planned_on=date(2023, 10, 1),
                             paid_on=date(2023, 10, 3))
    balance = record_payment(officer=officer, project=project, kind="balance",
                             amount=Decimal("140000.00"), planned_on=date(2026, 9, 1))
    assert advance.is_paid and not balance.is_paid
    assert sum(p.amount for p in project.payments.all()) == AWARD
    with pytest.raises(LaureateError):
        record_payment(officer=officer, project=project, kind="interim", amount="0,01")
    with pytest.raises(LaureateError):  # raising a line past the award
        record_payment(officer=officer, project=project, kind="balance",
                       amount=Decimal("140000.01"), payment=balance)
    assert project.payments.count() == 2
    assert Payment.objects.get(pk=balance.pk).amount == Decimal("140000.00")


def test_changes_are_checked_on_the_resulting_total(laureate_world):
    officer, project = laureate_world.officer, laureate_world.project
    advance = record_payment(officer=officer, project=project, kind="advance",
                             amount=Decimal("150000.00"))
    # Lowering the advance and adding the balance at once: the total is the award exactly.
    apply_payment_changes(officer=officer, project=project, lines=[
        {"pk": advance.pk, "kind": "advance", "amount": Decimal("60000.00")},
        {"kind": "balance", "amount": Decimal("140000.00")}])
    assert sorted(p.amount for p in project.payments.all()) == [Decimal("60000.00"),
                                                                Decimal("140000.00")]
    delete_payment(officer=officer, payment=advance)
    assert project.payments.count() == 1


@pytest.mark.parametrize("amount", [0, "-5", "12.345", 1.5, "abc"])
def test_amounts_are_positive_euros_and_cents(laureate_world, amount):
    with pytest.raises(LaureateError):
        record_payment(officer=laureate_world.officer, project=laureate_world.project,
                       kind="advance", amount=amount)


def test_only_officers_record_payments(laureate_world):
    with pytest.raises(LaureateError):
        record_payment(officer=laureate_world.member, project=laureate_world.project,
                       kind="advance", amount=Decimal("1.00"))
    assert not Payment.objects.exists()
