import pytest

from claims.errors import IllegalTransitionError
from claims.lifecycle import TRANSITIONS, can_transition, check_transition, sources_of
from vocabulary.claims import FINAL_STATES, ClaimStatus

S = ClaimStatus


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.RECEIVED, S.PROCESSING),
        (S.PROCESSING, S.NEEDS_RETAKE),
        (S.PROCESSING, S.REJECTED),
        (S.PROCESSING, S.PENDING_REVIEW),
        (S.PROCESSING, S.FLAGGED),
        (S.PENDING_REVIEW, S.APPROVED),
        (S.PENDING_REVIEW, S.REJECTED),
        (S.FLAGGED, S.APPROVED),
        (S.FLAGGED, S.REJECTED),
        (S.APPROVED, S.REVERSED),
        (S.REJECTED, S.FLAGGED),
        (S.NEEDS_RETAKE, S.RECEIVED),
    ],
)
def test_lifecycle_allows_the_documented_moves(current, target):
    assert check_transition(current, target) is target


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.RECEIVED, S.APPROVED),
        (S.RECEIVED, S.PENDING_REVIEW),
        (S.PENDING_REVIEW, S.RECEIVED),
        (S.APPROVED, S.REJECTED),
        (S.APPROVED, S.PENDING_REVIEW),
        (S.REJECTED, S.APPROVED),
        (S.REJECTED, S.PENDING_REVIEW),
        (S.REVERSED, S.APPROVED),
        (S.NEEDS_RETAKE, S.PENDING_REVIEW),
    ],
)
def test_illegal_transition_raises(current, target):
    with pytest.raises(IllegalTransitionError):
        check_transition(current, target)


def test_final_states_lead_nowhere_but_reversal_appeal_and_a_better_photo():
    for state in FINAL_STATES - {S.APPROVED, S.REJECTED, S.NEEDS_RETAKE}:
        assert TRANSITIONS[state] == frozenset()
    assert TRANSITIONS[S.APPROVED] == {S.REVERSED}
    assert TRANSITIONS[S.REJECTED] == {S.FLAGGED}  # the participant's appeal
    assert TRANSITIONS[S.NEEDS_RETAKE] == {S.RECEIVED}  # a better photo added to the same claim, read again


def test_every_state_is_reachable_from_received():
    seen, todo = {S.RECEIVED}, [S.RECEIVED]
    while todo:
        for nxt in TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(ClaimStatus)


def test_approval_is_reachable_only_from_review_states_and_processing():
    assert sources_of(S.APPROVED) == {S.PROCESSING, S.PENDING_REVIEW, S.FLAGGED}
    assert not can_transition("received", "approved")
