"""Lifecycle of a full dossier (DOMAIN.md), with correction rounds and withdrawal."""

from connaissance.workflow import Lifecycle

from .models import DossierStatus as S

WITHDRAWABLE = (S.DRAFT, S.SUBMITTED, S.CORRECTION, S.ADMISSIBLE, S.UNDER_EVALUATION,
                S.WAITLISTED)

DOSSIER_LIFECYCLE = Lifecycle(
    name="dossier",
    state_field="status",
    table={
        (S.DRAFT, S.SUBMITTED): "submit",
        (S.DRAFT, S.EXPIRED): "expire",
        (S.EXPIRED, S.DRAFT): "reopen",  # the deadline moved later
        (S.SUBMITTED, S.CORRECTION): "request_correction",
        (S.CORRECTION, S.SUBMITTED): "resubmit",
        (S.SUBMITTED, S.ADMISSIBLE): "admit",
        (S.SUBMITTED, S.INADMISSIBLE): "declare_inadmissible",
        (S.ADMISSIBLE, S.UNDER_EVALUATION): "start_evaluation",
        (S.UNDER_EVALUATION, S.SELECTED): "select",
        (S.UNDER_EVALUATION, S.REJECTED): "reject",
        (S.UNDER_EVALUATION, S.WAITLISTED): "waitlist",
        (S.WAITLISTED, S.SELECTED): "select",
        (S.WAITLISTED, S.REJECTED): "reject",
        **{(state, S.WITHDRAWN): "withdraw" for state in WITHDRAWABLE},
    },
    labels=dict(S.choices),
)
