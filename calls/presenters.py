"""What the timeline shows of each phase (shared by the page and the PDF)."""

from dataclasses import dataclass
from datetime import datetime

from .calendar import current_phase, is_interval, is_open, is_whole_day_end, phases_of


@dataclass(frozen=True)
class TimelineStep:
    phase: object
    state: str  # "past", "current" (the open phase that closes first), "open" or "future"
    starts_at: datetime | None
    ends_at: datetime | None
    whole_day_end: bool

    @property
    def is_current(self):
        return self.state == "current"


def timeline(call, at: datetime) -> list[TimelineStep]:
    steps = []
    highlighted = current_phase(call, at)
    for phase in phases_of(call):
        if phase == highlighted:
            state = "current"
        elif is_interval(phase) and is_open(phase, at):
            state = "open"
        elif (phase.ends_at or phase.starts_at) < at:
            state = "past"
        else:
            state = "future"
        steps.append(TimelineStep(
            phase=phase, state=state, starts_at=phase.starts_at, ends_at=phase.ends_at,
            whole_day_end=bool(phase.ends_at and is_whole_day_end(phase.ends_at)),
        ))
    return steps
