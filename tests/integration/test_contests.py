"""Contests on the real databases: the leaderboard ranks by the metric with the earlier-to-reach tie-break,
the end run freezes the results and credits the prizes once (twice at once on PostgreSQL too), and the
claim-based metrics count approved claims decided in the period."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from claims.db.activity_models import ContestResult
from claims.db.engine import transaction
from claims.db.models import Claim, LedgerEntry
from claims.errors import ConflictError, InvalidInputError
from claims.ledger import balance
from claims.services.contests import close_contest, due_contests, get_contest, leaderboard, own_standing, save_contest
from claims.services.review import decide_claim
from tests.conftest import make_runtime
from tests.integration.activity_helpers import participants, race
from tests.integration.helpers import pending_claim, seed, user
from tests.integration.test_tiers import earn

pytestmark = pytest.mark.integration
TODAY = datetime.now(UTC).date()


def contest(rt, metric: str = "points", prizes: str = "500, 200", starts: date | None = None,
            ends: date | None = None) -> int:
    raw = {"code": f"K-{uuid.uuid4().hex[:6]}", "title": "Najaktywniejszy miesiąca", "metric": metric,
           "starts_on": (starts or TODAY - timedelta(days=20)).isoformat(),
           "ends_on": (ends or TODAY + timedelta(days=5)).isoformat(), "prizes": prizes}
    with transaction(rt.sessions) as session:
        return save_contest(session, raw).id


def board(rt, contest_id: int, limit: int = 10):
    with rt.sessions() as session:
        return [(s.place, s.participant_id, int(s.value), s.prize)
                for s in leaderboard(session, get_contest(session, contest_id), limit)]


def test_the_leaderboard_ranks_by_points_in_the_period_with_the_earlier_to_reach_first(runtime):
    seed(runtime)
    a, b, c, d = participants(runtime, 4)
    earn(runtime, a, 300, days_ago=10)
    earn(runtime, b, 300, days_ago=5)   # same total as a, reached later: below a
    earn(runtime, c, 900, days_ago=2)
    earn(runtime, d, 5000, days_ago=40)  # before the contest: not counted
    cid = contest(runtime)
    assert board(runtime, cid) == [(1, c, 900, 500), (2, a, 300, 200), (3, b, 300, 0)]
    with runtime.sessions() as session:
        assert own_standing(session, get_contest(session, cid), b).place == 3
        assert own_standing(session, get_contest(session, cid), d) is None
    with pytest.raises(ConflictError) as running, transaction(runtime.sessions) as session:
        close_contest(session, cid)
    assert running.value.code == "contest_running"


def test_the_end_run_freezes_the_results_and_credits_the_prizes_once(runtime):
    seed(runtime)
    a, b = participants(runtime, 2)
    earn(runtime, a, 100, days_ago=8)
    earn(runtime, b, 400, days_ago=7)
    cid = contest(runtime, ends=TODAY - timedelta(days=1))
    with runtime.sessions() as session:
        assert due_contests(session) == [cid]
    with transaction(runtime.sessions) as session:
        assert close_contest(session, cid) == 2
    earn(runtime, a, 1000, days_ago=3)  # after the freeze nothing moves
    with transaction(runtime.sessions) as session:
        assert close_contest(session, cid) == 0
        assert due_contests(session) == []
    assert board(runtime, cid) == [(1, b, 400, 500), (2, a, 100, 200)]
    with runtime.sessions() as session:
        prizes = session.scalars(select(LedgerEntry.cause).where(LedgerEntry.kind == "contest_prize")
                                 .order_by(LedgerEntry.cause)).all()
        assert prizes == [f"contest:{cid}:place:1", f"contest:{cid}:place:2"]
        assert balance(session, b) == 900 and balance(session, a) == 1300
    with pytest.raises(ConflictError), transaction(runtime.sessions) as session:
        save_contest(session, {"code": "X", "title": "X", "metric": "points", "starts_on": "2026-01-01",
                               "ends_on": "2026-01-02"}, cid)


def test_claim_metrics_count_approved_claims_decided_in_the_period(sqlite_runtime):
    rt = sqlite_runtime
    seed(rt)
    partner = user(rt, "partner.a@example.com")
    for points in (120, 80):
        claim_id = pending_claim(rt, points=points)
        with transaction(rt.sessions) as session:
            session.get(Claim, claim_id).total = Decimal(points)  # the receipt's total as OCR would read it
            decide_claim(session, partner, claim_id, "approve", "")
    pending_claim(rt, points=999)  # not approved: not counted
    value, count = contest(rt, "purchase_value"), contest(rt, "approved_claims")
    [(place, pid, total, _)] = board(rt, value)
    assert (place, total) == (1, 200)
    assert board(rt, count) == [(1, pid, 2, 500)]


@pytest.mark.parametrize("change, code", [({"metric": "likes"}, "bad_metric"),
                                          ({"prizes": "100, dużo"}, "bad_prizes"),
                                          ({"ends_on": "2020-01-01"}, "bad_period"),
                                          ({"starts_on": "jutro"}, "bad_date")])
def test_a_bad_contest_is_refused(sqlite_runtime, change, code):
    raw = {"code": "K", "title": "K", "metric": "points", "starts_on": "2026-01-01", "ends_on": "2026-02-01",
           "prizes": "1", **change}
    with pytest.raises(InvalidInputError) as refused, transaction(sqlite_runtime.sessions) as session:
        save_contest(session, raw)
    assert refused.value.code == code


def test_two_end_runs_at_once_credit_the_prizes_once_on_postgresql(postgres_url, tmp_path):
    rt = make_runtime(tmp_path, postgres_url, "db://")
    try:
        seed(rt)
        ids = participants(rt, 5)
        for i, pid in enumerate(ids):
            earn(rt, pid, 100 * (i + 1), days_ago=3)
        cid = contest(rt, prizes="300, 200, 100", ends=TODAY - timedelta(days=1))

        def close(_: int) -> int:
            with transaction(rt.sessions) as session:
                return close_contest(session, cid)
        assert sorted(race(4, close)) == [0, 0, 0, 5]
        with rt.sessions() as session:
            entries = session.execute(select(LedgerEntry.participant_id, LedgerEntry.points)
                                      .where(LedgerEntry.kind == "contest_prize")).all()
            assert sorted(entries) == sorted([(ids[4], 300), (ids[3], 200), (ids[2], 100)])
            places = session.scalars(select(ContestResult.place).where(ContestResult.contest_id == cid)).all()
            assert sorted(places) == [1, 2, 3, 4, 5]
            assert balance(session, ids[4]) == 800
            assert session.get(type(get_contest(session, cid)), cid).closed_at is not None
            assert Decimal(board(rt, cid)[0][2]) == 500
    finally:
        rt.close()


def test_paragon_contests_close_freezes_the_ended_ones_once(sqlite_runtime, monkeypatch, capsys):
    from paragon.cli import main

    rt = sqlite_runtime
    seed(rt)
    (a,) = participants(rt, 1)
    earn(rt, a, 70, days_ago=4)
    ended, running = contest(rt, prizes="40", ends=TODAY - timedelta(days=1)), contest(rt)
    monkeypatch.setenv("PARAGON_DATA_DIR", str(rt.settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", rt.settings.database_url)
    monkeypatch.setenv("SECRET_KEY", "test-secret")
    assert main(["contests", "close"]) == 0 and main(["contests", "close"]) == 0
    out = capsys.readouterr().out
    assert f"contest {ended}: 1 places frozen" in out and "closed 1 contests" in out and "closed 0 contests" in out
    with rt.sessions() as session:
        assert balance(session, a) == 110
        assert get_contest(session, running).closed_at is None
    assert main(["contests", "close", "--contest", str(running)]) == 1  # still running, refused
    assert main(["contests", "close", "--contest", str(running), "--force"]) == 0


def test_the_live_scores_kept_with_each_entry_and_decision_equal_the_aggregate(runtime):
    from claims.services.contests import ranked
    from claims.services.review import reverse_claim

    seed(runtime)
    a, b = participants(runtime, 2)
    ids = {metric: contest(runtime, metric) for metric in ("points", "purchase_value", "approved_claims")}
    earn(runtime, a, 250, days_ago=0)
    earn(runtime, b, 250, days_ago=0)
    partner = user(runtime, "partner.a@example.com")
    claims = []
    for points in (120, 80, 60):
        claim_id = pending_claim(runtime, points=points)
        with transaction(runtime.sessions) as session:
            session.get(Claim, claim_id).total = Decimal(points)
            decide_claim(session, partner, claim_id, "approve", "")
        claims.append(claim_id)
    with transaction(runtime.sessions) as session:
        reverse_claim(session, user(runtime, "admin@example.com"), claims[1], "zwrot towaru")
    for metric, cid in ids.items():
        live = board(runtime, cid)
        with runtime.sessions() as session:
            aggregate = [(int(p), pid, int(v)) for p, pid, v, _ in session.execute(ranked(get_contest(session, cid)))]
        assert [row[:3] for row in live] == aggregate, metric
    assert [row[2] for row in board(runtime, ids["purchase_value"])] == [180]
    assert [row[2] for row in board(runtime, ids["approved_claims"])] == [2]
