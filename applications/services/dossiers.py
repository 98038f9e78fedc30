"""The full dossier of a pre-selected collective: opening, sections saved as drafts (optimistic
locking per section), the budget lines, withdrawal and the officers' correction and
admissibility steps. Filing itself lives in `dossier_filing`.

Every change goes through a transaction with a row lock on the dossier, is audited, and moves
the dossier only through `DOSSIER_LIFECYCLE.apply`.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.territories import low_supply_match
from connaissance.audit.services import record
from connaissance.formatting import long_date
from connaissance.territories.models import Commune, Epci
from consortia.models import ParticipationStatus

from ..budget import CallRules, compute_budget
from ..dossier_workflow import DOSSIER_LIFECYCLE
from ..models import (
    CorrectionRequest,
    Dossier,
    DossierSection,
    DossierStatus,
    ExpenseLine,
    NoteStatus,
    ResourceLine,
    SectionCode,
)
from ..models.dossiers import ExpenseCategory, ResourceKind
from .errors import ApplicationError, StaleDraft

CENT = Decimal("0.01")
LINE_REFUSALS = {"negative_amount", "absurd_amount"}  # refused at once, never saved


def open_dossier(*, user, note):
    """The dossier of a pre-selected note, created (empty draft) the first time."""
    if note.status != NoteStatus.PRESELECTED:
        raise ApplicationError(_("Only a collective whose opportunity note was pre-selected "
                                 "can file a full dossier."))
    dossier, created = Dossier.objects.get_or_create(note=note)
    if created:
        record(actor=user, obj=dossier, action="dossier.opened",
               data={"note": note.reference})
    return dossier


def call_of(dossier):
    return dossier.note.collective.call


def open_round(dossier):
    """The correction round waiting for an answer, if any."""
    return dossier.corrections.filter(answered_at__isnull=True).order_by("-round").first()


def _locked_editable(dossier, code):
    """Lock the dossier row; refuse unless the section `code` may be edited now."""
    locked = Dossier.objects.select_for_update().select_related(
        "note__collective__call").get(pk=dossier.pk)
    if locked.status == DossierStatus.DRAFT:
        return locked
    if locked.status == DossierStatus.CORRECTION:
        correction = open_round(locked)
        if correction is not None and code in correction.sections:
            return locked
        raise ApplicationError(_("Only the sections listed in the correction request can be "
                                 "changed."))
    raise ApplicationError(_("This dossier has been filed; it can no longer be changed."))


def _checked_section(locked, code, version, data):
    section, _created = DossierSection.objects.get_or_create(dossier=locked, code=code)
    if section.version != version:
        error = StaleDraft(_(
            "Someone else in your collective saved this section while you were editing it "
            "(saved version %(saved)s, yours was based on version %(yours)s). Both versions "
            "are shown: compare them, then save again.")
            % {"saved": section.version, "yours": version})
        error.saved = section.data
        error.saved_version = section.version
        error.yours = data
        raise error
    return section


def _parse_date(value, label):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ApplicationError(_("%(field)s is not a valid date.") % {"field": label}) from None


def action_plan_dates(call, data):
    """(start, end) of the action plan section; refuses an end before the start or after
    the call's eligibility end."""
    start = _parse_date(data.get("start_date"), _("The start date"))
    end = _parse_date(data.get("end_date"), _("The end date"))
    if start and end and end < start:
        raise ApplicationError(_("The end date cannot be before the start date."))
    if end and call.eligibility_end and end > call.eligibility_end:
        raise ApplicationError(_("The project must end by %(date)s, the end of eligibility "
                                 "of the call.") % {"date": long_date(call.eligibility_end)})
    for milestone in data.get("milestones") or []:
        if isinstance(milestone, dict):
            _parse_date(milestone.get("date"), _("A milestone date"))
    return start, end


@transaction.atomic
def save_section(*, user, dossier, code, version, data):
    """Save a section as typed (even incomplete) if nobody saved it since `version`."""
    if code not in SectionCode.values:
        raise ApplicationError(_("Unknown section."))
    if not isinstance(data, dict):
        raise ApplicationError(_("The section values are not valid."))
    locked = _locked_editable(dossier, code)
    section = _checked_section(locked, code, version, data)
    if code == SectionCode.ACTION_PLAN:
        locked.start_date, locked.end_date = action_plan_dates(call_of(locked), data)
        dossier.start_date, dossier.end_date = locked.start_date, locked.end_date
        locked.save(update_fields=["start_date", "end_date", "updated_at"])
    section.data = data
    section.version += 1
    section.updated_by = user
    section.save()
    record(actor=user, obj=locked, action="dossier.section_saved",
           data={"section": code, "version": section.version})
    return section


def _amount(value, label):
    if isinstance(value, float):
        raise ApplicationError(_("%(line)s: the amount must be given in euros and cents, "
                                 "not as a float.") % {"line": label})
    try:
        amount = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("%(line)s: the amount is not a number.")
                               % {"line": label}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ApplicationError(_("%(line)s: give the amount in euros and cents (two decimals "
                                 "at most).") % {"line": label})
    return amount.quantize(CENT)


def _expense_lines(locked, expenses):
    partners = {p.organisation_id for p in locked.note.collective.participations.all()
                if p.status == ParticipationStatus.CONFIRMED}
    lines = []
    for index, line in enumerate(expenses):
        label = _("Expense line %(number)s") % {"number": index + 1}
        partner = line.get("partner")
        partner_id = getattr(partner, "pk", partner)
        try:
            partner_id = int(partner_id)
        except (TypeError, ValueError):
            partner_id = None
        if partner_id not in partners:
            raise ApplicationError(_("%(line)s: choose a confirmed partner of the collective.")
                                   % {"line": label})
        if line.get("category") not in ExpenseCategory.values:
            raise ApplicationError(_("%(line)s: choose a category.") % {"line": label})
        lines.append(ExpenseLine(
            dossier=locked, position=index, category=line["category"], partner_id=partner_id,
            label=(line.get("label") or "").strip()[:200], amount=_amount(line.get("amount"),
                                                                          label),
            is_training_cost=bool(line.get("is_training_cost"))))
    return lines


def _resource_lines(locked, resources):
    lines = []
    for index, line in enumerate(resources):
        label = _("Resource line %(number)s") % {"number": index + 1}
        if line.get("kind") not in ResourceKind.values:
            raise ApplicationError(_("%(line)s: choose a kind of resource.") % {"line": label})
        lines.append(ResourceLine(
            dossier=locked, position=index, kind=line["kind"],
            funder=(line.get("funder") or "").strip()[:200],
            amount=_amount(line.get("amount"), label)))
    return lines


def _plain(line):
    """A budget line as JSON (what is kept in the budget section, shown on a conflict)."""
    return {key: value if isinstance(value, bool) else str(getattr(value, "pk", value))
            for key, value in line.items()}


@transaction.atomic
def replace_budget(*, user, dossier, version, expenses, resources, requested_rate):
    """Replace every expense and resource line and the requested rate at once (all or
    nothing), if nobody saved the budget since `version`. Returns the computed figures."""
    locked = _locked_editable(dossier, SectionCode.BUDGET)
    payload = {"expenses": [_plain(line) for line in expenses],
               "resources": [_plain(line) for line in resources],
               "requested_rate": "" if requested_rate is None else str(requested_rate)}
    section = _checked_section(locked, SectionCode.BUDGET, version, payload)
    expense_lines = _expense_lines(locked, expenses)
    resource_lines = _resource_lines(locked, resources)
    rate = None
    if requested_rate not in (None, ""):
        rate = _amount(requested_rate, _("The requested rate"))
        if not Decimal("0") <= rate <= Decimal("100"):
            raise ApplicationError(_("The requested rate must lie between 0 and 100 %."))
    refused = [p.message for p in compute_budget(
        expenses=expense_lines, resources=resource_lines, requested_rate=rate or 0,
        low_supply=False, rules=CallRules.from_call(call_of(locked))).problems
        if p.code in LINE_REFUSALS]
    if refused:
        raise ApplicationError(" ".join(refused))
    locked.expenses.all().delete()
    locked.resources.all().delete()
    ExpenseLine.objects.bulk_create(expense_lines)
    ResourceLine.objects.bulk_create(resource_lines)
    locked.requested_rate = dossier.requested_rate = rate
    locked.save(update_fields=["requested_rate", "updated_at"])
    section.data = payload
    section.version += 1
    section.updated_by = user
    section.save()
    figures = budget_figures(locked)
    record(actor=user, obj=locked, action="dossier.budget_saved",
           data={"version": section.version, "subsidy": str(figures.requested_subsidy)})
    return figures


def territory(dossier):
    """(EPCI, communes) of the project section, or the note's until the section is saved."""
    section = dossier.sections.filter(code=SectionCode.PROJECT).first()
    data = section.data if section is not None else {}
    if "epcis" in data or "communes" in data:
        return (Epci.objects.filter(pk__in=data.get("epcis") or []),
                Commune.objects.filter(pk__in=data.get("communes") or []))
    return dossier.note.epcis.all(), dossier.note.communes.all()


def low_supply_territories(dossier):
    """The territories of the project flagged by officers as low-training-supply."""
    epcis, communes = territory(dossier)
    return low_supply_match(call_of(dossier), epcis=epcis, communes=communes)


def budget_figures(dossier):
    """The subsidy rule applied to the dossier's saved lines (bonus when the note's territory
    is flagged by officers as low-training-supply for this call)."""
    return compute_budget(
        expenses=list(dossier.expenses.all()), resources=list(dossier.resources.all()),
        requested_rate=dossier.requested_rate if dossier.requested_rate is not None
        else Decimal("0"),
        low_supply=bool(low_supply_territories(dossier)),
        rules=CallRules.from_call(call_of(dossier)))


def _required(text, message):
    if not (text or "").strip():
        raise ApplicationError(message)
    return text.strip()


@transaction.atomic
def withdraw(*, user, dossier, reason):
    """The collective withdraws its dossier before the decision (a reason is required)."""
    reason = _required(reason, _("Give the reason for withdrawing the dossier."))
    DOSSIER_LIFECYCLE.apply(dossier, to_state=DossierStatus.WITHDRAWN, actor=user,
                            reason=reason)
    Dossier.objects.filter(pk=dossier.pk).update(status_reason=reason)
    dossier.refresh_from_db()
    return dossier


@transaction.atomic
def request_correction(*, officer, dossier, sections, message, due):
    """Send a filed dossier back to the collective for the listed sections, until `due`."""
    message = _required(message, _("Say what must be corrected."))
    sections = list(dict.fromkeys(sections or []))
    if not sections or any(code not in SectionCode.values for code in sections):
        raise ApplicationError(_("Choose the sections to correct."))
    if due is None or timezone.is_naive(due) or due <= timezone.now():
        raise ApplicationError(_("The due date of a correction must be in the future."))
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    last = locked.corrections.order_by("-round").values_list("round", flat=True).first()
    number = (last or 0) + 1
    DOSSIER_LIFECYCLE.apply(locked, to_state=DossierStatus.CORRECTION, actor=officer,
                            reason=message, data={"round": number, "sections": sections})
    correction = CorrectionRequest.objects.create(
        dossier=locked, round=number, sections=sections, message=message, due=due,
        requested_by=officer)
    dossier.refresh_from_db()
    return correction


@transaction.atomic
def declare_admissibility(*, officer, dossier, admissible: bool, reason=""):
    """Recevable / irrecevable; the reason is mandatory when inadmissible."""
    reason = (reason or "").strip()
    if not admissible:
        _required(reason, _("Give the reason why the dossier is inadmissible."))
    target = DossierStatus.ADMISSIBLE if admissible else DossierStatus.INADMISSIBLE
    DOSSIER_LIFECYCLE.apply(dossier, to_state=target, actor=officer, reason=reason)
    Dossier.objects.filter(pk=dossier.pk).update(status_reason=reason)
    dossier.refresh_from_db()
    return dossier
