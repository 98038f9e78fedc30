"""The officers' ranking (issue 6): ordering by mark, running total against the envelope and
the target count, constant queries, and the admin pages (officers only)."""

from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import DossierStatus
from evaluation.models import Decision, DecisionOutcome
from evaluation.ranking import Row, rank, running_rows, sort_key
from evaluation.scoring import Progress, ScoredDossier, Summary
from evaluation.services import stage_decision
from tests.evaluation.builders import admissible_dossier, assign, score
from tests.factories import UserFactory, officer

D = Decimal
PARIS = ZoneInfo("Europe/Paris")
RANKING = "/admin/evaluation/ranking/"


# --- pure arithmetic -------------------------------------------------------------------------

def rows(amounts, decisions=None):
    decisions = decisions or {}
    return [Row(scored=None, requested=D(a), requested_rate=None, decision=decisions.get(i))
            for i, a in enumerate(amounts)]


def test_the_running_total_meets_the_envelope_exactly():
    table = running_rows(rows(["200000.00"] * 20), envelope=D("3900000.00"), target_min=10,
                         target_max=12)
    assert [r.running_total for r in table[:3]] == [D("200000.00"), D("400000.00"),
                                                    D("600000.00")]
    assert table[18].running_total == D("3800000.00") and table[18].within_envelope
    assert table[19].running_total == D("4000000.00") and not table[19].within_envelope
    assert [r.envelope_runs_out for r in table].index(True) == 19
    assert sum(r.envelope_runs_out for r in table) == 1  # one line only
    assert [r.rank for r in table] == list(range(1, 21))
    assert [r.position for r in table if r.target_min_reached] == [10]
    assert [r.position for r in table if r.target_max_reached] == [12]


def test_the_envelope_bound_is_included_and_cents_count():
    table = running_rows(rows(["3899999.99", "0.01", "0.01"]), envelope=D("3900000.00"),
                         target_min=10, target_max=12)
    assert [r.within_envelope for r in table] == [True, True, False]
    assert table[2].running_total == D("3900000.01")
    assert isinstance(table[2].running_total, Decimal)


def test_decisions_change_what_counts():
    selected = SimpleNamespace(outcome=DecisionOutcome.SELECTED, awarded_amount=D("150000.00"))
    rejected = SimpleNamespace(outcome=DecisionOutcome.REJECTED, awarded_amount=None)
    waitlisted = SimpleNamespace(outcome=DecisionOutcome.WAITLISTED, awarded_amount=None)
    table = running_rows(
        rows(["400000.00", "300000.00", "250000.00", "100000.00"],
             {0: selected, 1: rejected, 2: waitlisted}),
        envelope=D("260000.00"), target_min=2, target_max=3)
    assert [r.counted for r in table] == [D("150000.00"), 0, 0, D("100000.00")]
    assert [r.running_total for r in table] == [D("150000.00"), D("150000.00"),
                                                D("150000.00"), D("250000.00")]
    assert [r.position for r in table] == [1, None, None, 2]
    assert [r.within_envelope for r in table] == [True, False, False, True]
    assert table[3].target_min_reached and not any(r.envelope_runs_out for r in table)


def scored(pk, mean, median=None, filed=None):
    summary = Summary(marks=(D(mean),) if mean else (), mean=mean and D(mean),
                      median=D(median or mean) if mean else None)
    dossier = SimpleNamespace(pk=pk, submitted_at=filed)
    return ScoredDossier(dossier=dossier, progress=Progress(0, 0), summary=summary)


def test_ordering_by_mean_then_median_then_filing_time():
    early, late = datetime(2023, 4, 1, tzinfo=PARIS), datetime(2023, 5, 1, tzinfo=PARIS)
    dossiers = [scored(1, None, filed=early), scored(2, "14.00", "13.00", late),
                scored(3, "14.00", "15.00", late), scored(4, "16.50", filed=late),
                scored(5, "14.00", "13.00", early)]
    assert [s.dossier.pk for s in sorted(dossiers, key=sort_key)] == [4, 3, 5, 2, 1]


# --- the ranking of a call -------------------------------------------------------------------

def marked_dossiers(world, marks):
    """Under-evaluation dossiers of the world's call, one per list of scores (the world's
    dossier first); each evaluated by ev1 (and ev2 when two lists are given)."""
    dossiers = [world.dossier] + [admissible_dossier(call=world.call, agent=world.officer)[0]
                                  for _ in marks[1:]]
    for dossier, scores in zip(dossiers, marks, strict=True):
        evaluations = assign(world.officer, dossier, world.ev1, world.ev2)
        for evaluation, values in zip(evaluations, scores, strict=False):
            score(evaluation, values)
    return dossiers


@pytest.mark.django_db
def test_rank_orders_a_call_and_shows_progress(world):
    low, high, unmarked = marked_dossiers(world, [[[2, 10, 2]], [[5, 20, 5], [4, 16, 4]], []])
    ranking = rank(world.call)
    assert [r.dossier.pk for r in ranking.rows] == [high.pk, low.pk, unmarked.pk]
    top = ranking.rows[0]
    assert top.summary.mean == D("18.00") and top.summary.spread == D("4.00")
    assert top.summary.disagreement  # spread 4 reaches the threshold
    assert (top.progress.submitted, top.progress.expected) == (2, 2)
    assert (ranking.rows[1].progress.submitted, ranking.rows[1].progress.expected) == (1, 2)
    assert "1/2" in str(ranking.rows[1].progress)
    assert [r.requested for r in ranking.rows] == [D("200000.00")] * 3
    assert ranking.total == D("600000.00") and ranking.envelope == D("3900000.00")
    assert (ranking.target_min, ranking.target_max) == (10, 12)


@pytest.mark.django_db
def test_rank_uses_the_staged_award(world):
    dossier, = marked_dossiers(world, [[[4, 12, "n/a"]]])
    stage_decision(officer=world.officer, dossier=dossier, outcome="selected", rate="70")
    row = rank(world.call).rows[0]
    assert (row.requested, row.counted, row.running_total) == (
        D("200000.00"), D("175000.00"), D("175000.00"))
    assert row.decision.awarded_rate == D("70.00")


@pytest.mark.django_db
def test_rank_runs_in_constant_queries(world):
    def count():
        with CaptureQueriesContext(connection) as queries:
            rank(world.call)
        return len(queries)

    marked_dossiers(world, [[[4, 12, 3]]])
    one = count()
    for _ in range(4):
        dossier, _member = admissible_dossier(call=world.call, agent=world.officer)
        (evaluation,) = assign(world.officer, dossier, world.ev1)
        score(evaluation, [3, 10, "n/a"])
    stage_decision(officer=world.officer, dossier=dossier, outcome="waitlisted")
    assert len(rank(world.call).rows) == 5
    assert count() == one


# --- the admin pages -------------------------------------------------------------------------

@pytest.fixture
def small(db, world):
    """The world's call with a 300 000 € envelope and two dossiers under evaluation."""
    world.call.budget_envelope = D("300000.00")
    world.call.save(update_fields=["budget_envelope"])
    world.first, world.second = marked_dossiers(world, [[[5, 20, 5]], [[2, 8, 2]]])
    return world


def urls(world):
    base = f"{RANKING}{world.call.pk}/"
    return [RANKING, base, f"{base}stage/{world.first.pk}/", f"{base}announce/"]


def test_officers_read_the_ranking(client, small):
    client.force_login(officer())
    assert small.call.title in client.get(RANKING).content.decode()
    html = client.get(f"{RANKING}{small.call.pk}/").content.decode()
    assert html.index(small.first.reference) < html.index(small.second.reference)
    assert "ranking-line" in html  # the second dossier goes beyond 300 000 €
    assert "200\u202f000,00\u00a0€" in html and "400\u202f000,00\u00a0€" in html
    assert "1/2" in html


def test_officers_stage_then_announce_from_the_admin(client, small):
    agent = officer()
    client.force_login(agent)
    stage = f"{RANKING}{small.call.pk}/stage/{small.first.pk}/"
    preview = client.post(stage, {"outcome": "selected", "rate": "75", "preview": "1"})
    assert "187\u202f500,00\u00a0€" in preview.content.decode()
    assert not Decision.objects.exists()
    refused = client.post(stage, {"outcome": "selected", "rate": "95", "apply": "1"})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    response = client.post(stage, {"outcome": "selected", "rate": "75", "apply": "1"})
    assert response.status_code == 302
    assert Decision.objects.get().awarded_amount == D("187500.00")
    second = f"{RANKING}{small.call.pk}/stage/{small.second.pk}/"
    assert client.post(second, {"outcome": "rejected", "apply": "1"}).status_code == 200
    client.post(second, {"outcome": "rejected", "reasons": "Trop fragile.", "apply": "1"})

    announce = f"{RANKING}{small.call.pk}/announce/"
    page = client.get(announce).content.decode()
    assert small.first.reference in page and "Trop fragile." in page
    assert client.post(announce, {"confirm": "1"}).status_code == 302
    small.first.refresh_from_db()
    small.second.refresh_from_db()
    assert (small.first.status, small.second.status) == (DossierStatus.SELECTED,
                                                         DossierStatus.REJECTED)
    assert client.post(announce, {"confirm": "1"}).status_code == 302  # nothing more


@pytest.mark.parametrize("roles", [["evaluator"], ["tiers_lieux_staff"]])
def test_evaluators_and_staff_get_a_403(client, small, roles):
    user = UserFactory(roles=roles, is_staff=True)
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    for url in urls(small):
        assert client.get(url).status_code == 403, url
    stage = f"{RANKING}{small.call.pk}/stage/{small.first.pk}/"
    assert client.post(stage, {"outcome": "waitlisted", "apply": "1"}).status_code == 403
    assert client.post(f"{RANKING}{small.call.pk}/announce/",
                       {"confirm": "1"}).status_code == 403
    assert not Decision.objects.exists()
    assert "/admin/evaluation/ranking/" not in client.get("/admin/").content.decode()


def test_collective_members_never_reach_the_ranking(client, small):
    client.force_login(small.member)
    for url in urls(small):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    client.post(f"{RANKING}{small.call.pk}/stage/{small.first.pk}/",
                {"outcome": "waitlisted", "apply": "1"})
    assert not Decision.objects.exists()
