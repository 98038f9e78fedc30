"""The transition table of an opportunity note: every allowed move works and is audited (from,
to, who, why); every other pair of states is refused and changes nothing."""

from itertools import product

import pytest

from applications.models import NoteStatus, OpportunityNote
from applications.workflow import NOTE_LIFECYCLE
from connaissance.audit.models import AuditEvent
from connaissance.workflow import TransitionNotAllowed
from tests.applications.factories import NoteFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STATES = [state.value for state in NoteStatus]
ALLOWED = {
    (NoteStatus.DRAFT, NoteStatus.SUBMITTED): "submit",
    (NoteStatus.DRAFT, NoteStatus.EXPIRED): "expire",
    (NoteStatus.EXPIRED, NoteStatus.DRAFT): "reopen",  # when officers extend the window
    (NoteStatus.SUBMITTED, NoteStatus.PRESELECTED): "preselect",
    (NoteStatus.SUBMITTED, NoteStatus.NOT_RETAINED): "not_retain",
}
REFUSED = [(a, b) for a, b in product(STATES, STATES) if (a, b) not in ALLOWED]


def test_the_table_is_the_documented_one():
    """DOMAIN.md: brouillon → déposée → présélectionnée | non retenue; brouillon → non déposée
    at the window's close, and back to brouillon only if officers then extend the window.
    Nothing leaves a decided state, and nothing filed goes back to a draft."""
    assert NOTE_LIFECYCLE.table == ALLOWED
    for final in (NoteStatus.PRESELECTED, NoteStatus.NOT_RETAINED):
        assert NOTE_LIFECYCLE.allowed_targets(final) == []
    assert NOTE_LIFECYCLE.allowed_targets(NoteStatus.EXPIRED) == [NoteStatus.DRAFT]
    assert [frm for (frm, to) in NOTE_LIFECYCLE.table if to == NoteStatus.DRAFT] == [
        NoteStatus.EXPIRED]


@pytest.mark.parametrize(("from_state", "to_state"), list(ALLOWED), ids=lambda s: str(s))
def test_allowed_move_is_applied_and_audited(from_state, to_state):
    note = NoteFactory(status=from_state)
    actor = UserFactory(username="agent-region")
    before = AuditEvent.objects.for_object(note).count()

    NOTE_LIFECYCLE.apply(note, to_state=to_state, actor=actor, reason="Motif de test : éligible")

    assert note.status == to_state
    note.refresh_from_db()
    assert note.status == to_state
    events = AuditEvent.objects.for_object(note)
    assert events.count() == before + 1
    event = events.first()
    assert event.action == f"note.{ALLOWED[(from_state, to_state)]}"
    assert (event.from_state, event.to_state) == (from_state, to_state)
    assert event.actor == actor
    assert event.actor_label == "agent-region"
    assert event.reason == "Motif de test : éligible"


def test_a_move_by_the_scheduler_is_recorded_as_the_system():
    note = NoteFactory()
    NOTE_LIFECYCLE.apply(note, to_state=NoteStatus.EXPIRED, actor=None,
                         reason="Fenêtre de pré-sélection close")
    event = AuditEvent.objects.for_object(note).get()
    assert event.actor is None
    assert event.actor_label == "système"
    assert (event.from_state, event.to_state) == ("draft", "expired")


@pytest.mark.parametrize(("from_state", "to_state"), REFUSED, ids=lambda s: str(s))
def test_every_other_move_is_refused_and_changes_nothing(from_state, to_state):
    note = NoteFactory(status=from_state)
    row_before = OpportunityNote.objects.values().get(pk=note.pk)
    events_before = AuditEvent.objects.count()

    with pytest.raises(TransitionNotAllowed) as refused:
        NOTE_LIFECYCLE.apply(note, to_state=to_state, actor=UserFactory(), reason="Essai")

    assert str(refused.value)  # a message for whoever tried
    assert note.status == from_state
    assert OpportunityNote.objects.values().get(pk=note.pk) == row_before
    assert AuditEvent.objects.count() == events_before


def test_refusal_reads_the_state_in_the_database_not_the_stale_object():
    """Two officers open the same filed note; the first decides; the second's decision,
    made from a stale object still saying "submitted", is refused."""
    note = NoteFactory(status=NoteStatus.SUBMITTED)
    stale = OpportunityNote.objects.get(pk=note.pk)
    NOTE_LIFECYCLE.apply(note, to_state=NoteStatus.PRESELECTED, actor=UserFactory(),
                         reason="Retenue")
    assert stale.status == NoteStatus.SUBMITTED

    with pytest.raises(TransitionNotAllowed):
        NOTE_LIFECYCLE.apply(stale, to_state=NoteStatus.NOT_RETAINED, actor=UserFactory(),
                             reason="Non")
    assert OpportunityNote.objects.get(pk=note.pk).status == NoteStatus.PRESELECTED
    assert AuditEvent.objects.for_object(note).count() == 1


def test_french_message_of_a_refusal():
    from django.utils import translation

    note = NoteFactory(status=NoteStatus.PRESELECTED)
    with translation.override("fr"), pytest.raises(TransitionNotAllowed) as refused:
        NOTE_LIFECYCLE.apply(note, to_state=NoteStatus.DRAFT, actor=None)
    message = str(refused.value)
    assert "→" in message
    assert "This change" not in message
