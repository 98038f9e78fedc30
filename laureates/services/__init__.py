"""The laureates' use cases: one function per use case, keyword-only, in a transaction."""

from .payments import apply_payment_changes, check_total, delete_payment, record_payment
from .projects import (
    END_AFTER_ELIGIBILITY,
    END_CLOSE_TO_ELIGIBILITY,
    eligibility_flag,
    open_projects,
    record_signed_convention,
    set_milestone_status,
)

__all__ = [
    "END_AFTER_ELIGIBILITY", "END_CLOSE_TO_ELIGIBILITY", "apply_payment_changes",
    "check_total", "delete_payment", "eligibility_flag", "open_projects", "record_payment",
    "record_signed_convention", "set_milestone_status",
]
