"""Lifecycles of a laureate's project and of its agreement (*convention*).

A project waits for its agreement, runs once the agreement signed by both parties is recorded
(`services.record_signed_convention`), and is closed when officers accept its final report
(`services.reports.accept_report`). A report is filed by the collective, then accepted by
officers or sent back to the collective with a message (a draft again)."""

from connaissance.workflow import Lifecycle

from .models import ConventionStatus as C
from .models import ProjectStatus as S
from .models import ReportStatus as R

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


REPORT_LIFECYCLE = Lifecycle(
    name="report",
    state_field="status",
    table={
        (R.DRAFT, R.SUBMITTED): "submit",
        (R.SUBMITTED, R.DRAFT): "return",
        (R.SUBMITTED, R.ACCEPTED): "accept",
    },
    labels=dict(R.choices),
)
