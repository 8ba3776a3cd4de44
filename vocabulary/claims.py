"""Claim kinds and states: the words of the claim lifecycle (its transitions are in `claims.lifecycle`)."""

from __future__ import annotations

from enum import StrEnum


class ClaimStatus(StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    NEEDS_RETAKE = "needs_retake"
    PENDING_REVIEW = "pending_review"
    FLAGGED = "flagged"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVERSED = "reversed"


class ClaimKind(StrEnum):
    RECEIPT = "receipt"
    INVOICE = "invoice"
    PRODUCT_CODE = "product_code"
    DISPLAY = "display"  # a photo of the brand's display at an outlet (a display activity, no OCR)
    UNKNOWN = "unknown"


S = ClaimStatus
#: States a participant's claim can rest in without anyone's further action.
FINAL_STATES = frozenset({S.NEEDS_RETAKE, S.APPROVED, S.REJECTED, S.REVERSED})
#: States where a human (partner reviewer or auditor) has to act.
REVIEW_STATES = frozenset({S.PENDING_REVIEW, S.FLAGGED})
#: States a worker still has to move forward.
WORK_STATES = frozenset({S.RECEIVED, S.PROCESSING})
