"""Use cases of the evaluation: one keyword-only function each, in a transaction, audited."""

from .assignments import assign_evaluators, declare_conflict, remove_assignment  # noqa: F401
from .decisions import announce, check_award, stage_decision, unstage  # noqa: F401
from .evaluations import (  # noqa: F401
    record_score,
    reopen_evaluation,
    save_opinion,
    submit_evaluation,
)
from .grid import copy_grid  # noqa: F401
