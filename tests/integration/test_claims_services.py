"""The claims core on the real databases: intake, lifecycle, decisions, ledger, visibility."""

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from claims.db.engine import transaction
from claims.db.models import Claim, LedgerEntry
from claims.errors import ConflictError, IllegalTransitionError, InvalidInputError, NotFoundError
from claims.ledger import balance, credit_points
from claims.services.accounts import (
    authenticate,
    issue_api_token,
    participant_of,
    revoke_api_tokens,
    user_for_token,
)
from claims.services.intake import Upload, submit_claim
from claims.services.processing import finish_code_claim, start_processing
from claims.services.review import decide_claim, get_visible_claim, reverse_claim, review_queue
from claims.services.transitions import move_claim
from tests.conftest import CODE_50, CODE_UNKNOWN
from tests.integration.helpers import PNG_1PX, pending_claim, seed, user
from vocabulary.claims import ClaimStatus

pytestmark = pytest.mark.integration


def _balance(rt, email="uczestnik@example.com"):
    with rt.sessions() as session:
        return balance(session, participant_of(session, user(rt, email)).id)


def test_submitted_claim_and_its_file_are_stored_before_anything_is_queued(runtime):
    seed(runtime)
    with transaction(runtime.sessions) as session:
        participant = participant_of(session, user(runtime, "uczestnik@example.com"))
        claim = submit_claim(session, runtime.blobs, participant, [Upload("a.png", "image/png", PNG_1PX)], [])
    with runtime.sessions() as session:
        stored = session.get(Claim, claim.id)
        assert stored.status == ClaimStatus.RECEIVED
        assert runtime.blobs.get(stored.documents[0].sha256) == PNG_1PX


def test_empty_or_mixed_claims_are_refused_with_a_reason_code(runtime):
    seed(runtime)
    with transaction(runtime.sessions) as session:
        participant = participant_of(session, user(runtime, "uczestnik@example.com"))
        with pytest.raises(InvalidInputError) as empty:
            submit_claim(session, runtime.blobs, participant, [], [])
        with pytest.raises(InvalidInputError) as mixed:
            submit_claim(session, runtime.blobs, participant, [Upload("a.png", "image/png", PNG_1PX)], ["X"])
    assert (empty.value.code, mixed.value.code) == ("empty_claim", "mixed_claim")


def test_approval_credits_the_proposed_points_once(runtime):
    seed(runtime)
    claim_id = pending_claim(runtime, points=120)
    with transaction(runtime.sessions) as session:
        decide_claim(session, user(runtime, "partner.a@example.com"), claim_id, "approve", "")
    with pytest.raises(ConflictError), transaction(runtime.sessions) as session:
        decide_claim(session, user(runtime, "partner.a@example.com"), claim_id, "approve", "")
    assert _balance(runtime) == 120


def test_the_database_refuses_a_second_credit_for_one_claim(runtime):
    seed(runtime)
    claim_id = pending_claim(runtime)
    with transaction(runtime.sessions) as session:
        credit_points(session, session.get(Claim, claim_id), None, 10)
    with pytest.raises(IntegrityError), transaction(runtime.sessions) as session:
        credit_points(session, session.get(Claim, claim_id), None, 10)


def test_ledger_is_append_only_in_the_database(runtime):
    seed(runtime)
    claim_id = pending_claim(runtime)
    with transaction(runtime.sessions) as session:
        decide_claim(session, user(runtime, "partner.a@example.com"), claim_id, "approve", "")
    for statement in ("UPDATE ledger_entries SET points = 999999", "DELETE FROM ledger_entries"):
        with pytest.raises(DBAPIError, match="append-only"), transaction(runtime.sessions) as session:
            session.execute(text(statement))
    assert _balance(runtime) == 120


def test_rejection_needs_a_known_reason_code_and_credits_nothing(runtime):
    seed(runtime)
    claim_id = pending_claim(runtime)
    reviewer = user(runtime, "partner.a@example.com")
    with pytest.raises(InvalidInputError), transaction(runtime.sessions) as session:
        decide_claim(session, reviewer, claim_id, "reject", "because")
    with transaction(runtime.sessions) as session:
        decide_claim(session, reviewer, claim_id, "reject", "not_our_sale", "nie nasz paragon")
    with runtime.sessions() as session:
        assert session.get(Claim, claim_id).status == ClaimStatus.REJECTED
    assert _balance(runtime) == 0


def test_partner_cannot_see_or_decide_other_partners_claims(runtime):
    seed(runtime)
    claim_id = pending_claim(runtime, outlet_code="PA-1")
    other = user(runtime, "partner.b@example.com")
    with runtime.sessions() as session:
        assert review_queue(session, other) == []
        assert [c.id for c in review_queue(session, user(runtime, "partner.a@example.com"))] == [claim_id]
        with pytest.raises(NotFoundError):
            get_visible_claim(session, other, claim_id)
        with pytest.raises(NotFoundError):
            get_visible_claim(session, user(runtime, "drugi@example.com"), claim_id)
    with pytest.raises(NotFoundError), transaction(runtime.sessions) as session:
        decide_claim(session, other, claim_id, "approve", "")


def test_auditor_reversal_adds_a_negative_entry_and_keeps_the_credit(runtime):
    seed(runtime)
    claim_id = pending_claim(runtime, points=80)
    with transaction(runtime.sessions) as session:
        decide_claim(session, user(runtime, "partner.a@example.com"), claim_id, "approve", "")
    with transaction(runtime.sessions) as session:
        reverse_claim(session, user(runtime, "audytor@example.com"), claim_id, "duplikat")
    with runtime.sessions() as session:
        entries = session.query(LedgerEntry).filter_by(claim_id=claim_id).order_by(LedgerEntry.id).all()
        assert [(e.kind, e.points) for e in entries] == [("credit", 80), ("reversal", -80)]
        assert session.get(Claim, claim_id).status == ClaimStatus.REVERSED
    assert _balance(runtime) == 0


def test_stale_status_change_loses_to_the_one_that_committed(runtime):
    seed(runtime)
    claim_id = pending_claim(runtime)
    with runtime.sessions() as session:
        stale = session.get(Claim, claim_id)  # loaded while pending_review, kept after the session ends
    assert stale.status == ClaimStatus.PENDING_REVIEW
    with transaction(runtime.sessions) as session:
        move_claim(session, session.get(Claim, claim_id), ClaimStatus.APPROVED)
    with pytest.raises(ConflictError), transaction(runtime.sessions) as session:
        move_claim(session, stale, ClaimStatus.REJECTED)
    with runtime.sessions() as session:
        assert session.get(Claim, claim_id).status == ClaimStatus.APPROVED


def test_move_claim_refuses_illegal_transitions(runtime):
    seed(runtime)
    claim_id = pending_claim(runtime)
    with runtime.sessions() as session, pytest.raises(IllegalTransitionError):
        move_claim(session, session.get(Claim, claim_id), ClaimStatus.RECEIVED)


def test_product_codes_are_consumed_once_even_when_processing_runs_twice(runtime):
    seed(runtime)
    with transaction(runtime.sessions) as session:
        participant = participant_of(session, user(runtime, "uczestnik@example.com"))
        claim_id = submit_claim(session, runtime.blobs, participant, [], [CODE_50, CODE_UNKNOWN]).id
    for _ in range(2):
        with transaction(runtime.sessions) as session:
            if start_processing(session, claim_id) is not None:
                finish_code_claim(session, claim_id)
    with runtime.sessions() as session:
        claim = session.get(Claim, claim_id)
        assert claim.status == ClaimStatus.APPROVED and claim.points_proposed == 50
        assert [r["code"] for r in claim.reasons] == ["invalid_code"]
    assert _balance(runtime) == 50
    with transaction(runtime.sessions) as session:
        participant = participant_of(session, user(runtime, "drugi@example.com"))
        second = submit_claim(session, runtime.blobs, participant, [], [CODE_50]).id
    with transaction(runtime.sessions) as session:
        start_processing(session, second)
        finish_code_claim(session, second)
    with runtime.sessions() as session:
        claim = session.get(Claim, second)
        assert claim.status == ClaimStatus.REJECTED
        assert [r["code"] for r in claim.reasons] == ["code_already_used"]


def test_password_login_and_revocable_api_tokens(runtime):
    seed(runtime)
    with transaction(runtime.sessions) as session:
        account = authenticate(session, "Uczestnik@example.com", "haslo-uczestnika")
        token = issue_api_token(session, account)
    with transaction(runtime.sessions) as session:
        assert user_for_token(session, token).email == "uczestnik@example.com"
        revoke_api_tokens(session, user_for_token(session, token))
    with runtime.sessions() as session:
        with pytest.raises(Exception, match="revoked"):
            user_for_token(session, token)
        with pytest.raises(Exception, match="wrong e-mail or password"):
            authenticate(session, "uczestnik@example.com", "zle-haslo")


def test_participant_appeals_a_rejection_once_and_an_auditor_decides(runtime):
    from claims.services.review import appeal_claim

    seed(runtime)
    claim_id = pending_claim(runtime, points=40)
    with transaction(runtime.sessions) as session:
        decide_claim(session, user(runtime, "partner.a@example.com"), claim_id, "reject", "not_our_sale")
    with pytest.raises(InvalidInputError), transaction(runtime.sessions) as session:
        appeal_claim(session, user(runtime, "uczestnik@example.com"), claim_id, "   ")
    with transaction(runtime.sessions) as session:
        appeal_claim(session, user(runtime, "uczestnik@example.com"), claim_id, "Mam paragon z tego sklepu")
    with runtime.sessions() as session:
        assert session.get(Claim, claim_id).status == ClaimStatus.FLAGGED
        assert review_queue(session, user(runtime, "partner.a@example.com")) == []  # auditors decide it
    with transaction(runtime.sessions) as session:
        decide_claim(session, user(runtime, "audytor@example.com"), claim_id, "approve", "")
    assert _balance(runtime) == 40
    with pytest.raises(ConflictError), transaction(runtime.sessions) as session:
        appeal_claim(session, user(runtime, "uczestnik@example.com"), claim_id, "jeszcze raz")


def test_one_code_raced_by_a_hundred_claims_is_consumed_exactly_once(postgres_url, tmp_path):
    """100 claims with the same code processed at once on PostgreSQL: one approved, 99 told it is used."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import make_runtime

    rt = make_runtime(tmp_path, postgres_url, "db://")
    rt.engine.pool._pool.maxsize = 40  # noqa: SLF001 - enough connections for the race
    seed(rt)
    with transaction(rt.sessions) as session:
        participant = participant_of(session, user(rt, "uczestnik@example.com"))
        ids = [submit_claim(session, rt.blobs, participant, [], [CODE_50]).id for _ in range(100)]
    for claim_id in ids:
        with transaction(rt.sessions) as session:
            start_processing(session, claim_id)

    def finish(claim_id: str) -> None:
        with transaction(rt.sessions) as session:
            finish_code_claim(session, claim_id)

    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(finish, ids))
    with rt.sessions() as session:
        statuses = [session.get(Claim, claim_id).status for claim_id in ids]
        assert statuses.count(ClaimStatus.APPROVED) == 1
        assert statuses.count(ClaimStatus.REJECTED) == 99
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 1
    assert _balance(rt) == 50
    rt.close()


def test_status_changes_reach_the_notifier_after_commit_and_never_after_rollback(runtime):
    from claims.services.notifications import install_notifier

    seed(runtime)
    claim_id = pending_claim(runtime)
    told: list[tuple[str, str, str]] = []
    install_notifier(runtime.sessions, lambda *change: told.append(change))
    with pytest.raises(RuntimeError), transaction(runtime.sessions) as session:
        decide_claim(session, user(runtime, "partner.a@example.com"), claim_id, "approve", "")
        raise RuntimeError("the request failed after the decision: it rolls back")
    assert told == []
    with transaction(runtime.sessions) as session:
        decide_claim(session, user(runtime, "partner.a@example.com"), claim_id, "approve", "")
        assert told == []  # not before the commit
    assert told == [(claim_id, "pending_review", "approved")]


def _postgres_runtime(postgres_url, tmp_path, connections: int = 60):
    from tests.conftest import make_runtime

    rt = make_runtime(tmp_path, postgres_url, "db://")
    rt.engine.pool._pool.maxsize = connections  # noqa: SLF001 - enough connections for the race
    seed(rt)
    return rt


def _attempt(rt, action) -> str:
    """Run one decision in its own transaction; 'ok' or the conflict's code."""
    try:
        with transaction(rt.sessions) as session:
            action(session)
        return "ok"
    except ConflictError as exc:
        return exc.code


def test_fifty_concurrent_approvals_of_one_claim_on_postgresql_credit_it_once(postgres_url, tmp_path):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    rt = _postgres_runtime(postgres_url, tmp_path)
    claim_id = pending_claim(rt, points=70)
    reviewer = user(rt, "partner.a@example.com")
    start = threading.Barrier(50)

    def approve(_: int) -> str:
        start.wait()
        return _attempt(rt, lambda session: decide_claim(session, reviewer, claim_id, "approve", ""))

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(approve, range(50)))
    # the losers are told the claim was decided: read after the winner committed, or lost the compare-and-set
    assert results.count("ok") == 1 and set(results) - {"ok"} <= {"already_decided", "status_changed"}
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 1
    assert _balance(rt) == 70
    rt.close()


def test_approval_racing_an_auditors_rejection_and_reversal_ends_consistent(postgres_url, tmp_path):
    """Partner approves while an auditor rejects and another reverses: every claim ends in one state whose
    ledger entries match it, whoever won."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    rt = _postgres_runtime(postgres_url, tmp_path)
    claims = [pending_claim(rt, points=30) for _ in range(12)]
    partner, auditor = user(rt, "partner.a@example.com"), user(rt, "audytor@example.com")

    def race(claim_id: str) -> None:
        start = threading.Barrier(3)

        def approve() -> str:
            start.wait()
            return _attempt(rt, lambda s: decide_claim(s, partner, claim_id, "approve", ""))

        def reject() -> str:
            start.wait()
            return _attempt(rt, lambda s: decide_claim(s, auditor, claim_id, "reject", "not_our_sale"))

        def reverse() -> str:
            start.wait()
            return _attempt(rt, lambda s: reverse_claim(s, auditor, claim_id, "audyt"))

        with ThreadPoolExecutor(max_workers=3) as pool:
            list(pool.map(lambda act: act(), (approve, reject, reverse)))

    for claim_id in claims:
        race(claim_id)
    credited = 0
    with rt.sessions() as session:
        for claim_id in claims:
            status = session.get(Claim, claim_id).status
            kinds = sorted(session.scalars(select(LedgerEntry.kind).where(LedgerEntry.claim_id == claim_id)))
            expected = {"approved": ["credit"], "rejected": [], "reversed": ["credit", "reversal"]}[status]
            assert kinds == expected, (claim_id, status, kinds)
            credited += status == ClaimStatus.APPROVED
    assert _balance(rt) == 30 * credited
    rt.close()
