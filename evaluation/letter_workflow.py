"""Lifecycle of a decision letter: queued → rendered (PDF archived with its SHA-256) → sent
(e-mailed); a failure on the way is recorded and the letter queued again by the next run.
A sent letter is final: a correction is a new version (a new row), never a move of this one."""

from connaissance.workflow import Lifecycle

from .models import LetterStatus as S

LETTER_LIFECYCLE = Lifecycle(
    name="letter",
    state_field="status",
    table={
        (S.QUEUED, S.RENDERED): "render",
        (S.RENDERED, S.SENT): "send",
        (S.QUEUED, S.FAILED): "fail",
        (S.RENDERED, S.FAILED): "fail",
        (S.FAILED, S.QUEUED): "retry",
    },
    labels=dict(S.choices),
)
