"""Lifecycle of an opportunity note."""

from connaissance.workflow import Lifecycle

from .models import NoteStatus

NOTE_LIFECYCLE = Lifecycle(
    name="note",
    state_field="status",
    table={
        (NoteStatus.DRAFT, NoteStatus.SUBMITTED): "submit",
        (NoteStatus.DRAFT, NoteStatus.EXPIRED): "expire",
        (NoteStatus.EXPIRED, NoteStatus.DRAFT): "reopen",  # the deadline moved later
        (NoteStatus.SUBMITTED, NoteStatus.PRESELECTED): "preselect",
        (NoteStatus.SUBMITTED, NoteStatus.NOT_RETAINED): "not_retain",
    },
    labels=dict(NoteStatus.choices),
)
