"""The full dossier's transition table: every allowed move, every refused one."""

import itertools

import pytest

from applications.dossier_workflow import DOSSIER_LIFECYCLE, WITHDRAWABLE
from applications.models import DossierStatus as S

ALLOWED = {
    (S.DRAFT, S.SUBMITTED), (S.DRAFT, S.EXPIRED),
    (S.EXPIRED, S.DRAFT),  # only when officers extend the filing window (closing job)
    (S.SUBMITTED, S.CORRECTION), (S.CORRECTION, S.SUBMITTED),
    (S.SUBMITTED, S.ADMISSIBLE), (S.SUBMITTED, S.INADMISSIBLE),
    (S.ADMISSIBLE, S.UNDER_EVALUATION),
    (S.UNDER_EVALUATION, S.SELECTED), (S.UNDER_EVALUATION, S.REJECTED),
    (S.UNDER_EVALUATION, S.WAITLISTED),
    (S.WAITLISTED, S.SELECTED), (S.WAITLISTED, S.REJECTED),
} | {(state, S.WITHDRAWN) for state in WITHDRAWABLE}


@pytest.mark.parametrize("move", sorted(itertools.product(S.values, S.values)),
                         ids=lambda m: f"{m[0]}->{m[1]}")
def test_dossier_transition_table(move):
    assert DOSSIER_LIFECYCLE.can(*move) is (move in ALLOWED)


def test_final_states_have_no_way_out():
    for final in (S.SELECTED, S.REJECTED, S.INADMISSIBLE, S.WITHDRAWN):
        assert DOSSIER_LIFECYCLE.allowed_targets(final) == []
    # « Non déposé » is final unless the deadline moves later: then a draft again, nothing else.
    assert DOSSIER_LIFECYCLE.allowed_targets(S.EXPIRED) == [S.DRAFT]


def test_a_decided_dossier_cannot_be_withdrawn():
    assert not DOSSIER_LIFECYCLE.can(S.SELECTED, S.WITHDRAWN)
    assert not DOSSIER_LIFECYCLE.can(S.REJECTED, S.WITHDRAWN)
