"""The one choke point of every lifecycle: check the transition table, move, audit, fire.

Each domain app declares its lifecycle in its own `workflow.py` as a `Lifecycle` (states and
an explicit table of allowed moves) and changes state only through `Lifecycle.apply`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from connaissance.audit.services import record


class TransitionNotAllowed(Exception):
    """The move is not in the lifecycle's table (or the object is no longer in that state)."""


@dataclass(frozen=True)
class Lifecycle:
    name: str
    state_field: str
    # {(from_state, to_state): action code}
    table: dict[tuple[str, str], str]
    labels: dict[str, str] = field(default_factory=dict)

    def allowed_targets(self, from_state: str) -> list[str]:
        return [to for (frm, to) in self.table if frm == from_state]

    def can(self, from_state: str, to_state: str) -> bool:
        return (from_state, to_state) in self.table

    def apply(self, obj, *, to_state: str, actor, reason: str = "", data=None,
              side_effects: Iterable[Callable[[], None]] = ()):
        """Move `obj` to `to_state` inside a transaction, with a row lock, and audit it.

        Side effects (mails, tasks) run only after the commit.
        """
        with transaction.atomic():
            locked = type(obj).objects.select_for_update().get(pk=obj.pk)
            from_state = getattr(locked, self.state_field)
            if not self.can(from_state, to_state):
                raise TransitionNotAllowed(
                    _("This change is not allowed: %(from)s → %(to)s.")
                    % {"from": self.labels.get(from_state, from_state),
                       "to": self.labels.get(to_state, to_state)}
                )
            setattr(locked, self.state_field, to_state)
            locked.save(update_fields=[self.state_field])
            setattr(obj, self.state_field, to_state)
            action = self.table[(from_state, to_state)]
            record(actor=actor, obj=locked, action=f"{self.name}.{action}",
                   from_state=from_state, to_state=to_state, reason=reason, data=data)
            for effect in side_effects:
                transaction.on_commit(effect)
        return obj
