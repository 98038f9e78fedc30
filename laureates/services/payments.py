"""The payment schedule of a project, recorded by officers: its lines (advance, interim
payments, balance) never total more than the awarded amount."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from connaissance.audit.services import record
from connaissance.formatting import money

from ..errors import LaureateError
from ..models import Payment, PaymentKind, Project
from .common import as_date, require_officer

CENT = Decimal("0.01")


def check_total(*, awarded, amounts):
    """The total of `amounts`; refuses (LaureateError) a total above `awarded`."""
    total = sum((Decimal(a) for a in amounts), Decimal("0"))
    if total > awarded:
        raise LaureateError(_(
            "The payments would total %(total)s, which exceeds the awarded amount "
            "(%(award)s) by %(excess)s.") % {"total": money(total), "award": money(awarded),
                                               "excess": money(total - awarded)})
    return total


def _amount(value):
    if isinstance(value, float):
        raise LaureateError(_("Give the amount in euros and cents."))
    try:
        amount = Decimal(str(value).strip().replace("\u202f", "").replace("\u00a0", "")
                         .replace(" ", "").replace("€", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        raise LaureateError(_("Give the amount in euros and cents.")) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise LaureateError(_("Give the amount in euros and cents."))
    if amount <= 0:
        raise LaureateError(_("A payment amount must be positive."))
    return amount.quantize(CENT)


def _line(values):
    kind = values.get("kind")
    if kind not in PaymentKind.values:
        raise LaureateError(_("Choose the kind of payment."))
    return {"kind": kind, "amount": _amount(values.get("amount")),
            "planned_on": as_date(values.get("planned_on")),
            "paid_on": as_date(values.get("paid_on"))}


@transaction.atomic
def apply_payment_changes(*, officer, project, lines=(), deleted=()):
    """Apply several changes of the schedule at once, checked on the resulting total: `lines`
    are dicts (kind, amount, planned_on, paid_on, and `pk` for an existing line), `deleted`
    the pks of lines to remove. Returns the saved payments."""
    require_officer(officer)
    locked = Project.objects.select_for_update().get(pk=project.pk)
    current = {p.pk: p for p in Payment.objects.select_for_update().filter(project=locked)}
    deleted = {int(pk) for pk in deleted}
    changes = []
    for values in lines:
        pk = values.get("pk")
        if pk is not None and int(pk) not in current:
            raise LaureateError(_("This payment line is not one of this project."))
        changes.append((int(pk) if pk is not None else None, _line(values)))
    amounts = {pk: p.amount for pk, p in current.items() if pk not in deleted}
    new = [line["amount"] for pk, line in changes if pk is None]
    amounts.update({pk: line["amount"] for pk, line in changes if pk is not None})
    total = check_total(awarded=locked.awarded_amount, amounts=[*amounts.values(), *new])
    saved = []
    for pk, line in changes:
        payment = current.get(pk) or Payment(project=locked)
        for name, value in line.items():
            setattr(payment, name, value)
        payment.recorded_by = officer
        payment.save()
        saved.append(payment)
    Payment.objects.filter(project=locked, pk__in=deleted).delete()
    record(actor=officer, obj=locked, action="project.payments",
           data={"lines": [{"pk": p.pk, "kind": p.kind, "amount": p.amount,
                            "planned_on": p.planned_on, "paid_on": p.paid_on} for p in saved],
                 "deleted": sorted(deleted), "total": total})
    return saved


def record_payment(*, officer, project, kind, amount, planned_on=None, paid_on=None,
                   payment=None):
    """Record one payment line (or change `payment`), refused if the schedule would exceed
    the award."""
    line = {"kind": kind, "amount": amount, "planned_on": planned_on, "paid_on": paid_on}
    if payment is not None:
        line["pk"] = payment.pk
    return apply_payment_changes(officer=officer, project=project, lines=[line])[0]


def delete_payment(*, officer, payment):
    apply_payment_changes(officer=officer, project=payment.project, deleted=[payment.pk])
