"""What a participant is told about their claim: the stage it is at, the reasons they may see with their next
step, and the points it brings.

Every channel that speaks to a participant (their pages, the API's claim JSON, the status e-mails, the data
export) goes through here, so an internal signal, a risk score or a staff note cannot reach them by one channel
and not another. Which codes a participant may see is decided on the ground floor
(`vocabulary.reasons.PARTICIPANT_REASONS`); the texts are the catalogues' `reason.<code>` and `next_step.<step>`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from claims.i18n import translate
from claims.reasons import reason_text
from vocabulary.claims import ClaimStatus
from vocabulary.reasons import NextStep, ReasonCode, participant_reason

S = ClaimStatus


class Stage(StrEnum):
    """The steps a participant watches a claim go through."""

    RECEIVED = "received"
    READING = "reading"
    CHECKING = "checking"
    WAITING = "waiting"  # for the partner (or, after an appeal, the auditor)
    DECIDED = "decided"


STAGES: tuple[Stage, ...] = tuple(Stage)
_STAGE_OF_STATUS = {S.RECEIVED: Stage.RECEIVED, S.PENDING_REVIEW: Stage.WAITING, S.FLAGGED: Stage.WAITING}


def claim_stage(status: str, unread_documents: int = 0) -> Stage:
    """The stage of a claim in `status`; while processing, reading until every document has been read."""
    status = ClaimStatus(status)
    if status is S.PROCESSING:
        return Stage.READING if unread_documents else Stage.CHECKING
    return _STAGE_OF_STATUS.get(status, Stage.DECIDED)


#: Next steps that ask the participant to act: offered only while the claim's state lets them act.
_ACTIONS = frozenset({NextStep.RETAKE, NextStep.RETAKE_BOTTOM, NextStep.CHECK_CODE, NextStep.APPEAL})
_ACTING_STATES = frozenset({S.NEEDS_RETAKE, S.REJECTED})
#: What a decided claim says when none of its own reasons may be shown.
_FALLBACK = {S.REJECTED: ReasonCode.NOT_ACCEPTED, S.REVERSED: ReasonCode.APPROVAL_REVERSED}


@dataclass(frozen=True)
class ShownReason:
    """One reason as the participant reads it."""

    code: str
    message: str
    next_step: str
    next_step_message: str
    comment: str = ""

    def to_dict(self) -> dict:
        shown = {"code": self.code, "message": self.message, "next_step": self.next_step,
                 "next_step_message": self.next_step_message}
        if self.comment:
            shown["comment"] = self.comment
        return shown


def participant_reasons(reasons: Iterable[object] | None, status: str, locale: str | None = "pl",
                        appealed: bool = False) -> list[ShownReason]:
    """The reasons of a claim in `status` a participant may see, in their language, each once.

    Internal codes are left out; a code with a plainer participant form is shown in it; a rejected or
    reversed claim with nothing left to show says so plainly. Args: `appealed` when the one appeal is used
    (an appeal is then no longer offered as the next step).
    """
    status = ClaimStatus(status)
    shown: dict[str, ShownReason] = {}
    for record in reasons or []:
        code = record.get("code", "") if isinstance(record, dict) else ""
        seen = participant_reason(str(code))
        if seen is None or str(seen.shown_as) in shown:
            continue
        step = _step(seen.next_step, status, appealed)
        if step is None:
            continue
        comment = str(record.get("comment") or "") if seen.with_comment else ""
        shown[str(seen.shown_as)] = _shown(seen.shown_as, step, locale, comment)
    fallback = _FALLBACK.get(status)
    if fallback is not None and str(fallback) not in shown and (status is S.REVERSED or not shown):
        step = _step(participant_reason(fallback).next_step, status, appealed)  # type: ignore[union-attr]
        shown[str(fallback)] = _shown(fallback, step or NextStep.NONE, locale)
    return list(shown.values())


def _step(step: NextStep, status: ClaimStatus, appealed: bool) -> NextStep | None:
    """The step offered for a reason in `status`; None when the reason does not belong to this state."""
    if step in _ACTIONS and status not in _ACTING_STATES:
        return None
    if step is NextStep.APPEAL and appealed:
        return NextStep.CONTACT_SUPPORT
    return step


def _shown(code: ReasonCode, step: NextStep, locale: str | None, comment: str = "") -> ShownReason:
    return ShownReason(str(code), reason_text(code, locale), str(step), translate(f"next_step.{step}", locale),
                       comment[:2000])


@dataclass(frozen=True)
class ShownPoints:
    """The points a claim shows: `kind` is "credited" (in the ledger), "expected" (waiting for a decision, may
    change) or "none" (not known yet: still being read)."""

    points: int
    kind: str


def participant_points(status: str, points_proposed: int | None, credited: int | None) -> ShownPoints:
    """What a claim in `status` is worth to the participant: a rejected claim shows 0, never the proposal."""
    status = ClaimStatus(status)
    if status in (S.APPROVED, S.REVERSED):
        return ShownPoints(int(credited or 0), "credited")
    if status in (S.PENDING_REVIEW, S.FLAGGED):
        return ShownPoints(int(points_proposed or 0), "expected")
    if status in (S.RECEIVED, S.PROCESSING, S.NEEDS_RETAKE):
        return ShownPoints(0, "none")
    return ShownPoints(0, "credited")
