"""The laureates' use cases: one function per use case, keyword-only, in a transaction."""

from .launch import answer_invitation, record_attendance, save_launch_event, send_invitations
from .payments import apply_payment_changes, check_total, delete_payment, record_payment
from .projects import (
    END_AFTER_ELIGIBILITY,
    END_CLOSE_TO_ELIGIBILITY,
    eligibility_flag,
    open_projects,
    record_signed_convention,
    set_milestone_status,
)
from .reports import (
    accept_report,
    plan_reports,
    reschedule_report,
    return_report,
    save_report,
    submit_report,
)

__all__ = [
    "END_AFTER_ELIGIBILITY", "END_CLOSE_TO_ELIGIBILITY", "accept_report", "answer_invitation",
    "apply_payment_changes", "check_total", "delete_payment", "eligibility_flag",
    "open_projects", "plan_reports", "record_attendance", "record_payment",
    "record_signed_convention", "reschedule_report", "return_report", "save_launch_event",
    "save_report", "send_invitations", "set_milestone_status", "submit_report",
]
