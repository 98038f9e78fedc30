"""The scoring grid of a call: copied from another call (e.g. a new call reusing the 2023
grid). Officers then adjust it in the admin (« Grilles d'évaluation »)."""

from django.db import transaction
from django.utils.translation import gettext as _

from connaissance.audit.services import record

from ..errors import EvaluationError
from ..models import Criterion


@transaction.atomic
def copy_grid(*, actor, source, target):
    """Copy the criteria of call `source` to call `target`, which must have none yet."""
    if target.criteria.exists():
        raise EvaluationError(_("This call already has a scoring grid."))
    copied = Criterion.objects.bulk_create(
        Criterion(call=target, position=c.position, label=c.label, description=c.description,
                  weight=c.weight, max_score=c.max_score,
                  allows_not_applicable=c.allows_not_applicable)
        for c in source.criteria.all())
    record(actor=actor, obj=target, action="grid.copied",
           data={"from": source.slug, "criteria": len(copied)})
    return copied
