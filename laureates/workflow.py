"""Lifecycles of a laureate's project and of its agreement (*convention*).

A project waits for its agreement, runs once the agreement signed by both parties is recorded
(`services.record_signed_convention`), and is closed with its final report (a later step:
the transition is in the table, no service uses it yet)."""

from connaissance.workflow import Lifecycle

from .models import ConventionStatus as C
from .models import ProjectStatus as S

PROJECT_LIFECYCLE = Lifecycle(
    name="project",
    state_field="status",
    table={
        (S.AGREEMENT_PENDING, S.RUNNING): "start",
        (S.RUNNING, S.CLOSED): "close",
    },
    labels=dict(S.choices),
)

CONVENTION_LIFECYCLE = Lifecycle(
    name="convention",
    state_field="convention_status",
    table={(C.TO_SIGN, C.SIGNED): "sign"},
    labels=dict(C.choices),
)
