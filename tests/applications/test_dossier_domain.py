"""The full dossier's domain services: opening, sections with optimistic locking, the budget and
its figures, completeness, the filing deadline at the second, withdrawal and correction rounds."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from applications.models import (
    CorrectionRequest,
    Dossier,
    DossierSection,
    DossierStatus,
    NoteStatus,
    SectionCode,
)
from applications.services.dossier_filing import completeness, submit_dossier
from applications.services.dossiers import (
    budget_figures,
    declare_admissibility,
    open_dossier,
    replace_budget,
    request_correction,
    save_section,
    withdraw,
)
from applications.services.errors import ApplicationError, NotFileable, StaleDraft
from calls.models import LowSupplyTerritory, PhaseKind, RequiredDocument
from connaissance.formatting import PARIS
from connaissance.workflow import TransitionNotAllowed
from tests.applications.dossier_factories import (
    ACTION_PLAN,
    PROJECT,
    budget_lines,
    complete,
    lead_of,
    preselected_dossier,
)
from tests.applications.factories import NoteFactory, filed_note
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S = DossierStatus

# --- Transition table, through the lifecycle ------------------------------------------------

MOVES = [
    (S.DRAFT, S.SUBMITTED, True), (S.SUBMITTED, S.CORRECTION, True),
    (S.CORRECTION, S.SUBMITTED, True), (S.SUBMITTED, S.ADMISSIBLE, True),
    (S.SUBMITTED, S.INADMISSIBLE, True), (S.UNDER_EVALUATION, S.WAITLISTED, True),
    (S.SUBMITTED, S.WITHDRAWN, True), (S.WAITLISTED, S.WITHDRAWN, True),
    (S.DRAFT, S.ADMISSIBLE, False), (S.DRAFT, S.CORRECTION, False),
    (S.CORRECTION, S.ADMISSIBLE, False), (S.SELECTED, S.WITHDRAWN, False),
    (S.REJECTED, S.SUBMITTED, False), (S.WITHDRAWN, S.SUBMITTED, False),
    (S.INADMISSIBLE, S.ADMISSIBLE, False), (S.EXPIRED, S.SUBMITTED, False),
]


@pytest.mark.parametrize(("source", "target", "allowed"), MOVES,
                         ids=[f"{a}->{b}" for a, b, _ok in MOVES])
def test_transitions_allowed_and_refused(source, target, allowed):
    from applications.dossier_workflow import DOSSIER_LIFECYCLE

    note = NoteFactory(submitted=True, status=NoteStatus.PRESELECTED)
    dossier = Dossier.objects.create(note=note)
    Dossier.objects.filter(pk=dossier.pk).update(status=source)
    dossier.refresh_from_db()
    if allowed:
        DOSSIER_LIFECYCLE.apply(dossier, to_state=target, actor=None)
        dossier.refresh_from_db()
        assert dossier.status == target
    else:
        with pytest.raises(TransitionNotAllowed):
            DOSSIER_LIFECYCLE.apply(dossier, to_state=target, actor=None)
        dossier.refresh_from_db()
        assert dossier.status == source


def test_dossier_refused_for_a_note_not_preselected():
    note = filed_note()
    with pytest.raises(ApplicationError, match="présélectionnée"):
        open_dossier(user=note.submitted_by, note=note)
    assert not Dossier.objects.filter(note=note).exists()


# --- Sections --------------------------------------------------------------------------------

def test_concurrent_section_saves_conflict_and_nothing_is_overwritten():
    dossier, alice, _officer = preselected_dossier()
    bob = UserFactory()
    save_section(user=alice, dossier=dossier, code="project", version=0,
                 data={"title": "Version d'Alice"})
    with pytest.raises(StaleDraft) as caught:
        save_section(user=bob, dossier=dossier, code="project", version=0,
                     data={"title": "Version de Bob"})
    assert caught.value.saved == {"title": "Version d'Alice"}
    assert caught.value.yours == {"title": "Version de Bob"}
    assert caught.value.saved_version == 1
    assert "1" in str(caught.value) and "0" in str(caught.value)
    section = DossierSection.objects.get(dossier=dossier, code="project")
    assert section.data == {"title": "Version d'Alice"} and section.version == 1


def test_end_date_after_eligibility_end_refused():
    dossier, user, _officer = preselected_dossier()
    end = dossier.note.collective.call.eligibility_end
    plan = {**ACTION_PLAN, "end_date": (end + timedelta(days=1)).isoformat()}
    with pytest.raises(ApplicationError, match="30 juin 2029"):
        save_section(user=user, dossier=dossier, code="action_plan", version=0, data=plan)
    assert not DossierSection.objects.filter(dossier=dossier, code="action_plan",
                                             version__gt=0).exists()
    save_section(user=user, dossier=dossier, code="action_plan", version=0,
                 data={**ACTION_PLAN, "end_date": end.isoformat()})
    dossier.refresh_from_db()
    assert dossier.end_date == end


# --- Budget ----------------------------------------------------------------------------------

def test_budget_replace_and_figures_without_bonus():
    dossier, user, _officer = preselected_dossier()
    expenses, resources = budget_lines(dossier)
    figures = replace_budget(user=user, dossier=dossier, version=0, expenses=expenses,
                             resources=resources, requested_rate=Decimal("80"))
    assert figures.total_expenses == Decimal("300000.00")
    assert figures.training_costs == Decimal("50000.00")
    assert figures.eligible_base == Decimal("250000.00")
    assert figures.requested_subsidy == Decimal("200000.00")
    assert isinstance(figures.requested_subsidy, Decimal)
    assert figures.ok and not figures.bonus_applied
    assert dossier.expenses.count() == 2 and dossier.resources.count() == 2
    # Replaced, not appended; 85 % is above the ceiling without the bonus.
    figures = replace_budget(user=user, dossier=dossier, version=1, expenses=expenses[:1],
                             resources=resources[:1], requested_rate=Decimal("85"))
    assert dossier.expenses.count() == 1
    assert {"unbalanced", "rate_out_of_range"} <= figures.codes


def test_budget_figures_with_a_flagged_low_supply_territory():
    dossier, user, _officer = preselected_dossier()
    call = dossier.note.collective.call
    LowSupplyTerritory.objects.create(call=call, epci=dossier.note.epcis.first())
    expenses, resources = budget_lines(dossier)
    figures = replace_budget(user=user, dossier=dossier, version=0, expenses=expenses,
                             resources=resources, requested_rate=Decimal("85"))
    assert figures.bonus_applied and figures.rate_ceiling == Decimal("90.00")
    assert figures.requested_subsidy == Decimal("212500.00")
    assert figures.ok
    assert budget_figures(dossier) == figures


@pytest.mark.parametrize("amount", [1000.5, Decimal("-1.00"), Decimal("100000000.01"),
                                    Decimal("1.001"), "abc"])
def test_bad_amounts_refused_and_nothing_half_saved(amount):
    dossier, user, _officer = preselected_dossier()
    expenses, resources = budget_lines(dossier)
    replace_budget(user=user, dossier=dossier, version=0, expenses=expenses,
                   resources=resources, requested_rate=Decimal("80"))
    bad = [*expenses, {**expenses[0], "amount": amount}]
    with pytest.raises(ApplicationError):
        replace_budget(user=user, dossier=dossier, version=1, expenses=bad,
                       resources=resources, requested_rate=Decimal("80"))
    assert dossier.expenses.count() == 2
    assert DossierSection.objects.get(dossier=dossier, code="budget").version == 1


def test_expense_of_an_organisation_outside_the_collective_refused():
    dossier, user, _officer = preselected_dossier()
    other = preselected_dossier()[0]
    expenses, resources = budget_lines(dossier)
    expenses[0]["partner"] = lead_of(other)
    with pytest.raises(ApplicationError, match="partenaire confirmé"):
        replace_budget(user=user, dossier=dossier, version=0, expenses=expenses,
                       resources=resources, requested_rate=Decimal("80"))
    assert not dossier.expenses.exists()


# --- Completeness and filing -----------------------------------------------------------------

def test_completeness_lists_every_missing_item():
    dossier, _user, _officer = preselected_dossier()
    RequiredDocument.objects.create(call=dossier.note.collective.call, label="RIB")
    found = completeness(dossier, at=timezone.now())
    codes = {code for code, _message in found}
    assert codes == {"collective", "project", "action_plan", "budget", "attachments"}
    messages = " ".join(message for _code, message in found)
    assert "effectifs attendus" in messages and "RIB" in messages
    assert "jalon" in messages and "lettre d’engagement" in messages


def test_a_complete_dossier_has_nothing_missing():
    dossier, user, _officer = preselected_dossier()
    complete(dossier, user)
    assert completeness(dossier, at=timezone.now()) == []


def test_submit_refused_after_the_deadline_and_accepted_just_before():
    dossier, user, _officer = preselected_dossier()
    complete(dossier, user)
    deadline = dossier.note.collective.call.phases.get(kind=PhaseKind.FILING).ends_at
    assert deadline.astimezone(PARIS).time() == time(23, 59, 59, 999999)
    with time_machine.travel(deadline + timedelta(seconds=1), tick=False):
        with pytest.raises(NotFileable, match="date limite"):
            submit_dossier(user=user, dossier=dossier, confirmed=True)
    dossier.refresh_from_db()
    assert dossier.status == S.DRAFT and dossier.reference == "" and dossier.snapshot is None
    with time_machine.travel(deadline - timedelta(seconds=1), tick=False):
        submit_dossier(user=user, dossier=dossier, confirmed=True)
    dossier.refresh_from_db()
    prefix = dossier.note.collective.call.reference_prefix
    assert dossier.status == S.SUBMITTED and dossier.reference == f"{prefix}-D-0001"
    assert dossier.snapshot["budget"]["figures"]["requested_subsidy"] == "200000.00"
    assert all(len(a["sha256"]) == 64 for a in dossier.snapshot["attachments"])
    assert dossier.snapshot["sections"]["project"]["data"] == PROJECT


def test_submit_needs_confirmation_and_completeness():
    dossier, user, _officer = preselected_dossier()
    with pytest.raises(ApplicationError):
        submit_dossier(user=user, dossier=dossier, confirmed=False)
    with pytest.raises(NotFileable):
        submit_dossier(user=user, dossier=dossier, confirmed=True)
    dossier.refresh_from_db()
    assert dossier.status == S.DRAFT


# --- Withdrawal, admissibility, correction rounds --------------------------------------------

def test_withdraw_needs_a_reason():
    dossier, user, _officer = preselected_dossier()
    with pytest.raises(ApplicationError):
        withdraw(user=user, dossier=dossier, reason="  ")
    dossier.refresh_from_db()
    assert dossier.status == S.DRAFT
    withdraw(user=user, dossier=dossier, reason="Le collectif se dissout.")
    assert dossier.status == S.WITHDRAWN and dossier.status_reason == "Le collectif se dissout."
    with pytest.raises(TransitionNotAllowed):
        withdraw(user=user, dossier=dossier, reason="Encore")


def test_inadmissible_needs_a_reason():
    dossier, user, officer = preselected_dossier()
    complete(dossier, user)
    submit_dossier(user=user, dossier=dossier, confirmed=True)
    with pytest.raises(ApplicationError):
        declare_admissibility(officer=officer, dossier=dossier, admissible=False, reason="")
    declare_admissibility(officer=officer, dossier=dossier, admissible=False,
                          reason="Pièces hors délai.")
    assert dossier.status == S.INADMISSIBLE and dossier.status_reason == "Pièces hors délai."


def test_correction_round_trip():
    dossier, user, officer = preselected_dossier()
    complete(dossier, user)
    submit_dossier(user=user, dossier=dossier, confirmed=True)
    reference = dossier.reference
    with pytest.raises(ApplicationError):
        save_section(user=user, dossier=dossier, code="project", version=1, data=PROJECT)
    due = timezone.now() + timedelta(days=7)
    first = request_correction(officer=officer, dossier=dossier, sections=["project"],
                               message="Précisez les publics.", due=due)
    dossier.refresh_from_db()
    assert first.round == 1 and dossier.status == S.CORRECTION
    with pytest.raises(ApplicationError, match="demande de correction"):
        save_section(user=user, dossier=dossier, code="action_plan", version=1,
                     data=ACTION_PLAN)
    expenses, resources = budget_lines(dossier)
    with pytest.raises(ApplicationError):
        replace_budget(user=user, dossier=dossier, version=1, expenses=expenses,
                       resources=resources, requested_rate=Decimal("80"))
    save_section(user=user, dossier=dossier, code="project", version=1,
                 data={**PROJECT, "target_publics": "Salariés en reconversion"})
    submit_dossier(user=user, dossier=dossier, confirmed=True)
    first.refresh_from_db()
    assert dossier.status == S.SUBMITTED and dossier.reference == reference
    assert first.answered_at is not None
    assert dossier.snapshot["sections"]["project"]["data"]["target_publics"] == \
        "Salariés en reconversion"
    second = request_correction(officer=officer, dossier=dossier, sections=["budget"],
                                message="Équilibrez le budget.", due=due)
    assert second.round == 2
    assert list(CorrectionRequest.objects.filter(dossier=dossier)
                .values_list("round", flat=True)) == [1, 2]
    replace_budget(user=user, dossier=dossier, version=1, expenses=expenses,
                   resources=resources, requested_rate=Decimal("75"))


def test_correction_request_checks_its_input():
    dossier, user, officer = preselected_dossier()
    complete(dossier, user)
    submit_dossier(user=user, dossier=dossier, confirmed=True)
    due = timezone.now() + timedelta(days=7)
    for sections, message, when in ([[], "x", due], [["nope"], "x", due],
                                    [["project"], "", due],
                                    [["project"], "x", timezone.now() - timedelta(days=1)]):
        with pytest.raises(ApplicationError):
            request_correction(officer=officer, dossier=dossier, sections=sections,
                               message=message, due=when)
    dossier.refresh_from_db()
    assert dossier.status == S.SUBMITTED and not dossier.corrections.exists()


def test_section_codes_cover_the_stepper():
    assert set(SectionCode.values) == {"collective", "project", "action_plan", "budget",
                                       "attachments"}
    assert date(2026, 6, 30).isoformat() == ACTION_PLAN["end_date"]
