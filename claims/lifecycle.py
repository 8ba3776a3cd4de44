"""The claim lifecycle as an explicit state machine; every status change in paragon goes through here.

The states themselves are words of the ground floor (`vocabulary.claims`).
"""

from __future__ import annotations

from claims.errors import IllegalTransitionError
from vocabulary.claims import ClaimStatus

S = ClaimStatus
TRANSITIONS: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    S.RECEIVED: frozenset({S.PROCESSING}),
    # processing -> received: a worker gave the claim back (transient failure) for a later retry.
    S.PROCESSING: frozenset(
        {S.RECEIVED, S.NEEDS_RETAKE, S.REJECTED, S.PENDING_REVIEW, S.FLAGGED, S.APPROVED}
    ),
    # needs_retake -> received: the participant added a better photo to the same claim; it is read again.
    S.NEEDS_RETAKE: frozenset({S.RECEIVED}),
    S.PENDING_REVIEW: frozenset({S.APPROVED, S.REJECTED, S.FLAGGED}),
    S.FLAGGED: frozenset({S.APPROVED, S.REJECTED, S.PENDING_REVIEW}),
    S.APPROVED: frozenset({S.REVERSED}),
    # rejected -> flagged: the participant's one appeal puts the claim before an auditor.
    S.REJECTED: frozenset({S.FLAGGED}),
    S.REVERSED: frozenset(),
}


def can_transition(current: ClaimStatus | str, target: ClaimStatus | str) -> bool:
    """Whether the lifecycle allows moving from `current` to `target`."""
    return ClaimStatus(target) in TRANSITIONS[ClaimStatus(current)]


def check_transition(current: ClaimStatus | str, target: ClaimStatus | str) -> ClaimStatus:
    """Return `target` as a ClaimStatus, or raise IllegalTransitionError when the move is not allowed."""
    if not can_transition(current, target):
        raise IllegalTransitionError(f"a claim cannot go from {current} to {target}")
    return ClaimStatus(target)


def sources_of(target: ClaimStatus | str) -> frozenset[ClaimStatus]:
    """Every state from which `target` can be reached in one step."""
    target = ClaimStatus(target)
    return frozenset(state for state, nexts in TRANSITIONS.items() if target in nexts)
