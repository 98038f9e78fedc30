"""Lifecycle of an evaluation: scored as a draft, submitted (locked), reopened by an officer."""

from connaissance.workflow import Lifecycle

from .models import EvaluationStatus as S

EVALUATION_LIFECYCLE = Lifecycle(
    name="evaluation",
    state_field="status",
    table={
        (S.DRAFT, S.SUBMITTED): "submit",
        (S.SUBMITTED, S.DRAFT): "reopen",
    },
    labels=dict(S.choices),
)
